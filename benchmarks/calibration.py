"""Is the machine steady? A fixed CPU-bound loop timed on each core, alone and all at once, around the rounds.

The loop does the same work every time, so its time moves only with the machine: another process on the core, the
host taking the CPU (steal the VM may or may not report), frequency changes. The spread of the probes over the run
(and across cores: a core shared with a busy process shows as slower than its twin) says whether the run's figures
can be compared with another run's. pyperf records the system's state beside every figure for the same reason.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from benchmarks import affinity
from benchmarks.results import CalibrationProbe, Stability

LOOP_ITERATIONS = 300_000  # about 15–30 ms of CPython on this machine kind: many timer ticks, little run time
WARM_UP_ITERATIONS = LOOP_ITERATIONS // 10  # the core's caches and the interpreter's warm before any timing
TIMED_LOOPS = 7
# A run whose probes moved more than this (slowest over fastest, any core, any moment) is marked unstable. On a calm
# machine repeated probes agree within ±3 %; the host's noisy windows move them 2–3× (shared/notes/measurements.md).
MAX_SPREAD = 0.10
MAX_STEAL = 0.05  # CPU time taken by the host, as a share of the run's CPU time
MAX_BACKGROUND = 0.20  # a core this busy before the run had another tenant
PROC_STAT = Path("/proc/stat")
TOGETHER = "all cores at once"


def spin(iterations: int = LOOP_ITERATIONS) -> int:
    """The fixed work: integer arithmetic in a Python loop, no allocation that grows, no I/O."""
    total = 0
    for i in range(iterations):
        total += i ^ (i >> 3)
    return total


def probe_ms(core: int) -> float:
    """The median time of the fixed loop on `core` (this process pinned there meanwhile)."""
    with affinity.pinned([core]):
        spin(WARM_UP_ITERATIONS)
        return _timed_ms()


def _timed_ms() -> float:
    times = []
    for _ in range(TIMED_LOOPS):
        began = time.perf_counter()
        spin()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


class HelperFailed(RuntimeError):
    """A core's helper process ended without timing its loop (its error output says why)."""


def probe_together_ms(cores: Sequence[int]) -> list[float]:
    """The loop timed on every core at once, one process per core: the rounds load both cores (a server on one, a
    generator on the other), and on this machine kind the two vCPUs slow each other some of the time, which a probe
    of one core with the other idle does not see (METHOD.md)."""
    first, *others = cores
    helpers = {
        core: subprocess.Popen(
            [sys.executable, "-m", "benchmarks.calibration", f"--core={core}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for core in others
    }
    try:
        for core, helper in helpers.items():  # each has warmed up on its core and waits for the word
            assert helper.stdout is not None
            if helper.stdout.readline().strip() != "ready":
                raise _failed(core, helper)
        with affinity.pinned([first]):
            spin(WARM_UP_ITERATIONS)
            for helper in helpers.values():
                assert helper.stdin is not None
                helper.stdin.write("go\n")
                helper.stdin.flush()
            mine = _timed_ms()
        return [mine, *(_helper_ms(core, helper) for core, helper in helpers.items())]
    finally:
        for helper in helpers.values():
            if helper.poll() is None:
                helper.kill()
                helper.communicate()  # reaps it and closes its pipes


def _helper_ms(core: int, helper: subprocess.Popen[str]) -> float:
    output, errors = helper.communicate(timeout=30)
    try:
        return float(output)
    except ValueError:
        raise _failed(core, helper, errors) from None


def _failed(core: int, helper: subprocess.Popen[str], errors: str | None = None) -> HelperFailed:
    if errors is None:
        helper.kill()
        errors = helper.communicate()[1]
    last = errors.strip().splitlines()[-1:] or [f"exit status {helper.returncode}, no error output"]
    return HelperFailed(f"the helper on core {core} gave no time: {last[0]}")


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
    # Probes that gave no time, each with its moment and cause.
    failures: list[str] = field(default_factory=list)
    background: list[float] = field(default_factory=list)
    _cpu_start: tuple[int, int] = (0, 0)

    def start(self) -> None:
        """Before anything runs: how busy each core already is, the steal counter, and the first probes."""
        self.background = [percent / 100 for percent in psutil.cpu_percent(interval=0.5, percpu=True)]
        self._cpu_start = cpu_times()
        self.probe("before")

    def probe(self, moment: str) -> None:
        """Time the fixed loop on every core, now: each core alone, then all of them at once."""
        self.probes += [CalibrationProbe(moment=moment, core=core, ms=probe_ms(core)) for core in self.cores]
        if len(self.cores) > 1:
            try:
                together = probe_together_ms(self.cores)
            except HelperFailed as error:
                # A run is not lost to a probe: the moment goes unmeasured, and the run cannot be called stable.
                self.failures.append(f"{moment}, {TOGETHER}: {error}")
                return
            self.probes += [
                CalibrationProbe(moment=f"{moment}, {TOGETHER}", core=core, ms=ms)
                for core, ms in zip(self.cores, together, strict=True)
            ]

    def finish(self) -> Stability:
        """The last probes, and whether the run was stable."""
        self.probe("after")
        steal_end, total_end = cpu_times()
        steal = steal_end - self._cpu_start[0]
        total = total_end - self._cpu_start[1]
        return stability(self.probes, steal / total if total > 0 else 0.0, self.background, self.failures)


def stability(
    probes: Sequence[CalibrationProbe],
    steal_fraction: float,
    background: Sequence[float],
    failures: Sequence[str] = (),
) -> Stability:
    """Stable when the probes agree within MAX_SPREAD, the host took little CPU, no core was busy beforehand, and
    every probe gave its time (a moment unmeasured could have been the slow one)."""
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
    reasons += [f"a calibration probe failed ({failure})" for failure in failures]
    return Stability(
        probes=list(probes),
        spread=round(spread, 4),
        threshold=MAX_SPREAD,
        steal_fraction=round(steal_fraction, 4),
        stable=not reasons,
        reasons=reasons,
    )


def _helper(argv: list[str] | None = None) -> None:
    """One core of `probe_together_ms`: warm up pinned to it, say so, wait for the word, print the loop's median."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calibration")
    parser.add_argument("--core", type=int, required=True)
    core = parser.parse_args(argv).core
    if not affinity.pin_self([core]):  # unpinned, it would time whichever core the OS chose
        sys.exit(f"cannot run pinned to core {core}")
    spin(WARM_UP_ITERATIONS)
    print("ready", flush=True)
    sys.stdin.readline()
    print(f"{_timed_ms():.4f}", flush=True)


if __name__ == "__main__":
    _helper()
