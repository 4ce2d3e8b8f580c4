"""`python -m benchmarks.search_noise`: the SLO search with and without second trials, on a made-up noisy host.

A queueing server holds p99 ≤ 50 ms up to 816/s (p99 = 9.2 ms / (1 − rate/1000)); a host stall adds up to
`slo_search.STALL_MS` to a trial's p99 one trial in four, and a noisy window 250 ms one trial in twenty. Each run
is three repeats searched as the Server scenario searches them (the first from 600/s growing 1.5×, later ones from
the median found growing 1.08×, with the highest rate held so far as `passed_before`). Prints, for each rule, the
median capacity, its 5th percentile, the 95th percentile of the spread over the repeats, and the trials a search.
Seeded: the same figures every time. METHOD.md (Server scenario) quotes them.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable

from benchmarks import slo_search

RUNS = 2000
REPEATS = 3
CAPACITY_RPS = 1000.0
SERVICE_P99_MS = 9.2
STALL_SHARE = 0.25
WINDOW_SHARE = 0.05
WINDOW_MS = 250.0
SEED = 1


def noisy_trial(rng: random.Random) -> Callable[[float], slo_search.TrialLoad]:
    """One trial of the made-up server on the made-up host."""

    def trial(rate: float) -> slo_search.TrialLoad:
        load = rate / CAPACITY_RPS
        p99 = SERVICE_P99_MS / (1 - load) if load < 1 else 10_000.0
        luck = rng.random()
        if luck < STALL_SHARE:
            p99 += rng.uniform(0, slo_search.STALL_MS)
        elif luck < STALL_SHARE + WINDOW_SHARE:
            p99 += WINDOW_MS
        return slo_search.TrialLoad(rate, rate, p99, slo_search.MIN_QUERIES, 0, 0)

    return trial


def one_run(rng: random.Random, second_trials: bool) -> tuple[list[float], int]:
    """Three repeats' capacities, and the trials they took."""
    found: list[float] = []
    trials = 0
    for _ in range(REPEATS):
        start, growth = (
            (statistics.median(found), slo_search.LATER_GROWTH) if found else (600.0, slo_search.FIRST_GROWTH)
        )
        searching = slo_search.searching(
            50.0, start, growth, passed_before=max(found, default=0.0), second_trials=second_trials
        )
        outcome = slo_search.search(searching, noisy_trial(rng))
        found.append(outcome.capacity_rps)
        trials += len(outcome.trials)
    return found, trials


def main() -> None:
    for second_trials in (False, True):
        rng = random.Random(SEED)
        medians, spreads, trials = [], [], []
        for _ in range(RUNS):
            found, tried = one_run(rng, second_trials)
            middle = statistics.median(found)
            medians.append(middle)
            spreads.append((max(found) - min(found)) / middle if middle else float("inf"))
            trials.append(tried / REPEATS)
        rule = "with second trials   " if second_trials else "without second trials"
        print(
            f"{rule}: median capacity {statistics.median(medians):.0f}/s (p5 "
            f"{statistics.quantiles(medians, n=20)[0]:.0f}), spread over the repeats p95 "
            f"{statistics.quantiles(spreads, n=20)[-1] * 100:.0f} %, {statistics.mean(trials):.2f} trials a search"
        )


if __name__ == "__main__":
    main()
