"""The web-UI routes' row shapes: database rows with internal column names (no SDK renames)."""

from __future__ import annotations

import copy
import pathlib
import re
from dataclasses import asdict
from typing import Any

from mockserver.families.chats.models import Chat
from mockserver.families.chats.sessions import Conversation, reduced_chunks
from mockserver.families.chunks.models import Chunk
from mockserver.families.datasets.models import Dataset
from mockserver.families.documents.records import Document

IMG_BASE64_PREFIX = "data:image/png;base64,"
_INTERNAL_FIELD = re.compile(r"(_vec$|_sm_|_tks|_ltks)")
"""Document-store fields `chunk/get` leaves out (vectors and token columns)."""
KB_LIST_KEYS = (
    "id",
    "avatar",
    "name",
    "language",
    "description",
    "permission",
    "doc_num",
    "token_num",
    "chunk_num",
    "parser_id",
    "embd_id",
    "tenant_id",
    "update_time",
)


def kb_row(dataset: Dataset) -> dict[str, Any]:
    """A Knowledgebase row (`kb.to_dict()`)."""
    return copy.deepcopy(dict(dataset.columns()))


def kb_list_item(dataset: Dataset, nickname: str, avatar: str | None) -> dict[str, Any]:
    """`kb/list`'s projection, joined with the owner's nickname and avatar."""
    columns = dataset.columns()
    item = {key: copy.deepcopy(columns[key]) for key in KB_LIST_KEYS}
    item["nickname"] = nickname
    item["tenant_avatar"] = avatar
    return item


def document_row(doc: Document) -> dict[str, Any]:
    """A Document row with its `suffix` (the file extension without the dot)."""
    row = asdict(doc)
    row["suffix"] = pathlib.PurePosixPath(doc.name).suffix.lstrip(".")
    return row


def listed_document(doc: Document) -> dict[str, Any]:
    """`document/list`'s row: a stored image thumbnail becomes its `/v1/document/image/…` URL."""
    row = document_row(doc)
    row["thumbnail"] = thumbnail_url(doc)
    return row


def thumbnail_url(doc: Document) -> str:
    """The thumbnail as the UI fetches it: a `data:` URL as stored, a stored image by its image route."""
    thumbnail = doc.thumbnail
    if thumbnail and not thumbnail.startswith(IMG_BASE64_PREFIX):
        return f"/v1/document/image/{doc.kb_id}-{thumbnail}"
    return thumbnail


def chunk_item(chunk: Chunk, content: str | None = None) -> dict[str, Any]:
    """One chunk of `chunk/list` (document-store field names); `content` replaces the text when highlighted."""
    return {
        "chunk_id": chunk.id,
        "content_with_weight": chunk.content_with_weight if content is None else content,
        "doc_id": chunk.doc_id,
        "docnm_kwd": chunk.docnm_kwd,
        "important_kwd": list(chunk.important_kwd),
        "question_kwd": list(chunk.question_kwd),
        "image_id": chunk.img_id,
        "available_int": int(chunk.available_int),
        "positions": [list(p) for p in chunk.position_int or []],
    }


def stored_chunk(chunk: Chunk) -> dict[str, Any]:
    """`chunk/get`: the stored fields without vectors and token columns (absent fields are not stored)."""
    return {
        key: copy.deepcopy(value)
        for key, value in asdict(chunk).items()
        if value is not None and not _INTERNAL_FIELD.search(key)
    }


def dialog_row(chat: Chat, kb_names: list[str] | None = None) -> dict[str, Any]:
    """A Dialog row; with `kb_names` (get, list, update) `kb_ids` are the existing ones, in order."""
    row = {k: copy.deepcopy(v) for k, v in chat.columns().items() if not k.startswith("_")}
    if kb_names is not None:
        row["kb_names"] = kb_names
    return row


def conversation_row(conversation: Conversation) -> dict[str, Any]:
    """A Conversation row."""
    return {k: copy.deepcopy(v) for k, v in asdict(conversation).items() if not k.startswith("_")}


def formatted_references(reference: list[Any]) -> list[Any]:
    """Stored reference entries with their chunks in the UI's shape (`chunks_format`): id, content, document_id,
    document_name, dataset_id, image_id, positions."""
    shaped: list[Any] = []
    for entry in reference:
        if isinstance(entry, dict):
            entry = {**copy.deepcopy(entry), "chunks": reduced_chunks(entry)}
        shaped.append(entry)
    return shaped
