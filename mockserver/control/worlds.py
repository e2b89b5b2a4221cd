"""The world file format: pydantic models for a whole tenant's state, and reading them with clear errors."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from mockserver.paths import fixtures_dir


class WorldError(ValueError):
    """A world file is missing or invalid; the message names the file, the path inside it and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorldChunk(_Strict):
    """A chunk given explicitly (instead of the parser's output)."""

    content: str = Field(min_length=1)
    important_keywords: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class WorldDocument(_Strict):
    """A document: its text inline or in a file next to the world, parsed or not."""

    name: str = Field(min_length=1)
    text: str | None = None
    file: str | None = Field(default=None, description="path relative to the world file")
    parse: bool = Field(default=True, description="parse at load time (done, with chunks)")
    chunks: list[WorldChunk] | None = Field(default=None, description="explicit chunks; implies parsed")
    meta_fields: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_source(self) -> WorldDocument:
        if (self.text is None) == (self.file is None):
            raise ValueError("give exactly one of 'text' or 'file'")
        return self


class WorldDataset(_Strict):
    """A dataset and its documents."""

    name: str = Field(min_length=1, max_length=128)
    description: str | None = None
    chunk_method: str = "naive"
    embedding_model: str | None = None
    permission: Literal["me", "team"] = "me"
    language: str = "English"
    documents: list[WorldDocument] = Field(default_factory=list)


class WorldMessage(_Strict):
    """One message of a seeded conversation."""

    role: Literal["user", "assistant"]
    content: str


class WorldSession(_Strict):
    """A chat or agent session with its history."""

    name: str = "New session"
    messages: list[WorldMessage] = Field(default_factory=list)


class WorldChat(_Strict):
    """A chat assistant over datasets named in this world."""

    name: str = Field(min_length=1)
    description: str | None = None
    datasets: list[str] = Field(default_factory=list, description="dataset names of this world")
    llm: dict[str, Any] | None = None
    prompt: dict[str, Any] | None = None
    sessions: list[WorldSession] = Field(default_factory=list)


class WorldAgent(_Strict):
    """An agent (canvas); `dsl` defaults to a begin → retrieval → generate → answer flow."""

    title: str = Field(min_length=1)
    description: str | None = None
    dsl: dict[str, Any] | None = None
    datasets: list[str] = Field(default_factory=list, description="dataset names its retrieval step uses")
    sessions: list[WorldSession] = Field(default_factory=list)


class WorldTenant(_Strict):
    """Tenant-level settings."""

    name: str | None = None
    llm_id: str | None = None
    embd_id: str | None = None


class WorldWebUser(_Strict):
    """A web-UI login owning the world's tenant (its user id is the tenant id)."""

    email: str = Field(pattern=r"^[\w._-]+@([\w_-]+\.)+[\w-]{2,}$")
    password: str = Field(min_length=1, description="clear text; the UI sends it RSA-encrypted")
    nickname: str = Field(default="demo", min_length=1, max_length=100)


class World(_Strict):
    """A whole tenant's state."""

    name: str = "world"
    description: str = ""
    keys: list[str] = Field(default_factory=list, description="extra API keys that reach this tenant")
    web_user: WorldWebUser | None = Field(default=None, description="a web-UI login owning this tenant")
    tenant: WorldTenant = Field(default_factory=WorldTenant)
    datasets: list[WorldDataset] = Field(default_factory=list)
    chats: list[WorldChat] = Field(default_factory=list)
    agents: list[WorldAgent] = Field(default_factory=list)
    base_dir: str = Field(default=".", exclude=True, description="set by the loader: where `file:` paths start")

    @model_validator(mode="after")
    def _references(self) -> World:
        problems: list[str] = []
        seen: dict[str, int] = {}
        for i, dataset in enumerate(self.datasets):
            key = dataset.name.strip().lower()
            if key in seen:
                problems.append(f"datasets[{i}].name: duplicate of datasets[{seen[key]}] ({dataset.name!r})")
            seen.setdefault(key, i)
            doc_names: set[str] = set()
            for j, doc in enumerate(dataset.documents):
                if doc.name in doc_names:
                    problems.append(f"datasets[{i}].documents[{j}].name: duplicate document name {doc.name!r}")
                doc_names.add(doc.name)
        refs = [("chats", [c.datasets for c in self.chats]), ("agents", [a.datasets for a in self.agents])]
        for kind, lists in refs:
            for i, names in enumerate(lists):
                for j, ref in enumerate(names):
                    if ref.strip().lower() not in seen:
                        problems.append(f"{kind}[{i}].datasets[{j}]: unknown dataset {ref!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def document_bytes(self, doc: WorldDocument) -> bytes:
        """The content of a document (inline text or the referenced file)."""
        if doc.text is not None:
            return doc.text.encode("utf-8")
        path = Path(self.base_dir) / str(doc.file)
        try:
            return path.read_bytes()
        except OSError as exc:
            raise WorldError(f"{path}: cannot read document {doc.name!r}: {exc.strerror}") from None


def _location(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def parse_world(data: Any, source: str = "<world>", base_dir: str = ".") -> World:
    """Validate a decoded world; errors read `file: path.to.field: problem`."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise WorldError(f"{source}: (top level): expected a mapping, got {type(data).__name__}")
    try:
        return World.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        lines = [f"{source}: {_location(err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)]
        raise WorldError("\n".join(lines)) from None


def worlds_dir() -> Path:
    """Directory of the shipped worlds."""
    return fixtures_dir() / "worlds"


def available_worlds() -> list[str]:
    """Names of the shipped worlds."""
    return sorted(p.stem for p in worlds_dir().glob("*.yaml"))


def resolve_world(name_or_path: str) -> Path:
    """A shipped world's name (`demo`) or a path to a YAML file → the file."""
    candidate = Path(name_or_path).expanduser()
    if candidate.suffix in (".yaml", ".yml") or candidate.is_file() or "/" in name_or_path:
        if not candidate.is_file():
            raise WorldError(f"{candidate}: world file not found")
        return candidate.resolve()
    shipped = worlds_dir() / f"{name_or_path}.yaml"
    if not shipped.is_file():
        raise WorldError(f"unknown world {name_or_path!r}; shipped worlds: {', '.join(available_worlds())}")
    return shipped


@functools.lru_cache(maxsize=32)
def _read_cached(path: Path, mtime_ns: int) -> World:
    import yaml

    try:
        data = yaml.load(path.read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "(top level)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise WorldError(f"{path}: {where}: invalid YAML: {problem}") from None
    return parse_world(data, str(path), str(path.parent))


def read_world(name_or_path: str | Path) -> World:
    """Load and validate a world (cached until the file changes)."""
    path = resolve_world(str(name_or_path))
    return _read_cached(path, path.stat().st_mtime_ns)
