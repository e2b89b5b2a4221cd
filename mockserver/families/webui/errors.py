"""The web-UI routes' refusals: `{"code":c,"data":false,"message":m}` in the server's wording."""

from __future__ import annotations

from mockserver.core.errors import RefusalError, RetCode


def no_authorization() -> RefusalError:
    """The caller's tenants may not touch the knowledge base or document (103)."""
    return RefusalError("No authorization.", code=RetCode.OPERATING_ERROR.value)


def owner_only(what: str) -> RefusalError:
    """`Only owner of <what> authorized for this operation.` (103): knowledgebase, dialog or conversation."""
    return RefusalError(f"Only owner of {what} authorized for this operation.", code=RetCode.OPERATING_ERROR.value)


def data_error(message: str) -> RefusalError:
    """`get_data_error_result(message)` (102, data false)."""
    return RefusalError(message, code=RetCode.DATA_ERROR.value)


def argument_error(message: str) -> RefusalError:
    """An ARGUMENT_ERROR reply with data false (101)."""
    return RefusalError(message, code=RetCode.ARGUMENT_ERROR.value)
