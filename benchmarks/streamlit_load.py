"""Streamlit under load: N concurrent websocket sessions, each submitting the form closed loop."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

from hdrh.histogram import HdrHistogram

from benchmarks.closed_loop import closed_loop
from benchmarks.load import HIGHEST_US, LOWEST_US, SIGNIFICANT_FIGURES, LoadSample, collector_paused
from benchmarks.streamlit_ws import StreamlitProtocolError, StreamlitSession


async def _sessions(
    base_url: str,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    *,
    sessions: int,
    warmup_s: float,
    measure_s: float,
) -> LoadSample:
    sample = LoadSample(duration_s=measure_s)
    sample.histogram = HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)
    opened = [StreamlitSession(base_url) for _ in range(sessions)]
    # Sessions open (and run the page once) before the clock starts: opening is cold start, not rerun latency.
    await asyncio.gather(*(session.__aenter__() for session in opened))
    try:

        async def submit(index: int, slot: int, measured: bool) -> None:
            try:
                run = await opened[index].run_form(records[slot])
            except (TimeoutError, StreamlitProtocolError, OSError):
                sample.errors += measured
                return
            if not measured:
                return
            latency = run.result_s if run.result_s is not None else run.finished_s
            sample.histogram.record_value(max(LOWEST_US, int(latency * 1e6)))
            sample.requests += 1
            # A wrong or missing result is this protocol's "non-200".
            sample.non_200 += run.result != expected[slot]

        await closed_loop(sessions, len(records), warmup_s=warmup_s, measure_s=measure_s, submit=submit)
    finally:
        await asyncio.gather(*(s.__aexit__(None, None, None) for s in opened), return_exceptions=True)
    return sample


def run_sessions(
    base_url: str,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    *,
    sessions: int,
    warmup_s: float,
    measure_s: float,
) -> LoadSample:
    """`sessions` websocket sessions submitting records back to back; latency = submit → result delta."""
    with collector_paused():
        return asyncio.run(
            _sessions(base_url, records, expected, sessions=sessions, warmup_s=warmup_s, measure_s=measure_s)
        )


async def _first_page(base_url: str) -> float:
    started = time.perf_counter()
    async with StreamlitSession(base_url):
        return time.perf_counter() - started


def first_page_s(base_url: str) -> float:
    """Seconds from opening a session to the first complete page (the app script's first run)."""
    return asyncio.run(_first_page(base_url))
