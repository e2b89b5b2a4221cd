"""The accounts family's errors."""

from __future__ import annotations

from mockserver.core.errors import RefusalError


class AccountFailure(RefusalError):
    """A register/login refusal: `{"code":c,"data":false,"message":m}`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message, code=code)
