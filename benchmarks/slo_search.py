"""MLPerf's Server scenario: the highest Poisson arrival rate whose p99 latency stays within the objective.

Each trial sends a fixed rate for long enough to hold at least `MIN_QUERIES` requests (and at least
`MIN_TRIAL_S`), then passes when nothing failed, nothing was refused, the rate was delivered, and the p99 (from the
intended send times) is within the SLO. The search grows the rate until a trial fails, then bisects (geometric
midpoints) until the failing rate is within `RESOLUTION` of the passing one. METHOD.md justifies the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

# 600 queries put the p99's 95 % confidence interval between about p98.2 and p99.8 (order statistics: rank
# 594 ± 1.96·√(600·0.01·0.99) ≈ ± 5): tight enough for a search whose steps are 5 % apart, and it keeps the
# search of eight targets × three repeats within the full plan's budget (1,000 queries took 45–60 s a search).
MIN_QUERIES = 600
MIN_TRIAL_S = 2.0  # a trial spans at least one full collection cycle of the servers' garbage collectors
MAX_TRIAL_S = 5.0  # below ~120/s the query count gives way to the time budget; METHOD.md says so
RESOLUTION = 1.05  # stop when the lowest failing rate is within 5 % of the highest passing one
FIRST_GROWTH = 1.5  # first search of a target: from a guess, grow fast
LATER_GROWTH = 1.08  # later repeats start at the capacity already found
MAX_TRIALS = 7
DELIVERED_FRACTION = 0.97
MISSES_ALLOWED = 0.01  # the queries a p99 objective lets miss it; a refusal is one


@dataclass(frozen=True, slots=True)
class TrialLoad:
    """What one trial at one offered rate measured."""

    offered_rps: float
    delivered_rps: float
    p99_ms: float
    samples: int
    errors: int
    refused: int


@dataclass(frozen=True, slots=True)
class Judged:
    """A trial with its verdict."""

    load: TrialLoad
    passed: bool
    why: str


@dataclass(slots=True)
class Outcome:
    """The capacity found (0 when even the lowest rate failed) and every trial on the way."""

    capacity_rps: float = 0.0
    p99_ms_at_capacity: float = 0.0
    trials: list[Judged] = field(default_factory=list)


def trial_seconds(rate: float, queries: int = MIN_QUERIES) -> float:
    """How long a trial at `rate` runs: enough for `queries`, within [MIN_TRIAL_S, MAX_TRIAL_S] for the full count.

    Short plans ask for fewer queries and get proportionally shorter trials.
    """
    scale = min(1.0, queries / MIN_QUERIES)
    return min(MAX_TRIAL_S * scale, max(MIN_TRIAL_S * scale, queries / max(rate, 1e-9)))


def judge(load: TrialLoad, slo_ms: float) -> Judged:
    """Pass when nothing failed, the rate was delivered, and the p99 is within the SLO.

    A refusal is a query that missed the objective: the p99 counts it as slower than every answer, so a trial
    passes with refusals only while they are fewer than 1 % (and the answered queries leave room for them).
    """
    if load.errors:
        return Judged(load, False, f"{load.errors} errors")
    if load.refused > MISSES_ALLOWED * load.samples:
        return Judged(load, False, f"{load.refused} refused")
    if load.delivered_rps < DELIVERED_FRACTION * load.offered_rps:
        return Judged(load, False, f"delivered {load.delivered_rps:.0f} of {load.offered_rps:.0f}/s")
    if load.p99_ms > slo_ms:
        return Judged(load, False, f"p99 {load.p99_ms:.1f} ms > {slo_ms:g} ms")
    return Judged(load, True, f"p99 {load.p99_ms:.1f} ms ≤ {slo_ms:g} ms")


def search(
    trial: Callable[[float], TrialLoad],
    slo_ms: float,
    start_rps: float,
    growth: float = FIRST_GROWTH,
    max_trials: int = MAX_TRIALS,
) -> Outcome:
    """Find the highest rate that passes, starting at `start_rps`; `trial(rate)` runs one trial."""
    outcome = Outcome()
    passing, failing = 0.0, math.inf
    rate = start_rps
    for _ in range(max_trials):
        judged = judge(trial(rate), slo_ms)
        outcome.trials.append(judged)
        if judged.passed:
            passing = rate
            outcome.capacity_rps, outcome.p99_ms_at_capacity = rate, judged.load.p99_ms
        else:
            failing = rate
        if failing <= passing * RESOLUTION:
            break
        if math.isinf(failing):
            rate = passing * growth
        elif passing == 0.0:
            # Nothing has passed yet: step down as fast as a first search grows, whatever the growth asked for.
            rate = failing / max(growth, FIRST_GROWTH)
        else:
            rate = math.sqrt(passing * failing)
    return outcome
