"""Historical profiles (2024-06, 2024-10 draft): the old global builder's `retcode`/`retmsg`/`data` error bodies.

In those releases the handlers answered `code`/`message`, but the login/API-key failure, the `validate_request`
guard and every uncaught exception went through the old `get_json_result` / global handler: all three keys,
`retcode` and `retmsg`. An error raised with `three_keys` (PythonError, WerkzeugError, LoginRequired, AuthError,
`OldBuilderError`) is that builder's; `historical` renders it so, everything else as raised.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from mockserver.core.errors import ArgumentError, RagflowError, RetCode, unexpected_payload
from mockserver.http.context import RequestContext
from mockserver.http.envelope import EnvelopeResponse
from mockserver.http.render import error_response
from mockserver.http.request_args import require_arguments
from mockserver.http.types import Handler

log = logging.getLogger("mockserver")


class OldBuilderError(RagflowError):
    """An error the old `get_json_result` builds (all three keys; `retcode`/`retmsg` on the wire)."""

    code = RetCode.ARGUMENT_ERROR.value
    three_keys = True


def retcode_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """`{"code","data","message"}` → `{"data","retcode","retmsg"}` (data null when absent)."""
    return {"data": payload.get("data"), "retcode": payload["code"], "retmsg": payload["message"]}


def old_builder_response(err: RagflowError) -> Response:
    """The reply of an error in a historical profile: old-builder errors renamed, handler errors as raised."""
    if err.three_keys:
        return EnvelopeResponse(retcode_payload(err.payload()), status_code=err.status())
    return error_response(err)


def historical(scheme: str) -> Callable[[Handler], Handler]:
    """Decorate a historical handler: authenticate with `scheme` first, render errors the profile's way.

    The operation declares `x-ragflow-deferred-auth` so the dispatcher leaves authentication to this wrapper.
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(ctx: RequestContext) -> Response:
            try:
                ctx.authenticate(scheme)
                return await handler(ctx)
            except RagflowError as err:
                return old_builder_response(err)
            except Exception as exc:  # the global handler: never a traceback on the wire
                log.exception("unexpected error in %s", ctx.operation.operation_id)
                ctx.state.record_unexpected(exc)
                return EnvelopeResponse(retcode_payload(unexpected_payload(exc)))

        return run

    return decorate


async def guard(ctx: RequestContext, *names: str) -> Any:
    """`validate_request(*names)` with its old-builder failure `{"data":null,"retcode":101,"retmsg":…}`."""
    try:
        return await require_arguments(ctx, *names)
    except ArgumentError as err:
        raise OldBuilderError(err.message) from None
