"""The registered profiles and the selection `Settings.profile` / `Settings.legacy_profile` makes among them."""

from __future__ import annotations

from collections.abc import Sequence

from mockserver.profiles import dataset_2024_06, draft_2024_10, legacy_2024_05
from mockserver.profiles.base import CURRENT, DATASET, LEGACY, Namespace, Profile
from mockserver.settings import Settings

PROFILES: tuple[Profile, ...] = (legacy_2024_05.PROFILE, dataset_2024_06.PROFILE, draft_2024_10.PROFILE)
"""Every historical profile, in the order `routes`, `/docs` and the guide list them. Register new ones here."""

SWITCHES: dict[Namespace, str] = {LEGACY: "legacy_profile", DATASET: "profile"}
"""Which `Settings` field selects the profile of each namespace."""


class UnknownProfile(ValueError):
    """A selection names no registered profile of that namespace."""


def choices(namespace: Namespace, profiles: Sequence[Profile] = PROFILES) -> tuple[str, ...]:
    """`current` and the names of the namespace's profiles (the CLI's choices)."""
    return (CURRENT, *(p.name for p in profiles if p.namespace == namespace))


def profile_named(name: str, profiles: Sequence[Profile] = PROFILES) -> Profile:
    """A registered profile by name."""
    for profile in profiles:
        if profile.name == name:
            return profile
    raise UnknownProfile(f"unknown profile {name!r}; known: {', '.join(p.name for p in profiles) or 'none'}")


def selected_profiles(settings: Settings, profiles: Sequence[Profile] = PROFILES) -> list[Profile]:
    """The profiles the settings select (at most one per namespace); unknown names are refused."""
    chosen: list[Profile] = []
    for namespace, attribute in SWITCHES.items():
        name = getattr(settings, attribute)
        if name == CURRENT:
            continue
        allowed = choices(namespace, profiles)
        if name not in allowed:
            raise UnknownProfile(f"Settings.{attribute}={name!r}: choose one of {', '.join(allowed)}")
        chosen.append(profile_named(name, profiles))
    return chosen
