"""Command-line plumbing: every flag of a command also from `RAGFLOW_MOCK_<FLAG>`, and one-line command errors."""

from __future__ import annotations

import argparse
import copy
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload

ENV_PREFIX = "RAGFLOW_MOCK_"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class CommandError(Exception):
    """A problem the user can fix (bad value, unknown world, busy port): one line on stderr, exit status 2."""


class LazyChoices(Sequence[str]):
    """`choices=` for argparse computed on first use (checking a value, an error), not when the parser is built."""

    def __init__(self, load: Callable[[], Sequence[str]]) -> None:
        self._load = load
        self._values: Sequence[str] | None = None

    def _get(self) -> Sequence[str]:
        if self._values is None:
            self._values = tuple(self._load())
        return self._values

    def __contains__(self, value: object) -> bool:
        return value in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._get()[index]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Help that leaves `LazyChoices` unloaded (argparse expands every action's choices for `%(choices)s`)."""

    def _expand_help(self, action: argparse.Action) -> str:
        if isinstance(action.choices, LazyChoices):
            action = copy.copy(action)
            action.choices = None
        return super()._expand_help(action)


def environment_name(action: argparse.Action, prefix: str = ENV_PREFIX) -> str | None:
    """`--tokens-per-second` → `RAGFLOW_MOCK_TOKENS_PER_SECOND`; None for actions that take no environment."""
    longs = [o for o in action.option_strings if o.startswith("--")]
    if not longs or action.dest == argparse.SUPPRESS or isinstance(action, argparse._HelpAction):
        return None
    return prefix + longs[0][2:].upper().replace("-", "_")


_NOT_GIVEN = object()
"""Preset in the namespace before parsing (argparse then leaves the default out), so a given value shows."""


class EnvironmentParser(argparse.ArgumentParser):
    """An `ArgumentParser` whose long options, when `env_prefix` is set, also read `<prefix><FLAG>`.

    The command line wins over the environment, the environment over the default. Every long option (argument
    groups included) gets the variable's name in its help, so flags added later get it for free. Values are
    converted like command-line values (type, choices); a list option (`action="append"`) takes a
    comma-separated list; an on/off flag takes 1/0, true/false, yes/no or on/off; an empty variable is unset.
    """

    def __init__(self, *args: Any, env_prefix: str | None = None, **kwargs: Any) -> None:
        self.env_prefix = env_prefix  # before super().__init__, which adds --help through add_argument
        self.environ: Mapping[str, str] = os.environ
        super().__init__(*args, **kwargs)

    def format_help(self) -> str:
        self._name_variables_in_help()
        return super().format_help()

    def _name_variables_in_help(self) -> None:
        """Append `[env NAME]` to each option's help once (options of argument groups included)."""
        for action, name in self.environment_actions():
            marker = f"[env {name}]"
            if action.help != argparse.SUPPRESS and marker not in (action.help or ""):
                action.help = f"{action.help or ''} {marker}".strip()

    def environment_actions(self) -> list[tuple[argparse.Action, str]]:
        """The options read from the environment, with their variable names."""
        if not self.env_prefix:
            return []
        found = ((a, environment_name(a, self.env_prefix)) for a in self._actions)
        return [(action, name) for action, name in found if name is not None]

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        bound = self.environment_actions()
        namespace = namespace if namespace is not None else argparse.Namespace()
        for action, _ in bound:  # `append` options keep their None default: it is their "not given"
            if action.default is not None and not hasattr(namespace, action.dest):
                setattr(namespace, action.dest, _NOT_GIVEN)
        parsed, extras = super().parse_known_args(args, namespace)
        for action, name in bound:
            if getattr(parsed, action.dest, None) not in (_NOT_GIVEN, None):
                continue
            raw = self.environ.get(name, "").strip()
            if raw:
                setattr(parsed, action.dest, self._from_environment(action, name, raw))
            elif getattr(parsed, action.dest, None) is _NOT_GIVEN:
                default = action.default
                setattr(parsed, action.dest, self._get_value(action, default) if isinstance(default, str) else default)
        return parsed, extras

    def _from_environment(self, action: argparse.Action, name: str, raw: str) -> Any:
        try:
            if action.nargs == 0:  # an on/off flag
                word = raw.lower()
                if word not in TRUE_WORDS | FALSE_WORDS:
                    raise argparse.ArgumentError(None, f"expected 1/0, true/false, yes/no or on/off, got {raw!r}")
                on = word in TRUE_WORDS
                if isinstance(action, argparse.BooleanOptionalAction):
                    return on
                return action.const if on else (not action.const if isinstance(action.const, bool) else None)
            if isinstance(action, argparse._AppendAction):
                return [self._checked(action, part.strip()) for part in raw.split(",") if part.strip()]
            return self._checked(action, raw)
        except argparse.ArgumentError as exc:
            self.error(f"{name}={raw!r}: {exc.message}")

    def _checked(self, action: argparse.Action, raw: str) -> Any:
        value = self._get_value(action, raw)
        self._check_value(action, value)
        return value
