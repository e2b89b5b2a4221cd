"""A tenant's account row and model keys: default model ids, tenant columns and the tenant-model rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mockserver.core.errors import MySQLError
from mockserver.core.pagination import collation_key
from mockserver.core.python_failures import unrecognized_field
from mockserver.core.tenancy import TenantContext
from mockserver.families.accounts.catalog import FACTORIES, SELF_HOSTED_FACTORIES, CatalogModel, catalog_model, factory

PARSER_IDS = (
    "naive:General,qa:Q&A,resume:Resume,manual:Manual,table:Table,paper:Paper,book:Book,laws:Laws,"
    "presentation:Presentation,picture:Picture,one:One,audio:Audio,email:Email,tag:Tag"
)
MODEL_COLUMNS = ("llm_id", "embd_id", "asr_id", "img2txt_id", "rerank_id")
"""Default-model columns kept on `TenantBackend` itself (datasets and chats read them there)."""
NOT_NULL_COLUMNS = ("llm_id", "embd_id", "asr_id", "img2txt_id", "rerank_id", "parser_ids")
EXTRA_COLUMNS = ("tts_id", "parser_ids", "credit", "status", "public_key", "name")
TENANT_COLUMNS = frozenset({"id", *MODEL_COLUMNS, *EXTRA_COLUMNS, "create_time", "create_date"})
"""Columns of the tenant table that `set_tenant_info` may write (plus `update_*`)."""


@dataclass
class TenantModel:
    """One tenant-model row: a factory's model with the tenant's key for it."""

    llm_factory: str
    llm_name: str
    model_type: str
    api_key: str | None
    api_base: str
    max_tokens: int
    used_tokens: int = 0


class ProfileTenant(TenantContext, Protocol):
    """What `TenantProfile` uses of its tenant: the context and the default-model columns kept on it."""

    asr_id: str
    img2txt_id: str
    rerank_id: str


class TenantProfile:
    """The tenant row's extra columns and its model keys; model ids live on the tenant itself."""

    def __init__(self, tenant: ProfileTenant) -> None:
        self.tenant = tenant
        self.tts_id: str | None = None
        self.parser_ids = PARSER_IDS
        self.credit: Any = 512
        self.status: Any = "1"
        self.public_key: Any = None
        self.models: dict[tuple[str, str], TenantModel] = {}

    # -- tenant row ------------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """getTenantInfo: the 10-key `tenant_info` object."""
        tenant = self.tenant
        return {
            "asr_id": tenant.asr_id,
            "embd_id": tenant.embd_id,
            "img2txt_id": tenant.img2txt_id,
            "llm_id": tenant.llm_id,
            "name": tenant.name,
            "parser_ids": self.parser_ids,
            "rerank_id": tenant.rerank_id,
            "role": "owner",
            "tenant_id": tenant.tenant_id,
            "tts_id": self.tts_id,
        }

    def update_columns(self, changes: dict[str, Any], update_time: int, update_date: Any) -> None:
        """Peewee `update_by_id`: unknown columns and NULL in NOT NULL columns fail like MySQL."""
        for key in changes:
            if key not in TENANT_COLUMNS:
                shown = {**changes, "update_time": update_time, "update_date": update_date}
                raise unrecognized_field(key, shown)
        for key in NOT_NULL_COLUMNS:
            if key in changes and changes[key] is None:
                raise MySQLError(1048, f"Column '{key}' cannot be null")
        for key, value in changes.items():
            stored = value if value is None or key in ("credit",) else _column_text(value)
            if key in MODEL_COLUMNS or key == "name":
                setattr(self.tenant, key, stored)
            elif key in EXTRA_COLUMNS:
                setattr(self, key, stored)

    # -- model keys ------------------------------------------------------------------------------
    def set_api_key(self, factory_name: object, api_key: object, base_url: object, extra: dict[str, Any]) -> None:
        """setLlmApiKey: upsert the tenant's rows for every catalog model of the factory (unknown factory: none)."""
        found = factory(factory_name)
        if found is None:
            return
        key = None if api_key is None else _column_text(api_key)
        base = _column_text(base_url) if base_url else ""
        for model in found.models:
            row = self.models.get((found.name, model.llm_name))
            if row is None:
                row = TenantModel(found.name, model.llm_name, model.model_type, key, base, model.max_tokens)
                self.models[(found.name, model.llm_name)] = row
            else:
                row.api_key, row.api_base, row.max_tokens = key, base, model.max_tokens
                if "model_type" in extra:
                    row.model_type = _column_text(extra["model_type"])
                if "llm_name" in extra:
                    row.llm_name = _column_text(extra["llm_name"])
            if key is not None:
                self.tenant.configured_models.add(f"{row.llm_name}@{found.name}")

    def keyed_rows(self) -> list[TenantModel]:
        """Rows with a non-null key whose factory is in the catalog (what `my_llms` shows)."""
        return [row for row in self.models.values() if row.api_key is not None and row.llm_factory in FACTORIES]

    def my_llms(self) -> dict[str, Any]:
        """listMyLlms: `{factory: {"llm": [{name, type, used_token}], "tags": tags}}`."""
        grouped: dict[str, Any] = {}
        for row in self.keyed_rows():
            entry = grouped.setdefault(row.llm_factory, {"llm": [], "tags": FACTORIES[row.llm_factory].tags})
            entry["llm"].append({"name": row.llm_name, "type": row.model_type, "used_token": row.used_tokens})
        return grouped

    def is_available(self, fid: str, llm_name: str) -> bool:
        """`/v1/llm/list`'s `available`: a non-empty key for the factory, or a built-in/self-hosted one."""
        if llm_name.lower() == "flag-embedding" or fid in SELF_HOSTED_FACTORIES:
            return True
        return any(row.llm_factory == fid and row.api_key for row in self.models.values())

    def uncatalogued_rows(self) -> list[TenantModel]:
        """Tenant rows whose (name, factory) is not a catalog row."""
        return [row for row in self.models.values() if catalog_model(row.llm_name, row.llm_factory) is None]

    def llm_listing(self, model_type: str | None, stamps: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """listLlms: catalog rows by factory with `available` per the tenant's keys, then its own extra rows.

        A truthy `model_type` keeps the rows whose `model_type` contains it; `stamps` are the catalog's times.
        """
        rows: list[dict[str, Any]] = [
            _catalog_row(m, self.is_available(m.fid, m.llm_name), stamps)
            for f in sorted(FACTORIES.values(), key=lambda f: collation_key(f.name))
            for m in f.models
        ]
        rows += [
            {"available": True, "fid": r.llm_factory, "llm_name": r.llm_name, "model_type": r.model_type}
            for r in self.uncatalogued_rows()
        ]
        grouped: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            if model_type and model_type not in row["model_type"]:
                continue
            grouped.setdefault(row["fid"], []).append(row)
        return grouped


def _catalog_row(model: CatalogModel, available: bool, stamps: dict[str, Any]) -> dict[str, Any]:
    return {
        "available": available,
        "fid": model.fid,
        "is_tools": model.is_tools,
        "llm_name": model.llm_name,
        "max_tokens": model.max_tokens,
        "model_type": model.model_type,
        "status": "1",
        "tags": model.tags,
        **stamps,
    }


def _column_text(value: Any) -> str:
    """How a varchar column stores a JSON value (its Python `str`)."""
    return value if isinstance(value, str) else str(value)
