"""The pytest plugin seen from a user's test suite (pytester), and the downstream example run under plain pytest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# ragflow_sdk installs beartype's import hook (beartype_this_package). The in-process runs below import the SDK;
# pytester then restores sys.modules without it while the hook stays, and the next module importing beartype in this
# process fails with a circular import. Imported here, the SDK is part of the snapshot pytester restores.
import ragflow_sdk  # noqa: F401

pytest_plugins = ["pytester"]

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "downstream"


def test_fixture_gives_each_test_a_fresh_isolated_tenant(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        seen = []

        def test_one(ragflow):
            assert ragflow.client.post("/api/v1/datasets", json={"name": "mine"}).json()["code"] == 0
            seen.append(ragflow.api_key)

        def test_two(ragflow):
            assert ragflow.client.get("/api/v1/datasets").json() == {"code": 0, "data": []}
            assert ragflow.api_key not in seen
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_marker_seeds_a_world_and_sets_the_progression(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from mockserver.core.lifecycle import AfterPolls

        @pytest.mark.ragflow(world="minimal", progression="polls:2")
        def test_seeded(ragflow):
            names = [d["name"] for d in ragflow.client.get("/api/v1/datasets").json()["data"]]
            assert names == ["Notes"]
            assert ragflow.tenant.documents.default_progression == AfterPolls(2)

        @pytest.mark.ragflow(colour="blue")
        def test_bad_marker(ragflow):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*takes legacy_profile, profile, progression, world (keywords) only*"])


def test_journal_faults_and_sdk_over_the_real_socket(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from mockserver.state.journal import JournalAssertionError

        def test_sdk(ragflow):
            rag = ragflow.sdk()
            rag.create_dataset(name="x")
            assert [d.name for d in rag.list_datasets()] == ["x"]
            ragflow.assert_called("createDataset", times=1)
            assert ragflow.last("listDatasets").status == 200
            with pytest.raises(JournalAssertionError, match="createDataset was called 1 time"):
                ragflow.assert_called("createDataset", times=2)

        def test_fault(ragflow):
            ragflow.fault("listDatasets", code=102, message="boom", times=1)
            assert ragflow.client.get("/api/v1/datasets").json() == {"code": 102, "message": "boom"}
            assert ragflow.client.get("/api/v1/datasets").json()["code"] == 0
            with pytest.raises(ValueError, match="unknown operationId 'nope'"):
                ragflow.fault("nope", code=1)

        def test_faults_do_not_leak(ragflow):
            assert ragflow.client.get("/api/v1/datasets").json()["code"] == 0
            assert ragflow.journal.calls() == [ragflow.last()]
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def _run_isolated(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.RunResult:
    """A fresh interpreter with only this plugin (no slow autoload of every installed plugin)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "mockserver.pytest_plugin")


def test_server_side_exceptions_are_re_raised_in_the_test(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        from mockserver.families.datasets import models as datasets

        def test_boom(ragflow, monkeypatch):
            def explode(*args, **kwargs):
                raise ZeroDivisionError("inside the emulator")

            monkeypatch.setattr(datasets.DatasetStore, "listing", explode)
            body = ragflow.client.get("/api/v1/datasets").json()
            assert body["code"] == 100
        """
    )
    result = _run_isolated(pytester, monkeypatch)  # a fresh interpreter: the test monkeypatches the emulator
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*ZeroDivisionError: inside the emulator*"])


def test_settings_fixture_can_be_overridden(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeconftest(
        """
        import pytest
        from mockserver import Settings

        @pytest.fixture(scope="session")
        def ragflow_settings():
            return Settings.for_tests(api_keys=(), admin_enabled=False)
        """
    )
    pytester.makepyfile(
        """
        def test_admin_off(ragflow):
            assert ragflow.client.get("/_emulator").json()["code"] == 100
        """
    )
    _run_isolated(pytester, monkeypatch).assert_outcomes(passed=1)  # its own conftest, its own session


@pytest.mark.slow
@pytest.mark.parametrize("extra", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_downstream_example_passes_under_plain_pytest(extra: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *extra],
        cwd=EXAMPLE,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
