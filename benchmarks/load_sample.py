"""What one load run measured: counts, and HDR histograms of latency for all answers, 200s and 503 refusals."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 60_000_000
SIGNIFICANT_FIGURES = 3
OK = 200
REFUSED = 503
COUNTS = ("requests", "errors", "non_200", "refused", "refused_sent_late", "refused_by_app")
# A request the generator sent this late left in a burst, with all that fell due while the generator itself was
# stalled (the host took its core): a burst of its making, which a server bounding its work may refuse.
SENT_LATE_US = 50_000
HISTOGRAMS = ("histogram", "accepted", "refusals", "send_lag")


def misses_allowed(queries: int, percentile: float) -> int:
    """How many of `queries` may miss a latency objective on the `percentile` and still meet it: those ranked above
    it (6 of 600 for p99). The one statement of that rule: the p99 counting refusals and the search's judge use it."""
    return queries - math.ceil(round(percentile * queries / 100, 9))


def new_histogram() -> HdrHistogram:
    """An empty latency histogram in µs, 1 µs to 60 s at 3 significant figures."""
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


@dataclass(slots=True)
class LoadSample:
    """Counts and HDR histograms of latencies (µs) of one measured run: every answer, accepted (200), refused (503)."""

    duration_s: float
    requests: int = 0
    errors: int = 0
    non_200: int = 0  # answers neither 200 nor a 503 refusal
    refused: int = 0  # 503 refusals: a server at its in-flight limit, or behind a standing queue
    # Of those, the ones the generator sent SENT_LATE_US or more after they were due, and the ones the app refused
    # itself (the rest were a proxy's, at its in-flight limit).
    refused_sent_late: int = 0
    refused_by_app: int = 0
    histogram: HdrHistogram = field(default_factory=new_histogram)
    accepted: HdrHistogram = field(default_factory=new_histogram)
    refusals: HdrHistogram = field(default_factory=new_histogram)
    # How late the generator sent each request after its due time: its own share of the latencies.
    send_lag: HdrHistogram = field(default_factory=new_histogram)
    server_timing: list[str] = field(default_factory=list)

    def record(self, status: int, micros: int, lag_us: int = 0, *, from_app: bool = False) -> None:
        """Count one answer with `status` that took `micros` µs, of which the generator's lateness in sending it
        was `lag_us`; `from_app`: the app wrote it, not a proxy in front."""
        micros = max(LOWEST_US, micros)
        self.requests += 1
        self.histogram.record_value(micros)
        if status == OK:
            self.accepted.record_value(micros)
        elif status == REFUSED:
            self.refused += 1
            self.refused_sent_late += lag_us >= SENT_LATE_US
            self.refused_by_app += from_app
            self.refusals.record_value(micros)
        else:
            self.non_200 += 1

    def percentile_us(self, percentile: float) -> float:
        return float(self.histogram.get_value_at_percentile(percentile))

    def percentile_missing_refusals_us(self, percentile: float) -> float:
        """The `percentile` latency with each answer but a 200 (a refusal above all) counted as slower than any 200,
        since it misses any latency objective: infinite once more missed than `misses_allowed` lets."""
        answered, allowed = self.accepted.get_total_count(), misses_allowed(self.requests, percentile)
        if not answered or self.requests - answered > allowed:
            return math.inf
        rank = self.requests - allowed
        return float(self.accepted.get_value_at_percentile(100 * rank / answered))

    def percentile_counting_refusals_ms(self, percentile: float) -> float:
        """The `percentile` latency (ms) with refusals counted as misses; past the share of misses it allows, that of
        every answer (a capacity search fails such a trial on its refusals, and names them)."""
        missing = self.percentile_missing_refusals_us(percentile)
        return (missing if math.isfinite(missing) else self.percentile_us(percentile)) / 1000

    def accepted_percentile_us(self, percentile: float) -> float:
        """The `percentile` latency of the 200 answers alone."""
        return float(self.accepted.get_value_at_percentile(percentile))

    def refused_percentile_us(self, percentile: float) -> float:
        """The `percentile` latency of the 503 refusals alone."""
        return float(self.refusals.get_value_at_percentile(percentile))

    @property
    def throughput(self) -> float:
        return (self.requests - self.refused) / self.duration_s if self.duration_s > 0 else 0.0

    def to_wire(self) -> dict[str, Any]:
        """A JSON-ready form, histograms HDR-encoded (base64 text), to send from a generator process."""
        return {
            "duration_s": self.duration_s,
            **{name: getattr(self, name) for name in COUNTS},
            **{name: getattr(self, name).encode().decode() for name in HISTOGRAMS},
        }

    def merge(self, wire: dict[str, Any]) -> None:
        """Add another process's sample (from `to_wire`) of the same run into this one."""
        self.duration_s = max(self.duration_s, float(wire["duration_s"]))
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + int(wire[name]))
        for name in HISTOGRAMS:
            getattr(self, name).add(HdrHistogram.decode(wire[name].encode()))
