"""Several open-loop generator processes sharing one schedule, for machines with cores to spare for the generator.

Each process is `python -m benchmarks.generators`, light (no model, no scikit-learn), started on the cores the
caller is pinned to. It reads its job, says it is ready, and starts at a perf_counter time the parent sends once all
are ready (CLOCK_MONOTONIC is one clock for every process on Linux). Process k sends requests k, k + n, k + 2n, ...
of the schedule and returns its counts and HDR-encoded histograms, which the parent adds up.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

import uvloop

from benchmarks.arrivals import share
from benchmarks.load_sample import LoadSample
from benchmarks.pacer import GRACE_S, START_MARGIN_S, paced

READY = "ready"
READY_TIMEOUT_S = 30.0


def run_processes(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    times: Sequence[float],
    *,
    duration_s: float,
    processes: int,
) -> LoadSample:
    """Send the schedule `times` from `processes` generator processes; their samples merged into one."""
    command = [sys.executable, "-m", "benchmarks.generators"]
    children = [
        subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    try:
        for part, child in enumerate(children):
            job = {
                "host": host,
                "port": port,
                "payloads": [payload.decode("latin-1") for payload in payloads],
                "times": share(list(times), part, processes),
                "duration_s": duration_s,
                "first_index": part,
                "step": processes,
            }
            _write(child, json.dumps(job))
        for child in children:
            wait_until_ready(child, "a generator process")
        start = time.perf_counter() + START_MARGIN_S
        for child in children:
            _write(child, repr(start))
        sample = LoadSample(duration_s=duration_s)
        for child in children:
            output, _ = child.communicate(timeout=duration_s + GRACE_S + READY_TIMEOUT_S)
            sample.merge(json.loads(output))
        return sample
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()


def wait_until_ready(child: subprocess.Popen[str], what: str) -> None:
    """Return once `child` has printed READY (its imports done, its work about to start); raise if it printed else."""
    assert child.stdout is not None
    if (line := child.stdout.readline().strip()) != READY:
        raise RuntimeError(f"{what} did not start: {line!r}")


def _write(child: subprocess.Popen[str], line: str) -> None:
    assert child.stdin is not None
    child.stdin.write(line + "\n")
    child.stdin.flush()


def _serve_one_job() -> None:
    job: dict[str, Any] = json.loads(sys.stdin.readline())
    payloads = [payload.encode("latin-1") for payload in job["payloads"]]
    # A fresh, small heap: collection is simply off for the run rather than frozen as in the harness.
    gc.disable()
    print(READY, flush=True)
    start = float(sys.stdin.readline())
    sample = uvloop.run(
        paced(
            job["host"],
            job["port"],
            payloads,
            job["times"],
            duration_s=job["duration_s"],
            first_index=job["first_index"],
            step=job["step"],
            start=start,
        )
    )
    print(json.dumps(sample.to_wire()), flush=True)


if __name__ == "__main__":
    _serve_one_job()
