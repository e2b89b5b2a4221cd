"""The runner's own rules: credentials per scheme, `--operations` globs, and a live server's missing routes."""

from __future__ import annotations

import json
from typing import Any

from mockserver.conformance.results import NOT_IMPLEMENTED
from mockserver.conformance.runner import ROUTE_MISSING, Credentials, Runner, RunOptions
from mockserver.conformance.target import Target


def test_credentials_per_security_scheme() -> None:
    both = Credentials("key", beta_token="beta", login_token="login")
    assert both.headers_for("ApiKey") == both.headers_for(None) == {"Authorization": "Bearer key"}
    assert both.headers_for("BetaToken") == {"Authorization": "Bearer beta"}
    assert both.headers_for("LoginToken") == {"Authorization": "login"}
    assert Credentials("key").headers_for("BetaToken") is None
    assert Credentials("key").headers_for("Unknown") is None


def test_operations_option_takes_comma_separated_globs() -> None:
    options = RunOptions(operations="listDatasets, *Chunk*,")
    assert options.selects("listDatasets") and options.selects("updateChunk")
    assert not options.selects("createDataset")
    assert RunOptions().selects("anything")


class FlaskWithoutTheRoute:
    """A server that has no route at all: Flask's global handler answers NotFound as an envelope."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        body = json.dumps({"code": 100, "data": None, "message": ROUTE_MISSING[0]}).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def test_a_route_the_server_lacks_is_not_implemented_on_target() -> None:
    """updateDataset on an id that exists, answered with Flask's NotFound: reported, not failed."""
    run = Runner(Target.for_app(FlaskWithoutTheRoute()), Credentials("key"), RunOptions(max_examples=2, seed=1))
    run.pool[("updateDataset", "dataset_id")] = "a" * 32
    result = run.run_operation(run.contract.operations["updateDataset"])
    assert result.not_implemented == ROUTE_MISSING[0]
    assert result.status == NOT_IMPLEMENTED
    run.target.close()
