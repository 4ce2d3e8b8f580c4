"""The floor under every server: `Predictor.predict` called in the harness's own process, no HTTP, no parsing."""

from __future__ import annotations

import gc
import time
from collections.abc import Sequence

from benchmarks import affinity
from benchmarks.load import LoadSample
from benchmarks.results import Figure, Measurement, Target
from shared_model import Predictor, Row

IN_PROCESS = "in-process"
SERVER = "none: Predictor.predict in the harness process, pinned to the server cores"
MEASURE_S = 1.0  # thousands of calls a second: one second gives a steady median, and keeps the floor cheap
WARMUP_S = 0.2


def timed_calls(predictor: Predictor, rows: Sequence[Row], duration_s: float) -> LoadSample:
    """Call `predictor.predict(rows)` back to back for `duration_s`; every call's latency in an HDR histogram."""
    sample = LoadSample(duration_s=duration_s)
    started = time.perf_counter_ns()
    deadline = started + int(duration_s * 1e9)
    now = started
    while now < deadline:
        predictor.predict(rows)
        after = time.perf_counter_ns()
        sample.histogram.record_value(max(1, (after - now) // 1000))
        sample.requests += 1
        now = after
    sample.duration_s = (now - started) / 1e9
    return sample


def measure(predictor: Predictor, rows: Sequence[Row], cores: Sequence[int]) -> LoadSample:
    """One repeat at one batch size: a short warm-up, then `MEASURE_S` of timed calls, on the server cores."""
    with affinity.pinned(cores):
        # The collector stays on, as in a server, but the harness's own large heap is frozen out of its reach.
        gc.freeze()
        try:
            timed_calls(predictor, rows, WARMUP_S)
            return timed_calls(predictor, rows, MEASURE_S)
        finally:
            gc.unfreeze()


def floor_target(repeats: dict[int, list[LoadSample]]) -> Target:
    """The in-process floor as a results target: latency and rows/s per batch size, min/median/max of repeats."""
    measurements = []
    for batch_size, samples in sorted(repeats.items()):
        figures = {
            f"p{name}_ms": Figure.of("ms", [s.percentile_us(percentile) / 1000 for s in samples])
            for name, percentile in (("50", 50.0), ("90", 90.0), ("99", 99.0))
        }
        figures["calls_per_s"] = Figure.of("1/s", [s.throughput for s in samples])
        figures["rows_per_s"] = Figure.of("rows/s", [s.throughput * batch_size for s in samples])
        figures["samples"] = Figure.of("count", [float(s.requests) for s in samples])
        measurements.append(
            Measurement(scenario="in_process", params={"batch_size": batch_size}, figures=figures)
        )
    return Target(
        name=IN_PROCESS,
        kind="floor",
        variant="default",
        workers=1,
        server=SERVER,
        verified=True,
        measurements=measurements,
    )
