"""The command line: help, routes, serve settings."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mockserver.cli import build_parser, main, settings_from_args
from mockserver.cli_support import CommandError
from mockserver.settings import DEFAULT_API_KEY


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "serve" in out and "routes" in out and DEFAULT_API_KEY in out


def test_serve_help_documents_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "--port" in out and "9380" in out and "--api-key" in out and "--world" in out


def test_routes_lists_every_operation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes"]) == 0
    out = capsys.readouterr().out
    assert "createDataset" in out and "ragflow.yaml" in out


def test_serve_settings_from_flags() -> None:
    args = build_parser().parse_args(
        ["serve", "--api-key", "a", "--api-key", "b", "--world", "none", "--tokens-per-second", "0", "--no-admin"]
    )
    settings = settings_from_args(args)
    assert settings.api_keys == ("a", "b")
    assert settings.world is None
    assert settings.stream_tokens_per_second == 0 and settings.stream_first_token_delay == 0
    assert not settings.admin_enabled
    defaults = settings_from_args(build_parser().parse_args(["serve"]))
    assert defaults.api_keys == (DEFAULT_API_KEY,) and defaults.world == "demo"


def test_python_dash_m_works() -> None:
    out = subprocess.run([sys.executable, "-m", "mockserver", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("ragflow-mockserver ")


def test_serve_rejects_a_bad_progression_with_a_clear_message() -> None:
    args = build_parser().parse_args(["serve", "--progression", "sometimes"])
    with pytest.raises(CommandError, match="--progression 'sometimes'"):
        settings_from_args(args)


_WITHOUT_THE_CONTRACT_EXTRA = """
import sys
for blocked in ("schemathesis", "hypothesis", "jsonschema", "referencing"):
    sys.modules[blocked] = None
from mockserver.cli import main
assert main(["conformance"]) == 2
try:
    main(["conformance", "--help"])
except SystemExit:
    pass
assert "mockserver.conformance.command" not in sys.modules, "the engine is imported only when the command runs"
"""


def test_help_and_conformance_parser_need_no_contract_extra() -> None:
    """`ragflow-mock --help` builds every sub-parser without the engine; running it without the extra says so."""
    done = subprocess.run([sys.executable, "-c", _WITHOUT_THE_CONTRACT_EXTRA], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage: ragflow-mock conformance" in done.stdout
    assert (
        "jsonschema is missing; install the contract extra (from a checkout: pip install '.[contract]'" in done.stderr
    )


def test_serve_reads_the_servers_environment_variables() -> None:
    """The entry point is the one place reading the environment: REGISTER_ENABLED, MAX_FILE_NUM_PER_USER, the key."""
    args = build_parser().parse_args(["serve"])
    env = {"REGISTER_ENABLED": " 0 ", "MAX_FILE_NUM_PER_USER": "3"}
    settings = settings_from_args(args, env)
    assert (settings.register_enabled, settings.max_file_num_per_user) == (False, 3)
    default = settings_from_args(args, {"REGISTER_ENABLED": "yes", "MAX_FILE_NUM_PER_USER": "x"})
    assert (default.register_enabled, default.max_file_num_per_user, default.rsa_private_key) == (True, None, "ragflow")
