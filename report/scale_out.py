"""The scale-out results file (`make scale-out`, benchmarks/scale_out.py): found beside the benchmark's, read, tabled.

FastAPI under uvicorn (1 and 2 workers) and under Ray Serve (1 and 2 replicas): capacity per process, what the engine
costs, and how each scales from one to two on a 2-core machine.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from report.loading import SCALE_OUT_PATTERN, load_beside, newest_beside
from report.tables import Row


class Spread(BaseModel):
    """min, median and max over the repeats."""

    model_config = ConfigDict(frozen=True)

    min: float
    median: float
    max: float

    def shown(self, digits: int = 0) -> str:
        """`median (min–max)`."""
        return f"{self.median:,.{digits}f} ({self.min:,.{digits}f}–{self.max:,.{digits}f})"


class ScaleRun(BaseModel):
    """One engine with one process count."""

    model_config = ConfigDict(frozen=True)

    target: str
    engine: str
    count: int
    start_s: float
    idle_rss_mib: float
    throughput: Spread
    p99: Spread
    errors: int
    non_200: int


class ScaleOut(BaseModel):
    """A whole `scale-out-<UTC timestamp>.json`."""

    model_config = ConfigDict(frozen=True)

    kind: str
    started: str
    model: str
    connections: int
    seconds: float
    repeats: int
    runs: list[ScaleRun]

    def measured(self, engine: str, count: int) -> ScaleRun | None:
        """The run of `engine` with `count` processes, if measured."""
        return next((r for r in self.runs if (r.engine, r.count) == (engine, count)), None)


def newest_scale_out(folder: Path) -> Path | None:
    """The most recent scale-out file in `folder` (the results file's), if any."""
    return newest_beside(folder, SCALE_OUT_PATTERN)


def load_scale_out(path: Path) -> ScaleOut:
    """Read a scale-out file, or say in one line why it cannot be read."""
    return load_beside(path, ScaleOut, "scale-out")


def scale_out_rows(scale: ScaleOut) -> list[Row]:
    """Each target: throughput, per process, p99, idle memory, start time, failures."""
    return [
        Row(
            (
                run.engine,
                str(run.count),
                run.throughput.shown(),
                f"{run.throughput.median / run.count:,.0f}",
                run.p99.shown(1),
                f"{run.idle_rss_mib:,.0f} MiB",
                f"{run.start_s:,.0f} s",
                f"{run.errors} / {run.non_200}",
            )
        )
        for run in scale.runs
    ]


def _ratio(a: ScaleRun, b: ScaleRun, what: str) -> str:
    """`R× what` for a's median throughput over b's, marked within noise when their ranges overlap."""
    ratio = a.throughput.median / b.throughput.median
    overlap = a.throughput.min <= b.throughput.max and b.throughput.min <= a.throughput.max
    return f"{ratio:.2f}× {what}" + (" (ranges overlap: within noise)" if overlap else "")


def scale_out_lines(scale: ScaleOut) -> list[str]:
    """The engine's cost, each engine's 1 → 2 scaling, the 2-core caveat, and a projection labelled as one."""
    lines = []
    for count in (1, 2):
        ray, uvicorn = scale.measured("ray", count), scale.measured("uvicorn", count)
        if ray and uvicorn:
            lines.append(
                f"Ray Serve with {count} replica{'s' if count > 1 else ''} against uvicorn with {count} "
                f"worker{'s' if count > 1 else ''}: {_ratio(ray, uvicorn, 'the throughput')}, "
                f"{ray.idle_rss_mib - uvicorn.idle_rss_mib:+,.0f} MiB idle, start {ray.start_s:.0f} s against "
                f"{uvicorn.start_s:.0f} s."
            )
    for engine in ("uvicorn", "ray"):
        one, two = scale.measured(engine, 1), scale.measured(engine, 2)
        if one and two:
            scaling = _ratio(two, one, "one's throughput")
            lines.append(f"{engine}: two processes give {scaling}.")
    lines.append(
        "This machine has 2 cores: it cannot show more than two workers or replicas, nor what Ray Serve is for — "
        "replicas on other machines behind one endpoint."
    )
    two = scale.measured("ray", 2)
    if two:
        lines.append(
            f"Projection, not a measurement: if every further 2-core node ran two replicas as this one did, n nodes "
            f"would answer about n × {two.throughput.median:,.0f} req/s at this concurrency per node, less whatever "
            "the network hop between Serve's proxy and a remote replica costs (not measured here)."
        )
    return lines
