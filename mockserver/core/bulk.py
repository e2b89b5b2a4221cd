"""The one bulk-delete loop of the server's `DELETE …{"ids": [...]}` routes: targets, duplicates, misses, the reply."""

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
    missing: Callable[[Any], str],
) -> dict[str, Any] | None:
    """Delete `ids` (everything when `ids` is falsy) and answer as the server does.

    `kind` names the ids in the duplicate messages (`Duplicate {kind} ids: x`); `find` looks one id up (None when
    the caller does not own it); `missing(id)` is the message of one miss. Returns `partial_result`'s data (raises
    its 102 when nothing was deleted).
    """
    if ids:
        targets, duplicates = check_duplicate_ids(ids, kind)
    else:
        targets, duplicates = list(everything()), []
    errors: list[str] = []
    success = 0
    for target in targets:
        found = find(target)
        if found is None:
            errors.append(missing(target))
            continue
        remove(found)
        success += 1
    return partial_result(errors, duplicates, success)
