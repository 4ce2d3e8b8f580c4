"""`make bench-io`'s results (benchmarks/io_wait.py): read, and where each front end's concurrency becomes the limit.

A worker that holds a request while it waits on the store serves at most `slots / (wait + CPU time per request)`
requests a second: Flask's slots are its gthread worker's threads, FastAPI's the in-flight limit of its event loop
(SERVEBENCH_MAX_INFLIGHT, past which nginx refuses). Below the delay where that ceiling falls under the worker's
CPU-bound capacity (its capacity at +0 ms) the CPU is the limit; above it, the slots are.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from benchmarks.results import Figure
from report.loading import load_beside, newest_beside

IO_PATTERN = "io-*.json"
LOOP_SLOTS = 16  # SERVEBENCH_MAX_INFLIGHT's default: the predictions one FastAPI worker works on at once


class IoRow(BaseModel):
    """One target at one added delay: capacity at the SLO and the p99 there, one value per repeat."""

    model_config = ConfigDict(frozen=True)

    target: str
    threads: int | None
    delay_ms: float
    capacity_rps: list[float]
    p99_ms: list[float]

    @property
    def slots(self) -> int:
        """Requests one worker holds at once: its threads, or the event loop's in-flight limit."""
        return self.threads if self.threads is not None else LOOP_SLOTS

    @property
    def capacity(self) -> Figure:
        """The capacity as a figure (min, median, max over the repeats)."""
        return Figure.of("req/s", self.capacity_rps)


class IoWait(BaseModel):
    """A whole `io-<UTC timestamp>.json`."""

    model_config = ConfigDict(frozen=True)

    model: str
    slo_ms: float
    repeats: int
    workers: int
    link: str
    rows: list[IoRow]

    def targets(self) -> list[str]:
        """The targets, in the order measured."""
        return list(dict.fromkeys(row.target for row in self.rows))

    def delays(self) -> list[float]:
        """The added delays, ascending."""
        return sorted({row.delay_ms for row in self.rows})

    def row(self, target: str, delay_ms: float) -> IoRow | None:
        """One target's row at one delay."""
        return next((r for r in self.rows if r.target == target and r.delay_ms == delay_ms), None)


def slots_ceiling_rps(slots: int, delay_ms: float, cpu_rps: float) -> float:
    """The most requests a second `slots` concurrent requests can finish when each waits `delay_ms` more."""
    return slots / (delay_ms / 1000 + 1 / cpu_rps)


def binding_delay_ms(slots: int, cpu_rps: float) -> float:
    """The added delay from which the slots, not the CPU, bound the capacity: slots / (d + 1/C) = C."""
    return (slots - 1) * 1000 / cpu_rps


def limit_of(io: IoWait, target: str) -> str:
    """Where this target's slots become its limit, from its own capacity at +0 ms (or why that cannot be said)."""
    base = io.row(target, 0.0)
    if base is None or not base.capacity_rps or statistics.median(base.capacity_rps) <= 0:
        return "not known (no capacity at +0 ms)"
    cpu = statistics.median(base.capacity_rps)
    return f"its {base.slots} slots bind from +{binding_delay_ms(base.slots, cpu):.0f} ms (CPU-bound {cpu:,.0f} req/s)"


def newest_io(folder: Path) -> Path | None:
    """The most recent `make bench-io` file in `folder`, if any."""
    return newest_beside(folder, IO_PATTERN)


def load_io(path: Path) -> IoWait:
    """Read an io-*.json file, or say in one line why it cannot be read."""
    return load_beside(path, IoWait, "bench-io")
