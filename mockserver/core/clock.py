"""Time for the emulator: a real or virtual clock, and the server's timestamp formats."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def load_zone(name: str) -> ZoneInfo:
    """Return the named time zone, falling back to UTC when the tz database lacks it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class Clock:
    """Wall clock in epoch seconds; subclasses decide whether time is real or virtual."""

    def __init__(self, zone: str = "Asia/Shanghai") -> None:
        self.zone = load_zone(zone)

    def now(self) -> float:
        """Current time in epoch seconds."""
        return time.time()

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of this clock's time."""
        if seconds > 0:
            await asyncio.sleep(seconds)

    # -- the server's renderings of an instant ---------------------------------------------------
    def epoch_ms(self, at: float | None = None) -> int:
        """`create_time`-style integer epoch milliseconds."""
        return int((self.now() if at is None else at) * 1000)

    def http_date(self, at: float | None = None) -> str:
        """`create_date`-style date: the server's local wall-clock time labelled GMT (a real quirk)."""
        local = datetime.fromtimestamp(self.now() if at is None else at, self.zone)
        return (
            f"{_DAYS[local.weekday()]}, {local.day:02d} {_MONTHS[local.month - 1]} {local.year} "
            f"{local.hour:02d}:{local.minute:02d}:{local.second:02d} GMT"
        )

    def updated(self, at: float | None = None) -> dict[str, Any]:
        """`update_time`/`update_date` of one instant (now by default)."""
        when = self.now() if at is None else at
        return {"update_time": self.epoch_ms(when), "update_date": self.http_date(when)}

    def stamps(self, at: float | None = None) -> dict[str, Any]:
        """`create_*` and `update_*` columns of a row created at one instant (now by default)."""
        when = self.now() if at is None else at
        ms, date = self.epoch_ms(when), self.http_date(when)
        return {"create_time": ms, "create_date": date, "update_time": ms, "update_date": date}

    def touch(self, record: Any) -> None:
        """Move a record's `update_time`/`update_date` to now."""
        for key, value in self.updated().items():
            setattr(record, key, value)

    def local_datetime(self, at: float | None = None) -> str:
        """Chunk-style local time `YYYY-MM-DD HH:MM:SS`."""
        local = datetime.fromtimestamp(self.now() if at is None else at, self.zone)
        return local.strftime("%Y-%m-%d %H:%M:%S")


class RealClock(Clock):
    """The machine's clock; sleeps really wait."""


class VirtualClock(Clock):
    """A clock that only moves when told to, so tests can check pacing without waiting.

    With ``auto_advance`` (the default) a sleep moves time forward by its duration and returns at
    once; without it, sleepers wait until `advance` has moved time past their deadline.
    """

    def __init__(self, start: float = 1_746_789_428.0, zone: str = "Asia/Shanghai", *, auto_advance: bool = True):
        super().__init__(zone)
        self._now = start
        self.auto_advance = auto_advance
        self.slept: list[float] = []
        self._waiters: list[tuple[float, asyncio.Future[None]]] = []

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleeper whose deadline has passed."""
        self._now += max(0.0, seconds)
        due = [w for w in self._waiters if w[0] <= self._now]
        self._waiters = [w for w in self._waiters if w[0] > self._now]
        for _, fut in due:
            if not fut.done():
                fut.get_loop().call_soon_threadsafe(fut.set_result, None)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        if self.auto_advance:
            self.advance(seconds)
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((self._now + seconds, fut))
        await fut
