"""`python -m benchmarks.scale_out [--seconds N] [--repeats N]`: FastAPI under uvicorn and under Ray Serve, 1 and 2.

The same app four ways: the shipped launcher (nginx in front of uvicorn) with 1 and 2 workers, and Ray Serve
(`python -m ray_serve`) with 1 and 2 replicas. Each is started, its idle tree RSS and start time read, then
warmed up and measured closed loop (wrk, 8 connections) `--repeats` times. Generator and server share both cores
(two workers need both), so the figures are lower bounds, alike for all four. What the engine costs per request is
Ray's throughput against uvicorn's at the same count; what it buys shows only past one machine, which 2 cores
cannot show. Results go to `benchmarks/results/scale-out-<UTC timestamp>.json` (`make scale-out`); the report
reads one with `SCALE_OUT=path`. Outside the full benchmark's 20-minute budget: a Ray start takes 30-60 s here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.cli import configured_model_requests
from benchmarks.environment import git_revision, library_versions
from benchmarks.servers import RAY_PYTHON, RunningServer, running_ray_serve, running_server
from benchmarks.soak import tree_rss_mib
from benchmarks.wrk import run_wrk

CONNECTIONS = 8
WARM_UP_S = 3.0
DEFAULT_SECONDS = 8.0
DEFAULT_REPEATS = 3
SETTLE_S = 2.0  # after ready, before reading idle RSS
RESULTS = Path(__file__).resolve().parent / "results"
QUIET = {"SERVEBENCH_LOG_LEVEL": "WARNING"}


@dataclass(frozen=True, slots=True)
class ScaleTarget:
    """One way of serving the FastAPI app: its engine and how many processes answer."""

    engine: str  # "uvicorn" or "ray"
    count: int  # uvicorn workers or Serve replicas

    @property
    def name(self) -> str:
        return f"{self.engine}-{self.count}"

    def start(self) -> AbstractContextManager[RunningServer]:
        """The server, started and ready."""
        if self.engine == "ray":
            return running_ray_serve(replicas=self.count, env=QUIET)
        return running_server("fastapi_app", workers=self.count, env=QUIET)


TARGETS = (ScaleTarget("uvicorn", 1), ScaleTarget("uvicorn", 2), ScaleTarget("ray", 1), ScaleTarget("ray", 2))


@dataclass(slots=True)
class ScaleRun:
    """One target's figures: start time, idle RSS, and per repeat throughput and latency percentiles."""

    target: str
    engine: str
    count: int
    start_s: float = 0.0
    idle_rss_mib: float = 0.0
    throughput_rps: list[float] = field(default_factory=list)
    p50_ms: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)
    errors: int = 0
    non_200: int = 0
    refused: int = 0


def ray_version() -> str:
    """Ray's version in .ray-venv, where it is installed."""
    done = subprocess.run(
        [str(RAY_PYTHON), "-c", "import ray; print(ray.__version__)"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.stdout.strip() or "not installed"


def spread(values: list[float]) -> dict[str, float]:
    """min, median and max of the repeats."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def measure(target: ScaleTarget, bodies: list[bytes], seconds: float, repeats: int) -> ScaleRun:
    """Start `target`, read its idle memory, warm it up, then run `repeats` closed loops of `seconds`."""
    run = ScaleRun(target.name, target.engine, target.count)
    began = time.monotonic()
    with target.start() as server:
        run.start_s = round(time.monotonic() - began, 1)
        time.sleep(SETTLE_S)
        run.idle_rss_mib = round(tree_rss_mib(server), 1)
        url = f"{server.base_url}/v1/predict"
        run_wrk(url, bodies, connections=CONNECTIONS, duration_s=WARM_UP_S)
        for index in range(repeats):
            sample = run_wrk(url, bodies, connections=CONNECTIONS, duration_s=seconds)
            run.throughput_rps.append(round(sample.throughput, 1))
            run.p50_ms.append(round(sample.percentiles_us["50"] / 1000, 2))
            run.p99_ms.append(round(sample.percentiles_us["99"] / 1000, 2))
            run.errors += sample.errors
            run.non_200 += sample.non_200
            run.refused += sample.refused
            print(
                f"{target.name}: repeat {index + 1}/{repeats}: {run.throughput_rps[-1]} req/s, "
                f"p99 {run.p99_ms[-1]} ms",
                file=sys.stderr,
                flush=True,
            )
    return run


def summary(runs: list[ScaleRun]) -> Iterator[str]:
    """One line per target, then the engine's cost and each engine's 1 -> 2 scaling, from the medians."""
    medians = {run.target: statistics.median(run.throughput_rps) for run in runs}
    for run in runs:
        figures = spread(run.throughput_rps)
        yield (
            f"{run.target}: {figures['median']:.0f} req/s ({figures['min']:.0f}-{figures['max']:.0f}), p99 "
            f"{statistics.median(run.p99_ms):.1f} ms, idle {run.idle_rss_mib:.0f} MiB, start {run.start_s:.0f} s, "
            f"errors {run.errors}, non-200 {run.non_200}"
        )
    for count in (1, 2):
        ray, uvicorn = medians.get(f"ray-{count}"), medians.get(f"uvicorn-{count}")
        if ray and uvicorn:
            yield f"Ray Serve / uvicorn at {count}: {ray / uvicorn:.2f}x the throughput"
    for engine in ("uvicorn", "ray"):
        one, two = medians.get(f"{engine}-1"), medians.get(f"{engine}-2")
        if one and two:
            yield f"{engine}: 2 / 1 = {two / one:.2f}x"


def main(argv: list[str] | None = None) -> int:
    """Measure the four targets and write the results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale_out", description=__doc__)
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS, help="each measured closed loop")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the results file")
    args = parser.parse_args(argv)
    predictor, bodies = configured_model_requests()
    started = datetime.now(UTC)
    revision, dirty = git_revision()
    runs: list[ScaleRun] = []
    for index, target in enumerate(TARGETS):
        print(f"==> {index + 1}/{len(TARGETS)}: {target.name}", file=sys.stderr, flush=True)
        runs.append(measure(target, bodies, args.seconds, args.repeats))
    document = {
        "kind": "scale_out",
        "started": started.isoformat(),
        "finished": datetime.now(UTC).isoformat(),
        "model": predictor.name,
        "connections": CONNECTIONS,
        "seconds": args.seconds,
        "repeats": args.repeats,
        "environment": {
            "git_revision": revision,
            "dirty": dirty,
            "libraries": {**library_versions(), "ray": ray_version()},
        },
        "runs": [
            {**asdict(run), "throughput": spread(run.throughput_rps), "p99": spread(run.p99_ms)}
            for run in runs
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"scale-out-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for line in summary(runs):
        print(line)
    print(path)
    return 0 if all(run.errors == 0 and run.non_200 == 0 for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
