"""Paired ratios: two targets measured back to back in each round, one ratio per round, its spread the noise.

The machine drifts by factors of 2–3 between windows (shared/notes/measurements.md), but two runs taken moments
apart see the same window: their ratio holds where their absolute figures do not. A ratio whose range over the
rounds crosses 1.0 is within noise and never a finding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from benchmarks.repeats import Repeat
from benchmarks.results import Figure, PairedRatio
from benchmarks.runs import Run
from benchmarks.scenarios import ClosedLoop, Scenario, Server


@dataclass(frozen=True, slots=True)
class Pairing:
    """One figure compared between two targets: which scenario, which figure, and which way round."""

    scenario: Callable[
        [float | None], Scenario | None
    ]  # given the run's SLO; None when the run has no such scenario
    metric: str
    value: Callable[[Repeat], float]
    label: str
    lower_is_better: bool


PAIRINGS = (
    Pairing(lambda _: ClosedLoop(1), "p50_ms", lambda r: r.percentiles_ms["50"], "SingleStream p50", True),
    Pairing(
        lambda _: ClosedLoop(8), "throughput_rps", lambda r: r.throughput, "closed-loop c=8 throughput", False
    ),
    Pairing(
        lambda slo_ms: Server(slo_ms) if slo_ms else None,
        "capacity_rps",
        lambda r: r.throughput,
        "capacity at the SLO",
        False,
    ),
)


def ratio(costly: Run, cheap: Run, pairing: Pairing, scenario: Scenario) -> PairedRatio | None:
    """How many times `costly` costs `cheap` on one figure, per round (> 1: costly is worse); None if unpaired."""
    costly_repeats = costly.repeats.get(scenario.key, [])
    cheap_repeats = cheap.repeats.get(scenario.key, [])
    pairs = [
        (pairing.value(a), pairing.value(b))
        for a, b in zip(costly_repeats, cheap_repeats, strict=False)
        if pairing.value(a) > 0 and pairing.value(b) > 0
    ]
    if not pairs or costly.failure or cheap.failure:
        return None
    ratios = [a / b if pairing.lower_is_better else b / a for a, b in pairs]
    figure = Figure.of("×", [round(value, 4) for value in ratios])
    # The numerator is whichever side's figure is on top of the fraction.
    top, bottom = (costly, cheap) if pairing.lower_is_better else (cheap, costly)
    return PairedRatio(
        name=f"{costly.spec.label} over {cheap.spec.label}: {pairing.label}",
        numerator=top.spec.label,
        denominator=bottom.spec.label,
        metric=pairing.metric,
        ratio=figure,
        within_noise=figure.min <= 1.0 <= figure.max,
    )


def paired_ratios(pairs: Sequence[tuple[Run, Run]], slo_ms: float | None) -> list[PairedRatio]:
    """Every pairing's ratio for every (costlier, cheaper) pair of targets measured side by side."""
    found = []
    for costly, cheap in pairs:
        for pairing in PAIRINGS:
            scenario = pairing.scenario(slo_ms)
            paired = None if scenario is None else ratio(costly, cheap, pairing, scenario)
            if paired is not None:
                found.append(paired)
    return found
