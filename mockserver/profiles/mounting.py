"""Where every operation is served: current routes, each profile under `/_p/<name>`, the selected ones in place."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.http.docs_page import ProfileDocument
from mockserver.http.envelope import PayloadStyle
from mockserver.http.render import styled_not_found_app
from mockserver.http.routing import CURRENT_OWNER, BoundOperation, PathOwner, check_registry
from mockserver.http.spec import Operation
from mockserver.http.types import Handler
from mockserver.profiles.base import Profile, under
from mockserver.profiles.registry import PROFILES, selected_profiles
from mockserver.settings import Settings


@dataclass(frozen=True)
class Surface:
    """The app's routing table: bound operations, who answers each path's errors, the unknown-path app."""

    entries: list[BoundOperation]
    owners: list[tuple[str, Profile]]
    """(path prefix, profile) pairs, longest first: `/_p/<name>` of every profile, `owns` of the selected ones."""
    selected: list[Profile]
    profiles: Sequence[Profile]

    def owner(self, path: str) -> tuple[Profile, str] | None:
        """The profile owning a served path and the path without its `/_p/<name>` prefix (None: current)."""
        for prefix, profile in self.owners:
            if under(path, prefix):
                original = path[len(profile.prefix) :] if prefix == profile.prefix else path
                return profile, original or "/"
        return None

    def owner_of(self, path: str) -> PathOwner:
        """The error style and slash rule of a route path."""
        found = self.owner(path)
        if found is None:
            return CURRENT_OWNER
        profile, original = found
        return PathOwner(profile.error_style, original in profile.slash_rules)

    def style_at(self, path: str) -> PayloadStyle | None:
        """The envelope of unknown paths at `path`."""
        return self.owner_of(path).style

    def not_found_app(self) -> ASGIApp:
        """The router's default: Werkzeug's NotFound in the envelope of the profile owning the path."""
        apps = {p.name: styled_not_found_app(p.error_style) for p in self.profiles}
        current = styled_not_found_app(None)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            found = self.owner(scope.get("path", "")) if scope["type"] == "http" else None
            await (current if found is None else apps[found[0].name])(scope, receive, send)

        return app

    def documents(self) -> list[ProfileDocument]:
        """What `/docs` offers besides the current API: each profile's document and where it is served."""
        return [
            ProfileDocument(p.name, p.spec_file, p.summary, p.prefix, in_place=p in self.selected)
            for p in self.profiles
        ]

    @property
    def operation_ids(self) -> list[str]:
        """Every operationId served (once each)."""
        return list(dict.fromkeys(e.operation.operation_id for e in self.entries))


def profile_operations(profile: Profile) -> list[Operation]:
    """A profile's operations, refused when its document and its handlers disagree."""
    operations = profile.operations()
    check_registry(operations, profile.handlers)
    return operations


def build_surface(
    settings: Settings,
    current: Sequence[Operation],
    handlers: Mapping[str, Handler],
    profiles: Sequence[Profile] = PROFILES,
) -> Surface:
    """Bind the current operations, every profile under its prefix, and the selected profiles in place."""
    selected = selected_profiles(settings, profiles)
    owners = [(p.prefix, p) for p in profiles] + [(prefix, p) for p in selected for prefix in p.owns]
    owners.sort(key=lambda pair: len(pair[0]), reverse=True)
    taken = {op.operation_id for op in current}
    entries: list[BoundOperation] = []
    served: set[tuple[str, str]] = set()
    for op in current:
        if any(p.owns_path(op.path) for p in selected):
            continue  # a selected profile answers here instead
        entries.append(BoundOperation(op, handlers[op.operation_id]))
        served.add((op.method, op.path))
    for profile in profiles:
        operations = profile_operations(profile)
        clash = taken & {op.operation_id for op in operations}
        if clash:
            raise RuntimeError(f"{profile.name}: operationIds used elsewhere: {', '.join(sorted(clash))}")
        taken |= {op.operation_id for op in operations}
        for op in operations:
            handler = profile.handlers[op.operation_id]
            entries.append(BoundOperation(replace(op, path=profile.prefix + op.path), handler, profile.error_style))
            if profile in selected and (op.method, op.path) not in served:
                entries.append(BoundOperation(op, handler, profile.error_style))
                served.add((op.method, op.path))
    return Surface(entries, owners, selected, profiles)
