"""One measured repeat of a scenario on a target, and the figures a list of repeats becomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.load import LoadSample
from benchmarks.results import Figure, Trial
from benchmarks.wrk import WrkRun

P999_MIN_SAMPLES = 10_000
EXTRA_UNITS = {
    "rows_per_s": "rows/s",
    "offered_rps": "req/s",
    "rss_before_mb": "MiB",
}


@dataclass(slots=True)
class Repeat:
    """One measured run of one setting: its load sample and the server's resources during it."""

    throughput: float
    percentiles_ms: dict[str, float]
    samples: int
    errors: int
    non_200: int
    cpu_us_per_request: float = 0.0
    peak_rss_mb: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)
    refused: int = 0
    trials: list[Trial] = field(default_factory=list)


def from_wrk(run: WrkRun) -> Repeat:
    """A repeat from wrk's closed-loop run."""
    return Repeat(
        throughput=run.throughput,
        percentiles_ms={key: value / 1000 for key, value in run.percentiles_us.items()},
        samples=run.requests,
        errors=run.errors,
        non_200=run.non_200,
        refused=run.refused,
    )


def from_sample(sample: LoadSample) -> Repeat:
    """A repeat from the asyncio generator's (or the Streamlit client's) sample."""
    return Repeat(
        throughput=sample.throughput,
        percentiles_ms={f"{p:g}": sample.percentile_us(p) / 1000 for p in (50.0, 90.0, 99.0, 99.9)},
        samples=sample.requests,
        errors=sample.errors,
        non_200=sample.non_200,
        refused=sample.refused,
    )


def load_figures(
    repeats: Sequence[Repeat], unit: str = "req/s", ceiling: float | None = None
) -> dict[str, Figure]:
    """Throughput, latency percentiles, counts and resources, each over the repeats; flagged near the ceiling."""
    throughput = [r.throughput for r in repeats]
    flagged = ceiling is not None and max(throughput) > ceiling / 3
    note = f"above a third of the generator's ceiling ({ceiling:.0f}/s)" if flagged else None
    figures = {
        "throughput_rps": Figure.of(unit, throughput, flagged, note),
        "p50_ms": Figure.of("ms", [r.percentiles_ms["50"] for r in repeats]),
        "p90_ms": Figure.of("ms", [r.percentiles_ms["90"] for r in repeats]),
        "p99_ms": Figure.of("ms", [r.percentiles_ms["99"] for r in repeats]),
        "samples": Figure.of("count", [float(r.samples) for r in repeats]),
        "errors": Figure.of("count", [float(r.errors) for r in repeats]),
        "non_200": Figure.of("count", [float(r.non_200) for r in repeats]),
        "refused": Figure.of("count", [float(r.refused) for r in repeats]),
        "cpu_us_per_request": Figure.of("µs", [r.cpu_us_per_request for r in repeats]),
        "peak_rss_mb": Figure.of("MiB", [r.peak_rss_mb for r in repeats]),
    }
    if all(r.samples >= P999_MIN_SAMPLES for r in repeats):
        figures["p999_ms"] = Figure.of("ms", [r.percentiles_ms["99.9"] for r in repeats])
    return figures | extra_figures(repeats)


def extra_figures(repeats: Sequence[Repeat]) -> dict[str, Figure]:
    """The scenario's own figures (rows/s, offered rate, capacity), each over the repeats."""
    names = sorted({key for r in repeats for key in r.extra})
    return {name: Figure.of(EXTRA_UNITS.get(name, "1/s"), [r.extra[name] for r in repeats]) for name in names}
