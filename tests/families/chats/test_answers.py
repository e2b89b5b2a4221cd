"""The answer engine: YAML rules, matching and precedence, runtime rules, the deterministic grounded answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.control.answers import load_directory, load_rules
from mockserver.core.answer_text import NOT_FOUND_SENTENCE, best_sentence, cited_reference, grounded_text, pieces_of
from mockserver.families.chats.answers import AnswerEngine, AnswerSettings, engine_of
from mockserver.state.scripted_answers import AnswerRule, ScriptedAnswers
from tests.support.chatkit import parsed_dataset
from tests.support.knowledge import tenant_of


def test_shipped_rules_load() -> None:
    """The shipped scripted-answer fixtures load."""
    rules = load_directory()
    names = [r.name for r in rules]
    assert {"greeting", "emulator", "netherfield", "tea-returns"} <= set(names)
    assert all(r.source == "demo.yaml" for r in rules)


def test_rule_validation(tmp_path: Path) -> None:
    """Scripted answer rules are validated when loaded."""
    with pytest.raises(ValueError, match="needs `answer`"):
        AnswerRule.from_mapping({"match": "x"})
    with pytest.raises(ValueError, match="unknown answer rule keys: colour"):
        AnswerRule.from_mapping({"answer": "a", "colour": "red"})
    with pytest.raises(ValueError, match="not a valid regex"):
        AnswerRule.from_mapping({"answer": "a", "match": "("})
    with pytest.raises(ValueError, match="each with `content`"):
        AnswerRule.from_mapping({"answer": "a", "reference": [{"document_name": "x"}]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("answers:\n  - {match: x}\n")
    with pytest.raises(ValueError, match=r"bad.yaml: answers\[0\]: an answer rule needs"):
        load_rules(bad)


def test_matching_precedence_and_scopes(client: TestClient) -> None:
    """AnswerEngine: rule precedence and tenant/dataset/chat scopes."""
    tenant = tenant_of(client)
    kb = parsed_dataset(client, "geo")
    scripted = ScriptedAnswers([AnswerRule(answer="fixture", match="river")])
    engine = AnswerEngine(scripted)
    settings = AnswerSettings(chat_id="c1", chat_name="Geo")
    assert engine.answer(tenant, "river?", [kb], settings).text == "fixture"
    scripted.add({"answer": "older", "match": "river"})
    scripted.add({"answer": "newest", "match": "river", "times": 1})
    assert engine.answer(tenant, "river?", [kb], settings).text == "newest"
    assert engine.answer(tenant, "river?", [kb], settings).text == "older"  # `times` used up
    scripted.add({"answer": "for chat", "chat": "Other"})
    scripted.add({"answer": "for dataset", "datasets": ["GEO"], "match": "mountain"})
    scripted.add({"answer": "other tenant", "tenant_id": "someone-else"})
    assert engine.answer(tenant, "mountain", [kb], settings).text == "for dataset"
    assert engine.answer(tenant, "mountain", [], settings).text.startswith("You asked")
    assert scripted.clear("someone-else") == 1
    assert scripted.clear() == 4
    assert [r.answer for r in scripted.scripted()] == ["fixture"]


def test_grounded_answer_cites_what_retrieval_found(client: TestClient) -> None:
    """AnswerEngine: the grounded answer cites the chunks retrieval found."""
    tenant = tenant_of(client)
    kb = parsed_dataset(client, "geo")
    engine = AnswerEngine(ScriptedAnswers())
    answer = engine.answer(tenant, "Which river is the longest?", [kb], AnswerSettings())
    assert answer.text.startswith("The Nile is the longest river in Africa. ##0$$")
    assert answer.reference["chunks"][0]["document_name"] == "rivers.txt"
    assert answer == engine.answer(tenant, "Which river is the longest?", [kb], AnswerSettings())
    assert "".join(answer.pieces) == answer.text
    unquoted = engine.answer(tenant, "Which river is the longest?", [kb], AnswerSettings(quote=False))
    assert "##" not in unquoted.text and unquoted.reference == {}
    nothing = engine.answer(tenant, "xylophone", [kb], AnswerSettings(empty_response="Nothing."))
    assert (nothing.text, nothing.empty) == ("Nothing.", True)
    assert engine.answer(tenant, "xylophone", [kb], AnswerSettings()).text == NOT_FOUND_SENTENCE


def test_composition_helpers() -> None:
    """The answer-text composition helpers."""
    assert best_sentence("Cats purr. Dogs bark loudly at night", {"dog"}) == "Dogs bark loudly at night"
    # the same sentence is said once; a chunk sharing no content word with the question is not quoted
    assert grounded_text("dogs", ["Dogs bark.", "Dogs bark.", "Cats purr."], quote=True) == "Dogs bark. ##0$$"
    assert pieces_of("a  b\nc") == ["a", "  b", "\nc"]
    found = {
        "total": 3,
        "chunks": [{"document_id": "d1"}, {"document_id": "d2"}],
        "doc_aggs": [{"doc_name": "one", "doc_id": "d1", "count": 1}, {"doc_name": "two", "doc_id": "d2", "count": 1}],
    }
    assert cited_reference(found, "x ##1$$")["doc_aggs"] == [{"doc_name": "two", "doc_id": "d2", "count": 1}]
    assert len(cited_reference(found, "no markers ##9$$")["doc_aggs"]) == 2


def test_the_app_loads_the_engine_at_start(client: TestClient) -> None:
    """The app holds the scripted answers the engine reads (engine_of)."""
    state = client.app.state.emulator  # type: ignore[attr-defined]
    assert engine_of(state).scripted is state.answers
    rule = state.answers.add({"answer": "hi"}, tenant_id="t1")
    assert rule.to_json()["tenant_id"] == "t1"
