"""Choosing the in-flight limit: the figures over the rounds, and the limit to ship (the measuring is `make limits`)."""

from __future__ import annotations

from benchmarks.faults import ProbeResult
from benchmarks.limits import Measured, rows, to_ship
from benchmarks.overload import OVERLOADED, Counts, Overload


def measured(
    limit: int, round_index: int, capacity: float, accepted_p99_ms: float, stall_refusals: int = 0
) -> Measured:
    double = Overload(
        f"flask_app {limit}",
        OVERLOADED,
        2.0,
        Counts(3000, 1000, 0, accepted_p99_ms, 20.0),
        ProbeResult([5.0]),
        ProbeResult([5.0]),
        detail="400 req/s",
    )
    stalls = Overload(
        f"flask_app {limit}",
        "open loop 0.5x",
        2.0,
        Counts(1000, stall_refusals, 0, 90.0, 0.0),
        ProbeResult([5.0]),
        ProbeResult([5.0]),
        stalls=True,
    )
    return Measured("flask_app", limit, round_index, capacity, 200.0, (double, stalls))  # fmt: skip


def test_each_limit_is_summed_up_over_its_rounds() -> None:
    (row,) = rows([measured(8, 0, 150.0, 16.0), measured(8, 1, 170.0, 24.0, stall_refusals=3)])
    assert row.capacity_rps == (160.0, 150.0, 170.0)
    assert row.accepted_p99_over_p50 == (10.0, 8.0, 12.0)
    assert row.refused_in_stalls == (1.5, 0.0, 3.0)
    assert (row.rounds_met, row.rounds) == (1, 2)  # the second: 12x, and 3 refused in its stalls
    assert row.cells() == ("8", "160 (150–170)", "10.0x (8.0x–12.0x)", "20.0", "2 (0–3)", "1 of 2")


def test_the_limit_to_ship_met_every_goal_in_every_round_and_holds_the_most() -> None:
    found = rows(
        [
            measured(4, 0, 120.0, 8.0),
            measured(8, 0, 160.0, 14.0),
            measured(16, 0, 200.0, 30.0),
            measured(4, 1, 110.0, 9.0),
            measured(8, 1, 150.0, 18.0),
            measured(16, 1, 210.0, 28.0),
        ]
    )
    assert [row.limit for row in found] == [4, 8, 16]
    best = to_ship(found, "flask_app")
    assert best is not None
    assert best.limit == 8
    assert to_ship(found, "fastapi_app") is None
