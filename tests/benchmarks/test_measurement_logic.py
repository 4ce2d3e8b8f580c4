"""The logic behind the headline figures, on made-up loads: the SLO search, stability, paired ratios, groups."""

from __future__ import annotations

import pytest

from benchmarks import plan, slo_search
from benchmarks.calibration import MAX_SPREAD, stability
from benchmarks.load_sample import OK, REFUSED, LoadSample
from benchmarks.pairing import paired_ratios
from benchmarks.repeats import Repeat
from benchmarks.results import DEFAULT_SLO_MS, CalibrationProbe
from benchmarks.rounds import ordered
from benchmarks.runs import Run
from benchmarks.scenarios import ClosedLoop, Server
from benchmarks.targets import floor, front_end


def queueing_server(capacity: float, service_ms: float = 2.0):
    """A made-up server whose p99 grows like an M/M/1 queue's and explodes past its capacity."""
    tried: list[float] = []

    def trial(rate: float) -> slo_search.TrialLoad:
        tried.append(rate)
        load = rate / capacity
        p99 = service_ms * 4.6 / (1 - load) if load < 1 else 10_000.0
        return slo_search.TrialLoad(rate, rate, p99, int(rate * 2), 0, 0)

    return trial, tried


@pytest.mark.parametrize("start", [10.0, 300.0, 900.0, 5000.0])
def test_the_search_finds_the_highest_rate_within_the_slo_from_any_start(start: float) -> None:
    trial, tried = queueing_server(capacity=1000.0)
    # p99 = 9.2 / (1 - r/1000) ≤ 50  ⇔  r ≤ 816
    outcome = slo_search.search(slo_search.searching(50.0, start_rps=start, max_trials=20), trial)
    assert 816 / slo_search.RESOLUTION <= outcome.capacity_rps <= 816
    assert outcome.p99_ms_at_capacity <= 50.0
    assert [j.load.offered_rps for j in outcome.trials] == tried
    failing = [j.load.offered_rps for j in outcome.trials if not j.passed]
    assert min(failing) <= outcome.capacity_rps * slo_search.RESOLUTION
    assert all("≤" in j.why for j in outcome.trials if j.passed)


def test_a_later_search_whose_start_fails_steps_down_fast_enough_to_find_a_rate() -> None:
    trial, tried = queueing_server(capacity=500.0)
    # A later repeat starts at an earlier capacity the machine no longer reaches (p99 ≤ 50 ⇔ r ≤ 408).
    outcome = slo_search.search(
        slo_search.searching(50.0, start_rps=800.0, growth=slo_search.LATER_GROWTH, max_trials=7), trial
    )
    assert tried[1] == pytest.approx(800 / slo_search.FIRST_GROWTH)
    assert 408 / 1.2 <= outcome.capacity_rps <= 408


def test_the_search_stops_at_its_trial_budget_and_reports_zero_when_nothing_passed() -> None:
    trial, tried = queueing_server(capacity=10.0)
    outcome = slo_search.search(slo_search.searching(50.0, start_rps=1000.0, max_trials=3), trial)
    assert len(tried) == 3
    assert outcome.capacity_rps == 0.0
    assert [j.passed for j in outcome.trials] == [False, False, False]


@pytest.mark.parametrize(
    ("load", "why"),
    [
        (slo_search.TrialLoad(100, 100, 10, 200, 2, 0), "2 errors"),
        (slo_search.TrialLoad(100, 100, 10, 200, 0, 5), "5 refused"),
        (slo_search.TrialLoad(100, 90, 10, 200, 0, 0), "delivered 90 of 100/s"),
        (slo_search.TrialLoad(100, 100, 51, 200, 0, 0), "p99 51.0 ms > 50 ms"),
    ],
)
def test_a_trial_fails_for_each_reason_and_says_which(load: slo_search.TrialLoad, why: str) -> None:
    judged = slo_search.judge(load, 50.0)
    assert (judged.passed, judged.why) == (False, why)


def test_refusals_are_misses_a_p99_objective_has_room_for() -> None:
    assert slo_search.judge(slo_search.TrialLoad(100, 100, 10, 1000, 0, 10), 50.0).passed
    assert not slo_search.judge(slo_search.TrialLoad(100, 100, 10, 1000, 0, 11), 50.0).passed


def test_the_p99_counts_each_refusal_slower_than_any_answer() -> None:
    sample = LoadSample(duration_s=1.0)
    for _ in range(985):
        sample.record(OK, 1_000)
    for _ in range(10):
        sample.record(OK, 40_000)
    for _ in range(5):
        sample.record(REFUSED, 100)
    # Rank 990 of 1000 is still a fast answer; with the refusals as misses, rank 990 lands among the slow ones.
    assert sample.percentile_us(99) < 2_000
    assert sample.percentile_missing_refusals_us(99) == pytest.approx(40_000, rel=0.01)
    for _ in range(10):
        sample.record(REFUSED, 100)
    assert sample.percentile_missing_refusals_us(99) == float("inf")


def test_trials_hold_enough_queries_within_their_time_bounds() -> None:
    assert slo_search.trial_seconds(10_000) == slo_search.MIN_TRIAL_S
    assert slo_search.trial_seconds(250) == pytest.approx(2.4)
    assert slo_search.trial_seconds(10) == slo_search.MAX_TRIAL_S
    assert slo_search.trial_seconds(250, queries=200) == pytest.approx(0.8)


def probes(times: dict[str, list[float]]) -> list[CalibrationProbe]:
    return [
        CalibrationProbe(moment=moment, core=core, ms=ms)
        for moment, per_core in times.items()
        for core, ms in enumerate(per_core)
    ]


def test_a_steady_machine_is_stable_and_a_disturbed_one_says_why() -> None:
    calm = stability(probes({"before": [20.0, 20.4], "after": [20.2, 20.6]}), 0.01, [0.02, 0.03])
    assert (calm.stable, calm.reasons, calm.spread) == (True, [], 0.03)
    busy = stability(probes({"before": [20.0, 20.4], "after round 1": [41.0, 20.6]}), 0.09, [0.9, 0.0])
    assert not busy.stable
    assert busy.spread == pytest.approx(1.05)
    assert busy.spread > MAX_SPREAD
    assert busy.reasons[0].startswith("the calibration loop's time moved 105% over the run")
    assert "core 0 after round 1: 41.0 ms" in busy.reasons[0]
    assert "steal" in busy.reasons[1]
    assert busy.reasons[2] == "core 0 was 90% busy with other work before the run"


def measured(spec, **per_scenario: list[float]) -> Run:
    run = Run(spec)
    for p50 in per_scenario.get("p50", []):
        run.repeats[ClosedLoop(1).key].append(Repeat(1000 / p50, {"50": p50}, 100, 0, 0))
    for capacity in per_scenario.get("capacity", []):
        run.repeats[Server(50.0).key].append(Repeat(capacity, {"99": 40.0}, 100, 0, 0))
    return run


def test_paired_ratios_pair_rounds_and_call_a_range_across_one_within_noise() -> None:
    flask = measured(front_end("flask_app"), p50=[1.2, 2.4, 1.3], capacity=[300, 150, 290])
    floor_run = measured(floor("wsgi-floor"), p50=[1.0, 2.0, 1.0], capacity=[360, 170, 360])
    fastapi = measured(front_end("fastapi_app"), p50=[1.1, 2.0, 1.4])
    ratios = {r.name: r for r in paired_ratios([(flask, floor_run), (flask, fastapi)], 50.0)}
    p50 = ratios["flask_app (gthread, 1w) over wsgi-floor (default, 1w): SingleStream p50"]
    # Absolute figures doubled in round 2; the paired ratio barely moved.
    assert p50.ratio.repeats == [1.2, 1.2, 1.3]
    assert (p50.numerator, p50.denominator, p50.within_noise) == (
        "flask_app (gthread, 1w)",
        "wsgi-floor (default, 1w)",
        False,
    )
    capacity = ratios["flask_app (gthread, 1w) over wsgi-floor (default, 1w): capacity at the SLO"]
    assert capacity.numerator == "wsgi-floor (default, 1w)"
    assert capacity.ratio.repeats == pytest.approx([1.2, 1.1333, 1.2414], abs=1e-4)
    rivals = ratios["flask_app (gthread, 1w) over fastapi_app (async, 1w): SingleStream p50"]
    assert rivals.within_noise  # 1.09, 1.2, 0.93: crosses 1.0
    assert len(ratios) == 3  # no capacity for FastAPI here: no ratio rather than a made-up one


def test_front_ends_and_their_floors_are_grouped_and_stay_side_by_side_every_round() -> None:
    specs = plan.targets(plan.FULL)
    groups = plan.groups(specs)
    assert sorted(spec.label for group in groups for spec in group) == sorted(spec.label for spec in specs)
    one_worker = next(group for group in groups if front_end("flask_app") in group)
    assert one_worker == [
        front_end("flask_app"),
        floor("wsgi-floor"),
        front_end("fastapi_app"),
        floor("asgi-floor"),
    ]
    runs = [Run(spec) for spec in one_worker]
    for round_index in range(4):
        labels = [run.spec.name for run in ordered(runs, round_index)]
        for name, partner in (("flask_app", "wsgi-floor"), ("fastapi_app", "asgi-floor")):
            assert abs(labels.index(name) - labels.index(partner)) == 1
    firsts = {ordered(runs, round_index)[0].spec.name for round_index in range(4)}
    assert firsts == {"flask_app", "wsgi-floor", "fastapi_app", "asgi-floor"}


def test_every_shipped_http_target_runs_the_server_scenario_after_its_closed_loops() -> None:
    for spec in plan.targets(plan.FULL):
        chosen = plan.scenarios(plan.FULL, spec)
        if spec.is_http and (spec.kind == "server_floor" or spec.variant in ("gthread", "async")):
            assert Server(DEFAULT_SLO_MS) in chosen, spec.label
            assert chosen.index(Server(DEFAULT_SLO_MS)) > chosen.index(ClosedLoop(8)), spec.label


def test_a_target_that_fails_keeps_its_failure_and_is_attempted_no_more() -> None:
    run = Run(front_end("flask_app"))
    calls: list[str] = []

    def refuses() -> None:
        calls.append("refuses")
        raise ConnectionRefusedError("no server on the socket")

    run.attempt(refuses)
    run.attempt(lambda: calls.append("after"))
    assert run.failure == "ConnectionRefusedError: no server on the socket"
    assert calls == ["refuses"]
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C ends the run; it is not the target's failure
        Run(front_end("fastapi_app")).attempt(_interrupt)


def _interrupt() -> None:
    raise KeyboardInterrupt
