"""MLPerf's Server scenario: the highest Poisson arrival rate whose p99 latency stays within the objective.

Each trial sends a fixed rate for long enough to hold at least `MIN_QUERIES` requests (and at least
`MIN_TRIAL_S`), then passes when nothing failed, nothing was refused, the rate was delivered, and the p99 (from the
intended send times) is within the SLO. The search grows the rate until a trial fails, then bisects (geometric
midpoints) until the failing rate is within `RESOLUTION` of the passing one. A failure that one host stall could
explain (`doubt`) is tried once more at the same rate, and the second trial decides. METHOD.md justifies the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace

from benchmarks.arrivals import offsets
from benchmarks.load_sample import LoadSample, misses_allowed

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
PERCENTILE = 99  # the objective is on the p99: 1 % of the queries may miss it, and a refusal is a miss
# The longest the host was seen to take the CPU from this VM (shared/notes/measurements.md). A failure that one
# stall this long could explain is doubted and tried once more: a stall only ever adds latency, so a second trial
# that passes shows what the server holds, while one that fails again confirms the failure.
STALL_MS = 16.0


@dataclass(frozen=True, slots=True)
class TrialLoad:
    """What one trial at one offered rate measured."""

    offered_rps: float
    delivered_rps: float
    p99_ms: float
    samples: int
    errors: int
    refused: int
    # The server's CPU time per request over the trial: the same work at one rate, so where it rises the host ran
    # the server's core slower, which near capacity the queue turns into a p99 two to three times longer (METHOD.md).
    server_cpu_us: float | None = None

    @classmethod
    def of(
        cls, sample: LoadSample, rate: float, duration_s: float, server_cpu_us: float | None = None
    ) -> TrialLoad:
        """What a trial of Poisson arrivals at `rate` for `duration_s` measured, refusals counted as misses, with the
        server's CPU per request over it when known."""
        # Poisson arrivals vary in number: what was delivered is measured against what was scheduled.
        scheduled = len(offsets(rate, duration_s, "poisson"))
        return cls(
            offered_rps=rate,
            delivered_rps=rate * sample.requests / scheduled,
            p99_ms=sample.percentile_counting_refusals_ms(PERCENTILE),
            samples=sample.requests,
            errors=sample.errors,
            refused=sample.refused,
            server_cpu_us=server_cpu_us,
        )


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

    A refusal is a query that missed the objective: the trial's p99 counts it as slower than every answer, so a trial
    passes with refusals only while they are within `misses_allowed` (and the answered queries leave room for them).
    Past that allowance the p99 counting refusals is infinite and a trial records the p99 of every answer instead,
    so the refusals are named here, by the same `misses_allowed` that made that p99 infinite.
    """
    if load.errors:
        return Judged(load, False, f"{load.errors} errors")
    if load.refused > misses_allowed(load.samples, PERCENTILE):
        return Judged(load, False, f"{load.refused} refused")
    if load.delivered_rps < DELIVERED_FRACTION * load.offered_rps:
        return Judged(load, False, f"delivered {load.delivered_rps:.0f} of {load.offered_rps:.0f}/s")
    if load.p99_ms > slo_ms:
        return Judged(load, False, f"p99 {load.p99_ms:.1f} ms > {slo_ms:g} ms")
    return Judged(load, True, f"p99 {load.p99_ms:.1f} ms ≤ {slo_ms:g} ms")


def doubt(judged: Judged, slo_ms: float, passed_before: float = 0.0) -> str | None:
    """Why a failed trial may be the host's and not the server's, or None (a pass, errors, or a clear failure).

    Doubted: a rate at or below one that already passed (in this search or an earlier repeat of it), and a near
    miss, one that a single host stall explains: a p99 within `STALL_MS` of the objective, or no more refusals than
    the objective allows plus the queries that arrive during one stall.
    """
    load = judged.load
    if judged.passed or load.errors:
        return None
    if load.offered_rps <= passed_before:
        return f"{passed_before:,.0f}/s passed before"
    allowed = misses_allowed(load.samples, PERCENTILE)
    if load.refused > allowed:
        stall = math.ceil(load.offered_rps * STALL_MS / 1000)
        return (
            f"within one stall's {stall} refusals of the objective"
            if load.refused <= allowed + stall
            else None
        )
    if load.delivered_rps < DELIVERED_FRACTION * load.offered_rps:
        return None
    return f"within one {STALL_MS:g} ms stall of the objective" if load.p99_ms <= slo_ms + STALL_MS else None


def _noted(judged: Judged, note: str) -> Judged:
    return replace(judged, why=f"{judged.why}; {note}")


Search = Generator[float, TrialLoad, Outcome]


def searching(
    slo_ms: float,
    start_rps: float,
    growth: float = FIRST_GROWTH,
    max_trials: int = MAX_TRIALS,
    *,
    passed_before: float = 0.0,
    second_trials: bool = True,
) -> Search:
    """The search for the highest rate that passes, from `start_rps`: it yields each rate to try, is sent that
    trial's load, and returns the outcome. As a generator, searches of several targets can take turns (`in_turn`).

    `passed_before` is the highest rate an earlier repeat of the same search held. A doubted failure (`doubt`) is
    tried once more, within the `max_trials` budget; both trials are kept, the second decides the rate.
    `second_trials=False` searches as before that rule, for comparison (`python -m benchmarks.search_noise`).
    """
    outcome = Outcome()
    passing, failing = 0.0, math.inf
    rate = start_rps
    while len(outcome.trials) < max_trials:
        judged = judge((yield rate), slo_ms)
        why_again = doubt(judged, slo_ms, max(passing, passed_before)) if second_trials else None
        if why_again is not None and len(outcome.trials) + 2 <= max_trials:
            outcome.trials.append(_noted(judged, f"doubted ({why_again}), tried again"))
            judged = judge((yield rate), slo_ms)
            judged = _noted(judged, "the failure " + ("not confirmed" if judged.passed else "confirmed"))
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


def in_turn(
    searches: Sequence[Search], trial: Callable[[int, float], TrialLoad]
) -> list[Outcome | Exception]:
    """Run the searches taking turns, one trial each in order, until every one has its outcome.

    `trial(i, rate)` runs search i's trial. Two targets' trials are then seconds apart, not a whole search: the host's
    drifts (which on this machine kind last seconds to minutes) fall on both alike, so their ratio pairs. A search
    whose trial raised ends there with the exception; the others go on.
    """
    outcomes: list[Outcome | Exception | None] = [None] * len(searches)
    due = {index: next(search) for index, search in enumerate(searches)}
    while due:
        for index in list(due):
            try:
                due[index] = searches[index].send(trial(index, due[index]))
            except StopIteration as finished:
                outcomes[index] = finished.value
                del due[index]
            except Exception as error:  # this target's failure; the other searches go on
                searches[index].close()
                outcomes[index] = error
                del due[index]
    return [outcome for outcome in outcomes if outcome is not None]


def search(one: Search, trial: Callable[[float], TrialLoad]) -> Outcome:
    """One search on its own (`searching` says how it goes), `trial(rate)` running each trial."""
    (outcome,) = in_turn([one], lambda _, rate: trial(rate))
    if isinstance(outcome, Exception):
        raise outcome
    return outcome
