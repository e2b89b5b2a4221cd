"""The profile options at every entry point: the pytest marker, `ragflow-mock routes`, `conformance --profile`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from mockserver.cli import build_parser, main, settings_from_args

pytest_plugins = ["pytester"]


def test_marker_runs_the_test_on_an_app_with_that_selection(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.ragflow(legacy_profile="2024-05-legacy")
        def test_v07(ragflow):
            body = ragflow.client.get("/v1/api/new_conversation").json()
            assert body == {"retcode": 102, "retmsg": "Dialog not found"}  # the tenant's key, bound to no chat
            assert ragflow.client.get("/v1/api/nothing").json()["retcode"] == 100

        def test_current(ragflow):
            assert ragflow.client.get("/v1/api/nothing").json()["code"] == 100
            assert ragflow.client.get("/_p/2024-05-legacy/v1/api/nothing").json()["retcode"] == 100

        @pytest.mark.ragflow(profile="2024-05-legacy")
        def test_wrong_namespace(ragflow):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*Settings.profile='2024-05-legacy': choose one of current*"])


def test_serve_flags_select_the_profiles() -> None:
    args = build_parser().parse_args(["serve", "--legacy-profile", "2024-05-legacy"])
    settings = settings_from_args(args, environ={})
    assert settings.legacy_profile == "2024-05-legacy" and settings.profile == "current"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--legacy-profile", "2024-06-dataset"])


def test_routes_lists_each_profiles_operations(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes"]) == 0
    out = capsys.readouterr().out
    assert "2024-05-legacy" in out and "v07NewConversation" in out and "profile-2024-05-legacy.yaml" in out


@pytest.mark.slow
def test_conformance_checks_an_emulator_against_the_profiles_document(tmp_path: Path) -> None:
    from mockserver.conformance.command import run_command

    args = build_parser().parse_args(
        [
            "conformance",
            "--profile",
            "2024-05-legacy",
            "--max-examples",
            "3",
            "--operations",
            "v07NewConversation,v07ListKbDocs,v07Completion",
            "--report-dir",
            str(tmp_path),
        ]
    )
    assert run_command(args) == 0
    report = json.loads((tmp_path / "conformance.json").read_text())
    operations = {r["operation_id"] for r in report["operations"]}
    assert operations == {"v07NewConversation", "v07ListKbDocs", "v07Completion"}
    unknown = argparse.Namespace(**{**vars(args), "profile": "2099-nothing"})
    assert run_command(unknown) == 2
