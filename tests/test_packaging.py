"""Packaging conventions: license files, one version, typed marker, URLs and classifiers, ignored tool output."""

from __future__ import annotations

import tomllib
from pathlib import Path

import mockserver
from mockserver.version import __version__

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_license_is_a_pep639_expression_with_the_files_shipped() -> None:
    assert PROJECT["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text() and "Version 2.0" in (ROOT / "LICENSE").read_text()
    for pattern in PROJECT["license-files"]:
        assert list(ROOT.glob(pattern)), pattern
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")], "PEP 639: no license classifiers"


def test_the_version_has_one_source() -> None:
    assert "version" not in PROJECT and PROJECT["dynamic"] == ["version"]
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["version"]
    assert tool == {"path": "mockserver/version.py"}
    assert mockserver.__version__ == __version__
    assert f"## [{__version__}]" in (ROOT / "CHANGELOG.md").read_text()


def test_typed_marker_urls_and_classifiers() -> None:
    assert (ROOT / "mockserver" / "py.typed").is_file()
    assert PROJECT["urls"]
    assert {"Typing :: Typed", "Framework :: Pytest", "Programming Language :: Python :: 3.11"} <= set(
        PROJECT["classifiers"]
    )


def test_document_readers_are_default_dependencies() -> None:
    names = {d.split(">=")[0] for d in PROJECT["dependencies"]}
    assert {"pypdf", "python-docx", "openpyxl", "python-pptx", "httpx2"} <= names
    assert "swagger-ui-bundle-v2" not in names


def test_tool_output_is_ignored() -> None:
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert {".hypothesis/", ".schemathesis/", "conformance-report/"} <= set(ignored)


def test_the_plugin_turns_off_with_p_no(tmp_path: Path) -> None:
    """docs/pytest-plugin.md: `-p no:ragflow_mockserver` runs pytest without the auto-loaded plugin."""
    import subprocess
    import sys

    (tmp_path / "test_off.py").write_text(
        "import sys\n\ndef test_off(request):\n"
        "    assert 'ragflow' not in request.fixturenames\n"
        "    assert 'mockserver.pytest_plugin' not in sys.modules\n"
    )
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", str(tmp_path)]
    off = subprocess.run([*command, "-p", "no:ragflow_mockserver"], capture_output=True, text=True, cwd=tmp_path)
    on = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert off.returncode == 0, off.stdout[-2000:]
    assert on.returncode == 1, "without -p no: the plugin is loaded"
