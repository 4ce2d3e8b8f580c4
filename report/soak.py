"""The soak's results file (`make soak`, benchmarks/soak.py): found beside the benchmark's, read, and tabled."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from report.loading import SOAK_PATTERN, load_beside, newest_beside
from report.steadiness import percent
from report.tables import Row


class SoakRun(BaseModel):
    """One front end held at half its capacity: the rate, RSS after each slice, what failed."""

    model_config = ConfigDict(frozen=True)

    front_end: str
    capacity_rps: float
    rate_rps: float
    seconds: float
    rss_mib: list[float]
    requests: int
    errors: int
    non_200: int
    refused: int
    refused_sent_late: int = 0  # older files did not count them apart
    refused_by_app: int = 0
    capacity_after_rps: float = 0.0  # older files did not measure it
    host_probe_ms: list[float] = []  # nor time the calibration loop
    refused_while_host_slowed: int = 0
    rss_growth: float
    passed: bool
    verdict: str | None = None  # older files: passed or FAILED, from `passed`

    @property
    def result(self) -> str:
        """passed, inconclusive or FAILED."""
        return self.verdict or ("passed" if self.passed else "FAILED")

    @property
    def host_slowdown_max(self) -> float | None:
        """How much slower the host got than when the capacity was measured, at the slowest (None: not timed)."""
        probes = self.host_probe_ms
        return max(probes) / probes[0] if len(probes) > 1 else None


class Soak(BaseModel):
    """A whole `soak-<UTC timestamp>.json`."""

    model_config = ConfigDict(frozen=True)

    kind: str
    started: str
    model: str
    max_rss_growth: float
    # The soak's HOST_SLOWED (benchmarks.soak); older files timed no probes, so it never applied to them.
    host_slowed: float = 1.6
    settings: dict[str, str] = {}  # SERVEBENCH_* given over the shipped ones (older files: none)
    runs: list[SoakRun]


def newest_soak(folder: Path) -> Path | None:
    """The most recent soak file in `folder` (the results file's), if any."""
    return newest_beside(folder, SOAK_PATTERN)


def load_soak(path: Path) -> Soak:
    """Read a soak file, or say in one line why it cannot be read."""
    return load_beside(path, Soak, "soak")


def _result(run: SoakRun, max_rss_growth: float) -> str:
    if run.result == "FAILED":
        return f"FAILED (RSS growth limit {percent(max_rss_growth)}, no failures, none refused on time)"
    if run.result == "inconclusive":
        return "inconclusive (refused on time only while the host had slowed: run it again)"
    return run.result


def soak_rows(soak: Soak) -> list[Row]:
    """Each front end: rate held, for how long, RSS first → last and its growth, failures, pass or fail."""
    return [
        Row(
            (
                run.front_end.removesuffix("_app"),
                f"{run.rate_rps:,.0f} req/s ({percent(run.rate_rps / run.capacity_rps)} of {run.capacity_rps:,.0f}"
                + (f"; {run.capacity_after_rps:,.0f} after" if run.capacity_after_rps else "")
                + ")"
                if run.capacity_rps
                else f"{run.rate_rps:,.0f} req/s",
                f"{run.seconds:,.0f} s",
                f"{run.requests:,}",
                f"{run.rss_mib[0]:,.1f} → {run.rss_mib[-1]:,.1f} MiB ({run.rss_growth * 100:+.1f} %)"
                if run.rss_mib
                else "—",
                f"{run.errors} / {run.non_200} / {run.refused}"
                + (
                    f" ({run.refused_by_app} by the app, {run.refused_sent_late} in the stalled generator's bursts"
                    + (f", {run.refused_while_host_slowed} while the host had slowed" if run.verdict else "")
                    + ")"
                    if run.refused
                    else ""
                ),
                "—" if (slowdown := run.host_slowdown_max) is None else f"{slowdown:.2f}×",
                _result(run, soak.max_rss_growth),
            )
        )
        for run in soak.runs
    ]
