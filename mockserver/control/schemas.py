"""Request bodies of the control plane `/_emulator/*` (pydantic, extra keys forbidden)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mockserver.state.faults import FaultSpec


class Body(BaseModel):
    """Base of every control-plane body."""

    model_config = ConfigDict(extra="forbid")


class Target(Body):
    """A body that may name one tenant (by key or id)."""

    api_key: str | None = None
    tenant_id: str | None = None


class ResetRequest(Target):
    reseed: bool = False


class SeedRequest(Target):
    world: str | dict[str, Any]


class CreateKeyRequest(Body):
    api_key: str | None = Field(default=None, min_length=1)
    tenant_id: str | None = None
    name: str = ""
    world: str | dict[str, Any] | None = None


class FaultRequest(FaultSpec):
    api_key: str | None = None


class ProgressionRequest(Target):
    progression: str = Field(min_length=1)


class ClockAdvance(Body):
    seconds: float = Field(ge=0)
