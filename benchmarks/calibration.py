"""Is the machine steady? A fixed CPU-bound loop timed on each core before, between and after the rounds.

The loop does the same work every time, so its time moves only with the machine: another process on the core, the
host taking the CPU (steal the VM may or may not report), frequency changes. The spread of the probes over the run
(and across cores: a core shared with a busy process shows as slower than its twin) says whether the run's figures
can be compared with another run's. pyperf records the system's state beside every figure for the same reason.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks import affinity
from benchmarks.results import CalibrationProbe, Stability

LOOP_ITERATIONS = 300_000  # about 15–30 ms of CPython on this machine kind: many timer ticks, little run time
TIMED_LOOPS = 7
# A run whose probes moved more than this (slowest over fastest, any core, any moment) is marked unstable. On a calm
# machine repeated probes agree within ±3 %; the host's noisy windows move them 2–3× (shared/notes/measurements.md).
MAX_SPREAD = 0.10
MAX_STEAL = 0.05  # CPU time taken by the host, as a share of the run's CPU time
MAX_BACKGROUND = 0.20  # a core this busy before the run had another tenant
PROC_STAT = Path("/proc/stat")


def spin(iterations: int = LOOP_ITERATIONS) -> int:
    """The fixed work: integer arithmetic in a Python loop, no allocation that grows, no I/O."""
    total = 0
    for i in range(iterations):
        total += i ^ (i >> 3)
    return total


def probe_ms(core: int) -> float:
    """The median time of the fixed loop on `core` (this process pinned there meanwhile)."""
    with affinity.pinned([core]):
        spin(LOOP_ITERATIONS // 10)  # the core's caches and the interpreter's warm
        times = []
        for _ in range(TIMED_LOOPS):
            began = time.perf_counter()
            spin()
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times)


def cpu_times() -> tuple[int, int]:
    """(steal, total) jiffies of the whole machine from /proc/stat; (0, 0) where it does not exist."""
    try:
        fields = PROC_STAT.read_text(encoding="ascii").splitlines()[0].split()[1:]
    except OSError:
        return 0, 0
    values = [int(value) for value in fields[:8]]
    return (values[7] if len(values) > 7 else 0), sum(values)


@dataclass(slots=True)
class Calibration:
    """The probes of one run, and the machine's state around them."""

    cores: Sequence[int]
    probes: list[CalibrationProbe] = field(default_factory=list)
    background: list[float] = field(default_factory=list)
    _cpu_start: tuple[int, int] = (0, 0)

    def start(self) -> None:
        """Before anything runs: how busy each core already is, the steal counter, and the first probes."""
        self.background = [percent / 100 for percent in psutil.cpu_percent(interval=0.5, percpu=True)]
        self._cpu_start = cpu_times()
        self.probe("before")

    def probe(self, moment: str) -> None:
        """Time the fixed loop on every core, now."""
        self.probes += [CalibrationProbe(moment=moment, core=core, ms=probe_ms(core)) for core in self.cores]

    def finish(self) -> Stability:
        """The last probes, and whether the run was stable."""
        self.probe("after")
        steal_end, total_end = cpu_times()
        steal = steal_end - self._cpu_start[0]
        total = total_end - self._cpu_start[1]
        return stability(self.probes, steal / total if total > 0 else 0.0, self.background)


def stability(
    probes: Sequence[CalibrationProbe], steal_fraction: float, background: Sequence[float]
) -> Stability:
    """Stable when the probes agree within MAX_SPREAD, the host took little CPU, and no core was busy beforehand."""
    times = [probe.ms for probe in probes]
    spread = (max(times) - min(times)) / min(times) if times else 0.0
    reasons = []
    if spread > MAX_SPREAD:
        slowest = max(probes, key=lambda probe: probe.ms)
        reasons.append(
            f"the calibration loop's time moved {spread:.0%} over the run (> {MAX_SPREAD:.0%}); slowest on core "
            f"{slowest.core} {slowest.moment}: {slowest.ms:.1f} ms against {min(times):.1f} ms"
        )
    if steal_fraction > MAX_STEAL:
        reasons.append(f"the host took {steal_fraction:.1%} of the CPU time (steal; > {MAX_STEAL:.0%})")
    for core, busy in enumerate(background):
        if busy > MAX_BACKGROUND:
            reasons.append(f"core {core} was {busy:.0%} busy with other work before the run")
    return Stability(
        probes=list(probes),
        spread=round(spread, 4),
        threshold=MAX_SPREAD,
        steal_fraction=round(steal_fraction, 4),
        stable=not reasons,
        reasons=reasons,
    )
