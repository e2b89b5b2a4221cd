"""Clock renderings and id formats."""

from __future__ import annotations

import asyncio
import uuid

from mockserver.core.clock import RealClock, VirtualClock
from mockserver.core.ids import IdFactory


def test_http_date_is_local_time_labelled_gmt() -> None:
    clock = VirtualClock(start=1746789428.246, zone="Asia/Shanghai")
    assert clock.http_date() == "Fri, 09 May 2025 19:17:08 GMT"
    assert clock.epoch_ms() == 1746789428246
    assert clock.local_datetime() == "2025-05-09 19:17:08"
    assert RealClock("No/Such_Zone").zone.key == "UTC"


def test_virtual_clock_advances_on_sleep() -> None:
    clock = VirtualClock(start=0)
    asyncio.run(clock.sleep(2.5))
    assert clock.now() == 2.5
    assert clock.slept == [2.5]


def test_virtual_clock_manual_mode_waits_for_advance() -> None:
    clock = VirtualClock(start=0, auto_advance=False)

    async def scenario() -> float:
        sleeper = asyncio.create_task(clock.sleep(1))
        await asyncio.sleep(0)
        assert not sleeper.done()
        clock.advance(1)
        await sleeper
        return clock.now()

    assert asyncio.run(scenario()) == 1


def test_entity_ids_are_uuid1_hex_and_deterministic_with_a_seed() -> None:
    seeded = IdFactory(seed=3)
    first = seeded.entity()
    assert len(first) == 32 and uuid.UUID(first).version == 1
    assert IdFactory(seed=3).entity() == first
    assert uuid.UUID(IdFactory().entity()).version == 1
    message = IdFactory(seed=3).message()
    assert len(message) == 36 and uuid.UUID(message).version == 4
    assert IdFactory().token().startswith("ragflow-")
