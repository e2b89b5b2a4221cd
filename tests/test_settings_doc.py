"""docs/settings.md is the table `mockserver.settings_doc` generates from the `Settings` dataclass."""

from __future__ import annotations

import dataclasses

from mockserver.settings import Settings
from mockserver.settings_doc import DOC, field_docs, table


def test_the_settings_table_is_up_to_date() -> None:
    assert DOC.read_text() == table(), "regenerate it: python -m mockserver.settings_doc"


def test_every_field_has_a_row_and_a_description() -> None:
    text = table()
    docs = field_docs()
    for field in dataclasses.fields(Settings):
        assert f"| `{field.name}` |" in text
        assert docs.get(field.name), f"{field.name} has no docstring in settings.py"
    assert "`stream_tokens_per_second`" in text and "`--tokens-per-second`" in text
