"""Historical profiles (2024-06, 2024-10 draft): which errors keep the old builder's `retcode`/`retmsg` keys.

In those releases the handlers answered `code`/`message`, but the login/API-key failure, the `validate_request`
guard and every uncaught exception went through the old `get_json_result` / global handler: all three keys,
`retcode` and `retmsg`. An error raised with `three_keys` (PythonError, WerkzeugError, LoginRequired, AuthError,
`OldBuilderError`) is that builder's; `old_builder_style` is the profiles' `error_style`.
"""

from __future__ import annotations

from typing import Any

from mockserver.core.errors import ArgumentError, RagflowError, RetCode
from mockserver.http.context import RequestContext
from mockserver.http.envelope import retcode_payload
from mockserver.http.request_args import require_arguments


class OldBuilderError(RagflowError):
    """An error the old `get_json_result` builds (all three keys; `retcode`/`retmsg` on the wire)."""

    code = RetCode.ARGUMENT_ERROR.value
    three_keys = True


def old_builder_style(err: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """Old-builder errors (and unexpected exceptions, `err` None) in the 2024 keys; handler errors as raised."""
    if err is None or (isinstance(err, RagflowError) and err.three_keys):
        return retcode_payload(payload)
    return payload


async def guard(ctx: RequestContext, *names: str) -> Any:
    """`validate_request(*names)` with its old-builder failure `{"data":null,"retcode":101,"retmsg":…}`."""
    try:
        return await require_arguments(ctx, *names)
    except ArgumentError as err:
        raise OldBuilderError(err.message) from None
