"""Report rendering and known deviations."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from mockserver.conformance.reports import render_junit, render_markdown, write_reports
from mockserver.conformance.results import OperationResult, RunReport, load_deviations
from mockserver.conformance.target import SentRequest


def sample() -> RunReport:
    report = RunReport(target="http://x", prefix="rmcf000000_", read_only=False, max_examples=5)
    passed = OperationResult("listDatasets", "GET", "/api/v1/datasets", cases=12)
    failed = OperationResult("createDataset", "POST", "/api/v1/datasets", cases=9)
    curl = SentRequest("POST", "/api/v1/datasets", {"Content-Type": "application/json"}, b'{"name": "a|b"}').curl(
        "http://x"
    )
    failed.add_failure("success_data_shape", "'name' is a required property", "$.data", curl)
    failed.add_failure("success_data_shape", "'name' is a required property", "$.data", curl + " --verbose")
    pending = OperationResult("listChats", "GET", "/api/v1/chats", cases=1, not_implemented="NotImplementedError('x')")
    skipped = OperationResult("generateRelatedQuestions", "POST", "/v1/x", skipped="no credential for LoginToken")
    report.results = [passed, failed, pending, skipped]
    return report


def test_statuses_and_exit() -> None:
    report = sample()
    assert [r.status for r in report.results] == ["passed", "failed", "not implemented on target", "skipped"]
    assert report.result("createDataset").failures["success_data_shape"].count == 2
    assert not report.ok
    report.results = [r for r in report.results if r.operation_id != "createDataset"]
    assert report.ok
    report.fail_on_not_implemented = True
    assert not report.ok


def test_junit_has_one_testcase_per_operation() -> None:
    suite = ET.fromstring(render_junit(sample()))
    assert suite.get("tests") == "4"
    assert suite.get("failures") == "1"
    failure = suite.find("testcase[@name='createDataset']/failure")
    assert failure is not None
    assert failure.get("type") == "success_data_shape"
    assert "curl -sS -X POST http://x/api/v1/datasets" in (failure.text or "")
    assert suite.find("testcase[@name='listChats']/skipped") is not None


def test_markdown_table_and_reproducer() -> None:
    text = render_markdown(sample())
    assert "| `createDataset` | POST | `/api/v1/datasets` | ❌ failed | 9 | success_data_shape ×2 |" in text
    assert "⏳ not implemented on target" in text
    assert "```sh\ncurl -sS -X POST http://x/api/v1/datasets" in text
    assert "--verbose" not in text  # the shortest reproducer is kept


def test_known_deviation_turns_failure_into_known_row(tmp_path: Path) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(
        "deviations:\n  - operation: create*\n    check: success_data_shape\n    path: $.data\n"
        "    reason: accepted\n    date: 2026-01-01\n",
        encoding="utf-8",
    )
    report = sample()
    report.result("createDataset").apply_deviations(load_deviations(path))
    assert report.result("createDataset").status == "known deviation"
    assert report.ok


def test_deviation_needs_check_or_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("deviations:\n  - operation: x\n    reason: y\n", encoding="utf-8")
    with pytest.raises(ValueError, match="neither"):
        load_deviations(path)


def test_write_reports(tmp_path: Path) -> None:
    written = write_reports(sample(), tmp_path / "out")
    data = json.loads(written["json"].read_text(encoding="utf-8"))
    assert data["counts"]["failed"] == 1
    assert data["operations"][1]["failures"][0]["curl"].startswith("curl ")


def test_curl_for_binary_bodies() -> None:
    curl = SentRequest("POST", "/u", {}, b"\x00\xff").curl("http://x")
    assert curl.startswith("printf '\\x00\\xff' | curl")
