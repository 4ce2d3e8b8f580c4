"""The pages' closed loop: each person takes its own records in turn, and counts only what it sends in the window."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from benchmarks.closed_loop import closed_loop

PEOPLE = 3
RECORDS = 5


def test_each_person_takes_every_peoples_record_in_turn_and_the_window_only_opens() -> None:
    sent: dict[int, list[tuple[int, bool]]] = defaultdict(list)

    async def submit(person: int, slot: int, measured: bool) -> None:
        sent[person].append((slot, measured))
        await asyncio.sleep(0.001)

    asyncio.run(closed_loop(PEOPLE, RECORDS, warmup_s=0.02, measure_s=0.3, submit=submit))
    assert sorted(sent) == list(range(PEOPLE))
    for person, submits in sent.items():
        slots = [slot for slot, _ in submits]
        assert slots == [(person + turn * PEOPLE) % RECORDS for turn in range(len(submits))]
        flags = [measured for _, measured in submits]
        assert flags == sorted(flags)  # warm-up submits first, then measured ones, never back
        assert flags[-1], "the last submit of each person falls in the measured window"
