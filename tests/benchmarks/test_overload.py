"""The overload goals: which figures miss them (the figures themselves are printed by `benchmarks.overload`)."""

from __future__ import annotations

import dataclasses

from benchmarks.faults import ProbeResult
from benchmarks.overload import OVERLOADED, Counts, Overload, judged


def overload(counts: Counts, live: list[float | None] | None = None) -> Overload:
    return Overload(
        "flask_app", "closed loop c=256", 2.0, counts, ProbeResult(live or [5.0]), ProbeResult([5.0])
    )


def test_a_run_within_every_goal_misses_nothing() -> None:
    assert overload(Counts(100, 900, 0, 19.9, 49.9)).misses() == []


def test_each_goal_is_missed_with_its_figure() -> None:
    missed = overload(Counts(100, 900, 3, 21.0, 50.0), live=[5.0, None, 1200.0]).misses()
    assert missed == [
        "refusals' p99 50.0 ms",
        "accepted p99 10.5x the unloaded p50",
        "3 errors",
        "liveness worst 1200 ms, 1 failed",
    ]


def test_no_refusal_is_no_refusal_latency_to_judge() -> None:
    assert overload(Counts(1000, 0, 0, 10.0, 0.0)).misses() == []


def test_at_half_load_with_frozen_workers_any_refusal_is_a_miss_and_latency_has_no_goal() -> None:
    frozen = Overload(
        "flask_app",
        "stalls",
        2.0,
        Counts(500, 3, 0, 120.0, 90.0),
        ProbeResult([5.0]),
        ProbeResult([5.0]),
        stalls=True,
    )
    assert frozen.misses() == ["3 refused"]


def test_a_goal_the_generators_alone_miss_is_not_judged() -> None:
    # The no-op server's p99 under the same load was 60 ms: neither 50 ms refusals nor 10x a 2 ms p50 can be told.
    run = overload(Counts(100, 900, 0, 80.0, 70.0))
    assert run.misses() == ["refusals' p99 70.0 ms", "accepted p99 40.0x the unloaded p50"]
    alone = dataclasses.replace(run, generators_p99_ms=60.0)
    assert alone.misses() == []
    assert alone.unjudged() == [
        "refusals' p99 (the generators alone: 60.0 ms)",
        "accepted p99 (the generators alone: 60.0 ms)",
    ]
    assert alone.line().endswith("-> met where judged; not judged: refusals' p99 (the generators alone: 60.0 ms); "
                                 "accepted p99 (the generators alone: 60.0 ms)")  # fmt: skip


def test_generators_within_the_goals_leave_every_goal_judged() -> None:
    run = dataclasses.replace(overload(Counts(100, 900, 0, 80.0, 70.0)), generators_p99_ms=3.0)
    assert run.unjudged() == []
    assert run.misses() == ["refusals' p99 70.0 ms", "accepted p99 40.0x the unloaded p50"]


def test_each_front_end_run_is_judged_against_the_generators_under_the_same_load() -> None:
    closed = overload(Counts(100, 900, 0, 80.0, 70.0))
    open_loop = dataclasses.replace(closed, kind=OVERLOADED, detail="300 req/s")
    alone = [
        dataclasses.replace(closed, target="no-op", counts=Counts(1000, 0, 0, 140.0, 0.0)),
        dataclasses.replace(
            open_loop, target="no-op", detail="450 req/s", counts=Counts(900, 0, 0, 2.0, 0.0)
        ),
    ]
    assert judged(closed, alone).generators_p99_ms == 140.0
    assert judged(open_loop, alone).generators_p99_ms == 2.0


def test_a_loads_name_is_its_kind_and_what_else_it_was() -> None:
    run = overload(Counts(100, 900, 0, 10.0, 10.0))
    assert run.load == "closed loop c=256"
    assert dataclasses.replace(run, kind=OVERLOADED, detail="331 req/s").load == "open loop 2x, 331 req/s"
