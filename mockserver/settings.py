"""Emulator settings: one frozen object passed to `create_app`, filled from the CLI or by tests."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

DEFAULT_API_KEY = "ragflow-mock-key"
DEFAULT_PORT = 9380
RAGFLOW_KEY_PAIR = "ragflow"
"""`Settings.rsa_private_key` value naming the key pair RAGFlow publishes (shipped with the emulator)."""

ProgressionName = Literal["immediate", "polls", "seconds", "fail"]


@dataclass(frozen=True)
class Settings:
    """Everything that shapes one emulator instance. Use `Settings.for_tests()` / `for_serve()`."""

    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    """API keys accepted on `/api/v1`; each key gets its own tenant."""
    world: str | None = None
    """World to seed at start: a name in `fixtures/worlds/` (without `.yaml`), a path, or None."""
    reload_world: bool = False
    """Rebuild the configured tenants from the world file whenever the file changes."""
    timezone: str = "Asia/Shanghai"
    """The server's local zone; `*_date` fields show local wall-clock time labelled GMT, as RAGFlow does."""
    id_seed: int | None = None
    """Seed for deterministic ids (golden transcripts, snapshots); None for real random ids."""
    virtual_clock: bool = False
    """Use a virtual clock (sleeps return at once and advance time) instead of the real one."""
    answers: str | None = None
    """Scripted answers loaded at start: `fixtures` (the shipped `fixtures/answers/`), a directory or YAML
    file, or None (no scripted answers: every answer is grounded in retrieval)."""
    progression: str = "immediate"
    """Default parse progression spec: `immediate`, `polls:N`, `seconds:T`, `fail:P[:message]`."""
    stream_tokens_per_second: float = 0.0
    """Streaming pace in tokens per second; 0 streams as fast as possible."""
    stream_first_token_delay: float = 0.0
    """Delay before the first answer frame, in seconds."""
    max_content_length: int = 1024 * 1024 * 1024
    """Request body limit (RAGFlow's MAX_CONTENT_LENGTH, 1 GiB); larger bodies get the 413 repr error."""
    strict_tenant_isolation: bool = True
    """Refuse cross-tenant access the real server allows (document upload, chatbot ids); see docs/quirks.md."""
    cors_origins: tuple[str, ...] = ("*",)
    """Allowed CORS origins (`*` = any)."""
    admin_enabled: bool = True
    """Serve the `/_emulator/*` control plane."""
    admin_key: str | None = None
    """If set, the control plane requires `Authorization: Bearer <admin_key>`."""
    admin_remote: bool = False
    """Let non-loopback peers reach `/_emulator/*` (off: loopback clients only; see `mockserver/http/guard.py`)."""
    admin_origins: tuple[str, ...] = ()
    """Browser origins allowed to call `/_emulator/*` cross-origin (default: same-origin only)."""
    allowed_hosts: tuple[str, ...] = ("testserver",)
    """`Host` names accepted besides localhost and IP literals (DNS-rebinding guard; `*` accepts any). The
    default names Starlette's in-process `TestClient`; `serve` accepts only what `--allowed-host` adds."""
    bind_host: str | None = None
    """The interface `serve` binds (None in-process); bound to loopback, the API checks `Host` as well."""
    request_log: bool = False
    """Log one line per request (method, path, operationId, code, duration)."""
    register_enabled: bool = True
    """Accept `/v1/user/register` (the server's `REGISTER_ENABLED`; `/v1/system/config` reports it)."""
    max_file_num_per_user: int | None = None
    """Documents one tenant may hold (the server's `MAX_FILE_NUM_PER_USER`). None = unset: the `/api/v1` upload
    has no limit and the legacy `/v1/api/document/upload` stops at 8192, as the two server code paths default."""
    rsa_private_key: str | None = RAGFLOW_KEY_PAIR
    """The PEM key that decrypts transported passwords: `RAGFLOW_KEY_PAIR` (default) is RAGFlow's own
    `conf/private.pem`, matching the public key built into its web UI; or a path to another PEM (encrypted ones
    with `rsa_key_passphrase`); None: a well-formed ciphertext is accepted as an opaque secret."""
    rsa_key_passphrase: str = "Welcome"
    """Passphrase of an encrypted `rsa_private_key` (RAGFlow's is `Welcome`)."""
    configure_new_tenants: bool = True
    """Give a newly registered user's tenant a usable default chat model (with its provider configured) and the
    built-in embedding model, so the web UI never asks to set up models first; False: the real server's empty
    `llm_id` (behavior-accounts-tenants.md §2.9)."""
    webui_dist: str | None = None
    """A built web UI (RAGFlow's `web/dist`) served on the API's origin, with `index.html` for client routes."""
    profile: str = "current"
    """Who answers the singular `/api/v1/dataset…` and `/api/v1/chat…`: `current` (nobody: 404, as the seed-era
    server), `2024-06-dataset` or `2024-10-draft` (docs/profiles.md). Every profile is also under `/_p/<name>`."""
    legacy_profile: str = "current"
    """Who answers `/v1/api/*`: `current` (the seed-era chatbot API) or `2024-05-legacy` (v0.7.0)."""
    extra: dict[str, str] = field(default_factory=dict)
    """Free-form options for families (documented where used)."""

    @classmethod
    def for_tests(cls, **overrides: object) -> Settings:
        """Instant everything, deterministic ids, virtual clock; the suites' precomputed password ciphertexts are
        opaque secrets (no key pair) and registered tenants start as the real server leaves them."""
        base = cls(
            id_seed=1,
            virtual_clock=True,
            progression="immediate",
            rsa_private_key=None,
            configure_new_tenants=False,
        )
        return replace(base, **overrides)  # type: ignore[arg-type]

    @classmethod
    def for_serve(cls, **overrides: object) -> Settings:
        """Human pace: parsing takes a few seconds, answers stream like a person reading."""
        base = cls(
            world="demo",
            answers="fixtures",
            progression="seconds:4",
            stream_tokens_per_second=25.0,
            stream_first_token_delay=0.4,
            request_log=True,
            allowed_hosts=(),
        )
        return replace(base, **overrides)  # type: ignore[arg-type]
