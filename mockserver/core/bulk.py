"""The one loop of the server's bulk routes over `{"ids": [...]}`: targets, duplicates, misses, the reply."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from mockserver.core.validation import check_duplicate_ids, partial_result

T = TypeVar("T")


def bulk_delete(
    ids: Any,
    kind: str,
    everything: Callable[[], Iterable[Any]],
    find: Callable[[Any], T | None],
    remove: Callable[[T], None],
    missing: Callable[[Any], str] | None = None,
    *,
    not_found: Callable[[list[Any]], Exception] | None = None,
) -> dict[str, Any] | None:
    """Delete `ids` (everything when `ids` is falsy) and answer as the server does.

    `kind` names the ids in the duplicate messages (`Duplicate {kind} ids: x`); `find` looks one id up (None when
    the caller does not own it); `remove` acts on what was found. Misses are reported one of two ways: `missing(id)`
    is one miss's message among the partial results; or, with `not_found`, the ids missed are collected and
    `not_found(ids)` is raised after the loop (what was found stays removed). Returns `partial_result`'s data
    (raises its 102 when nothing succeeded).
    """
    if ids:
        targets, duplicates = check_duplicate_ids(ids, kind)
    else:
        targets, duplicates = list(everything()), []
    errors: list[str] = []
    missed: list[Any] = []
    success = 0
    for target in targets:
        found = find(target)
        if found is None:
            missed.append(target)
            if missing is not None:
                errors.append(missing(target))
            continue
        remove(found)
        success += 1
    if not_found is not None and missed:
        raise not_found(missed)
    return partial_result(errors, duplicates, success)
