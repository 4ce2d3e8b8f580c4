"""People at once, each submitting records back to back: the schedule both pages' loads keep (page_load, streamlit_load).

Person i takes records i, i + people, i + 2 × people, … in turn, from the moment everyone is ready. A submit sent
in the warm-up is made but not counted; one sent in the measured window is; each person stops at the window's end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

Submit = Callable[[int, int, bool], Awaitable[None]]  # (person, record slot, sent in the measured window)


async def closed_loop(
    people: int, records: int, *, warmup_s: float, measure_s: float, submit: Submit
) -> None:
    """Run `people` closed loops over `records` slots; `submit` makes one submit and counts it when told to."""
    measure_from = time.perf_counter() + warmup_s
    stop_at = measure_from + measure_s

    async def person(index: int) -> None:
        position = index
        while time.perf_counter() < stop_at:
            slot = position % records
            position += people
            await submit(index, slot, time.perf_counter() >= measure_from)

    await asyncio.gather(*(person(index) for index in range(people)))
