"""The SLO search's second look at a failure a host stall could explain, on scripted trials."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from benchmarks import resources, slo_search
from benchmarks.arrivals import offsets
from benchmarks.load_sample import OK, REFUSED, LoadSample, misses_allowed

SLO_MS = 50.0
Trial = Callable[[float], slo_search.TrialLoad]


def queueing_p99(rate: float, capacity: float = 1000.0, service_ms: float = 2.0) -> float:
    """An M/M/1-like p99 that explodes past `capacity`: within 50 ms up to 816/s for the defaults."""
    load = rate / capacity
    return service_ms * 4.6 / (1 - load) if load < 1 else 10_000.0


def scripted(stalls: dict[int, float]) -> tuple[Trial, list[float]]:
    """The queueing server, whose `n`-th trial (0-based) a host stall slows by `stalls[n]` ms."""
    tried: list[float] = []

    def trial(rate: float) -> slo_search.TrialLoad:
        p99 = queueing_p99(rate) + stalls.get(len(tried), 0.0)
        tried.append(rate)
        return slo_search.TrialLoad(rate, rate, p99, 600, 0, 0)

    return trial, tried


def test_a_near_miss_from_one_stall_is_tried_again_and_the_second_trial_decides() -> None:
    # Trials: 500 passes (18.4 ms), 750 fails (36.8 + 15 ms stall = 51.8 ms, a near miss), again at 750 passes.
    trial, tried = scripted({1: 15.0})
    outcome = slo_search.search(slo_search.searching(SLO_MS, start_rps=500.0, max_trials=20), trial)
    assert tried[:3] == [500.0, 750.0, 750.0]
    first, second = outcome.trials[1], outcome.trials[2]
    assert not first.passed
    assert first.why == "p99 51.8 ms > 50 ms; doubted (within one 16 ms stall of the objective), tried again"
    assert second.passed
    assert second.why.endswith("; the failure not confirmed")
    # Without the second trial 750/s would have been the failing bound for good, capping the capacity below it.
    assert 816 / slo_search.RESOLUTION <= outcome.capacity_rps <= 816


def test_without_second_trials_the_same_stall_caps_the_capacity_below_its_rate() -> None:
    trial, tried = scripted({1: 15.0})
    outcome = slo_search.search(
        slo_search.searching(SLO_MS, start_rps=500.0, max_trials=20, second_trials=False), trial
    )
    assert tried[:2] == [500.0, 750.0]
    assert tried[2] != 750.0
    assert outcome.capacity_rps < 750.0


def test_a_clear_miss_at_a_new_rate_is_not_tried_again() -> None:
    trial, tried = scripted({})
    outcome = slo_search.search(slo_search.searching(SLO_MS, start_rps=600.0, max_trials=20), trial)
    # 600 passes, 900 fails by far (92 ms): bisection goes on at once, no second trial at 900.
    assert tried[:3] == [600.0, 900.0, pytest.approx((600 * 900) ** 0.5)]
    assert "doubted" not in outcome.trials[1].why


def test_a_failure_where_an_earlier_repeat_passed_is_tried_again_even_far_off() -> None:
    # A later repeat starts at 800/s, which the first repeat held; a long stall makes its first trial miss by far.
    trial, tried = scripted({0: 250.0})
    outcome = slo_search.search(
        slo_search.searching(SLO_MS, 800.0, slo_search.LATER_GROWTH, max_trials=7, passed_before=800.0), trial
    )
    assert tried[:2] == [800.0, 800.0]
    assert "doubted (800/s passed before)" in outcome.trials[0].why
    assert outcome.capacity_rps >= 800.0


def test_a_confirmed_failure_counts_and_both_trials_are_kept() -> None:
    # 850/s fails twice (p99 61 ms is a near miss each time): confirmed, the search bisects below it.
    trial, tried = scripted({})
    outcome = slo_search.search(slo_search.searching(SLO_MS, start_rps=850.0, max_trials=20), trial)
    assert tried[:2] == [850.0, 850.0]
    assert [j.passed for j in outcome.trials[:2]] == [False, False]
    assert outcome.trials[1].why.endswith("; the failure confirmed")
    assert outcome.capacity_rps < 850.0


def test_errors_are_never_doubted() -> None:
    judged = slo_search.judge(slo_search.TrialLoad(100, 100, 10, 600, 1, 0), SLO_MS)
    assert slo_search.doubt(judged, SLO_MS, passed_before=500.0) is None


@pytest.mark.parametrize(
    ("refused", "doubted"),
    [(7, True), (6 + 5, True), (6 + 6, False)],  # at 300/s one 16 ms stall holds ceil(4.8) = 5 arrivals
)
def test_refusals_within_one_stalls_arrivals_of_the_allowance_are_doubted(
    refused: int, doubted: bool
) -> None:
    judged = slo_search.judge(slo_search.TrialLoad(300, 300, 40, 600, 0, refused), SLO_MS)
    assert not judged.passed
    assert (slo_search.doubt(judged, SLO_MS) is not None) is doubted


def test_a_short_delivery_at_a_new_rate_is_not_doubted() -> None:
    judged = slo_search.judge(slo_search.TrialLoad(300, 250, 40, 600, 0, 0), SLO_MS)
    assert slo_search.doubt(judged, SLO_MS) is None
    assert slo_search.doubt(judged, SLO_MS, passed_before=300.0) is not None


def test_second_trials_stay_within_the_trial_budget() -> None:
    # Every trial misses by a stall's worth: each failure is doubted, but never past the budget.
    def always_near(rate: float) -> slo_search.TrialLoad:
        return slo_search.TrialLoad(rate, rate, SLO_MS + 10, 600, 0, 0)

    for budget in range(1, 8):
        outcome = slo_search.search(
            slo_search.searching(SLO_MS, start_rps=100.0, max_trials=budget), always_near
        )
        assert len(outcome.trials) == budget
        assert outcome.capacity_rps == 0.0


@pytest.mark.parametrize("queries", [1, 99, 100, 101, 300, 600, 1000, 2401])
def test_the_p99_counting_refusals_and_the_judge_draw_the_line_at_the_same_count(queries: int) -> None:
    for refused in range(min(queries, 30) + 1):
        sample = LoadSample(duration_s=1.0)
        for _ in range(queries - refused):
            sample.record(OK, 1_000)
        for _ in range(refused):
            sample.record(REFUSED, 100)
        load = slo_search.TrialLoad(100, 100, 1.0, queries, 0, refused)
        judged = slo_search.judge(load, SLO_MS)
        infinite = sample.percentile_missing_refusals_us(slo_search.PERCENTILE) == float("inf")
        assert infinite == (not judged.passed), (queries, refused)
        assert judged.passed == (refused <= misses_allowed(queries, slo_search.PERCENTILE))


def test_a_p99_objective_lets_one_query_in_a_hundred_miss() -> None:
    assert [misses_allowed(n, 99) for n in (99, 100, 600, 1000, 1099)] == [0, 1, 6, 10, 10]


def test_a_trial_counts_refusals_as_misses_and_measures_delivery_against_the_schedule() -> None:
    rate, duration_s = 200.0, 3.0
    scheduled = len(offsets(rate, duration_s, "poisson"))
    sample = LoadSample(duration_s=duration_s)
    answered = scheduled // 2
    for index in range(answered - 2):
        sample.record(OK, 1_000 + 100 * index)  # every 200 a different latency, so a rank shows
    for _ in range(2):  # within the misses a p99 allows, and answered faster than any 200
        sample.record(REFUSED, 100)
    load = slo_search.TrialLoad.of(sample, rate, duration_s)
    assert load.delivered_rps == pytest.approx(rate * answered / scheduled)
    assert (load.samples, load.refused, load.errors) == (answered, 2, 0)
    assert load.p99_ms == sample.percentile_counting_refusals_ms(slo_search.PERCENTILE)
    # Counted as fast answers, the refusals would have lowered it.
    assert load.p99_ms > sample.percentile_us(slo_search.PERCENTILE) / 1000


def test_a_trial_keeps_the_servers_cpu_per_request_when_measured() -> None:
    sample = LoadSample(duration_s=1.0)
    for _ in range(400):
        sample.record(OK, 1_000)
    assert slo_search.TrialLoad.of(sample, 400.0, 1.0).server_cpu_us is None
    # 0.9 CPU seconds over 400 requests: 2,250 µs each, the figure that rises when the host slows the core.
    cpu_us = resources.per_request_us(0.9, sample.requests)
    assert cpu_us == pytest.approx(2_250)
    assert slo_search.TrialLoad.of(sample, 400.0, 1.0, cpu_us).server_cpu_us == cpu_us


def test_searches_in_turn_alternate_trial_by_trial_and_find_what_each_finds_alone() -> None:
    capacities = (1000.0, 600.0)  # within 50 ms up to 816/s and 490/s

    def server(capacity: float) -> Trial:
        return lambda rate: slo_search.TrialLoad(rate, rate, queueing_p99(rate, capacity), 600, 0, 0)

    alone = [
        slo_search.search(slo_search.searching(SLO_MS, start_rps=300.0, max_trials=20), server(c))
        for c in capacities
    ]
    order: list[int] = []

    def trial(index: int, rate: float) -> slo_search.TrialLoad:
        order.append(index)
        return slo_search.TrialLoad(rate, rate, queueing_p99(rate, capacities[index]), 600, 0, 0)

    searches = [slo_search.searching(SLO_MS, 300.0, max_trials=20) for _ in capacities]
    together = slo_search.in_turn(searches, trial)
    assert together == alone
    shorter = min(len(outcome.trials) for outcome in alone)
    assert order[: 2 * shorter] == [0, 1] * shorter  # turn by turn while both search
    assert len(order) == sum(len(outcome.trials) for outcome in alone)


def test_a_search_whose_trial_raised_ends_with_the_error_and_the_other_goes_on() -> None:
    def trial(index: int, rate: float) -> slo_search.TrialLoad:
        if index == 0 and rate > 400:
            raise ConnectionError("the server went away")
        return slo_search.TrialLoad(rate, rate, queueing_p99(rate), 600, 0, 0)

    searches = [slo_search.searching(SLO_MS, 300.0, max_trials=20) for _ in range(2)]
    failed, found = slo_search.in_turn(searches, trial)
    assert isinstance(failed, ConnectionError)
    assert isinstance(found, slo_search.Outcome)
    assert 816 / slo_search.RESOLUTION <= found.capacity_rps <= 816
