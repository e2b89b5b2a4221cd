"""`ragflow-mock serve` as a user meets it: environment variables, every setting a flag, errors, banner, logs."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from mockserver.cli import build_parser, main, settings_from_args
from mockserver.cli_support import environment_name
from mockserver.settings import Settings
from mockserver.settings_doc import FLAG_FOR_FIELD, serve_parser
from tests.support.serve_process import free_port

ROOT = Path(__file__).resolve().parent.parent


def test_every_settings_field_has_a_serve_flag() -> None:
    dests = {a.dest for a in serve_parser()._actions}
    missing = [f.name for f in dataclasses.fields(Settings) if FLAG_FOR_FIELD.get(f.name, f.name) not in dests]
    assert missing == []


def test_every_serve_flag_names_its_environment_variable_in_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for action in serve_parser()._actions:
        name = environment_name(action)
        if action.dest != "help":
            assert name is not None and f"[env {name}]" in out, action.dest
    assert "(default: info)" in out, "defaults still shown"


def test_environment_variables_fill_every_kind_of_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "RAGFLOW_MOCK_PORT": "8081",
        "RAGFLOW_MOCK_API_KEY": "ragflow-a, ragflow-b",
        "RAGFLOW_MOCK_NO_ADMIN": "true",
        "RAGFLOW_MOCK_STRICT_TENANT_ISOLATION": "0",
        "RAGFLOW_MOCK_ID_SEED": "7",
        "RAGFLOW_MOCK_LOG_FORMAT": "json",
        "RAGFLOW_MOCK_WORLD": "",
    }.items():
        monkeypatch.setenv(name, value)
    args = build_parser().parse_args(["serve"])
    assert (args.port, args.api_keys, args.log_format, args.world) == (8081, ["ragflow-a", "ragflow-b"], "json", None)
    settings = settings_from_args(args)
    assert settings.api_keys == ("ragflow-a", "ragflow-b") and not settings.admin_enabled
    assert settings.strict_tenant_isolation is False and settings.id_seed == 7
    given = build_parser().parse_args(["serve", "--port", "9", "--api-key", "k", "--strict-tenant-isolation"])
    assert (given.port, given.api_keys, given.strict_tenant_isolation) == (9, ["k"], True), "the command line wins"


def test_a_bad_environment_value_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("RAGFLOW_MOCK_LOG_LEVEL", "loud")
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve"])
    assert exited.value.code == 2
    assert "RAGFLOW_MOCK_LOG_LEVEL='loud': invalid choice: 'loud'" in capsys.readouterr().err


def test_setting_flags_reach_the_settings() -> None:
    args = build_parser().parse_args(
        [
            "serve",
            "--id-seed=3",
            "--virtual-clock",
            "--first-token-delay=0.5",
            "--max-content-length=1000",
            "--no-strict-tenant-isolation",
            "--no-request-log",
            "--no-register-enabled",
            "--max-file-num-per-user=4",
            "--rsa-private-key=/k.pem",
            "--extra",
            "a=1",
            "--extra",
            "b=x=y",
        ]
    )
    s = settings_from_args(args, {})
    assert (s.id_seed, s.virtual_clock, s.stream_first_token_delay, s.max_content_length) == (3, True, 0.5, 1000)
    assert (s.strict_tenant_isolation, s.request_log, s.register_enabled) == (False, False, False)
    assert (s.max_file_num_per_user, s.rsa_private_key, s.extra) == (4, "/k.pem", {"a": "1", "b": "x=y"})


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockserver", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--world", "nope"],
            "ragflow-mock serve: error: --world: unknown world 'nope'; shipped worlds: demo, minimal",
        ),
        (["--timezone", "Nowhere/Zone"], "ragflow-mock serve: error: --timezone 'Nowhere/Zone': not a known time zone"),
        (["--extra", "novalue"], "ragflow-mock serve: error: --extra ['novalue']: expected KEY=VALUE"),
    ],
)
def test_serve_configuration_errors_are_one_line_with_status_2(args: list[str], message: str) -> None:
    done = run_cli("serve", "--port", "0", *args)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()] and done.stderr.startswith(message)
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.slow
def test_a_busy_port_is_one_line_before_any_banner() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_cli("serve", "--world", "none", "--port", str(port))
    assert done.returncode == 2 and "listening" not in done.stdout
    assert done.stderr == f"ragflow-mock serve: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_routes_into_a_closed_pipe_ends_quietly() -> None:
    """`ragflow-mock routes | true`: the reader is gone before the first write; no traceback, status 2."""
    done = subprocess.run(
        ["bash", "-c", f"{sys.executable} -m mockserver routes | true; echo status=${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.stderr == ""
    assert done.stdout == "status=2\n"


@pytest.mark.slow
def test_banner_after_the_bind_and_json_logs_with_unknown_routes() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--world", "minimal", "--log-format=json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        banner = [process.stdout.readline() for _ in range(7)]
        base = f"http://127.0.0.1:{port}"
        assert banner[0] == f"ragflow-mockserver listening on {base}\n"
        assert any(line.strip() == "world        : minimal" for line in banner)
        assert any(f"{base}/docs (Swagger UI)" in line for line in banner)
        assert any(f"contract     : {base}/openapi.yaml" in line for line in banner)
        reply = json.load(urllib.request.urlopen(f"{base}/api/v1/nowhere", timeout=10))
        assert reply["code"] != 0 and "Not Found" in reply["message"], "the server's NotFound envelope (HTTP 200)"
        journal = json.load(urllib.request.urlopen(f"{base}/_emulator/journal?operation_id=unknownRoute", timeout=10))
    finally:
        process.terminate()
        _, err = process.communicate(timeout=30)
    entries = journal["data"] if isinstance(journal.get("data"), list) else journal["data"]["entries"]
    assert [(e["method"], e["path"], e["code"]) for e in entries] == [("GET", "/api/v1/nowhere", reply["code"])]
    lines = [json.loads(line) for line in err.splitlines() if line.strip()]
    assert {"time", "level", "logger", "message"} <= set(lines[0])
    assert any(
        line["level"] == "warning" and line["message"].startswith("unknown route GET /api/v1/nowhere -> 200")
        for line in lines
    )


def test_help_and_version_load_neither_the_app_nor_uvicorn() -> None:
    code = (
        "import sys\nfrom mockserver.cli import main\n"
        "try:\n    main(['serve', '--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('uvicorn', 'starlette', 'mockserver.app', 'yaml', 'pydantic') if m in sys.modules)\n"
        "assert heavy == [], heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
