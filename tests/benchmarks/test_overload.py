"""The overload goals: which figures miss them (the figures themselves are printed by `benchmarks.overload`)."""

from __future__ import annotations

from benchmarks.faults import ProbeResult
from benchmarks.overload import Counts, Overload


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
