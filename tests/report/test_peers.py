"""The report's peers section: the goal "our front end or a model server" judged on paired repeats, and its table."""

from __future__ import annotations

import pytest

from benchmarks.results import Figure, Measurement, Results, Target
from report.contents import build
from report.document import markdown
from report.figures import normalised
from report.peers import goal_lines, goals, peer_rows
from tests.report.sample_results import sample_results

WEIGHTS = {"latency": 3.0, "throughput": 1.0, "memory": 1.0, "cold_start": 1.0, "loc": 2.0}
VERIFIED = "20 records: labels equal, probabilities bit-identical to scikit-learn in-process"


def target(name: str, kind: str, protocol: str, capacities: list[float], variant: str = "default") -> Target:
    server = Measurement(
        scenario="server",
        params={"slo_ms": 50.0, "percentile": 99},
        figures={"capacity_rps": Figure.of("req/s", capacities)},
    )
    return Target(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        variant=variant,
        workers=1,
        server="s",
        verified=True,
        measurements=[server],
        protocol=protocol,  # type: ignore[arg-type]
        verification=VERIFIED,
    )


def with_peers(base: Results, fastapi: list[float], flask: list[float], mlserver: list[float]) -> Results:
    added = [
        target("mlserver", "peer", "oip", mlserver),
        target("fastapi", "front_end", "oip", fastapi, "async"),
        target("flask", "front_end", "oip", flask, "gthread"),
    ]
    return base.model_copy(update={"targets": [*base.targets, *added]})


@pytest.fixture
def base() -> Results:
    return normalised(sample_results())


@pytest.mark.parametrize(
    ("fastapi", "flask", "verdicts"),
    [
        ([2100.0, 2200.0, 2300.0], [1250.0, 1300.0, 1350.0], ["held", "held"]),
        ([1500.0, 1600.0, 1700.0], [1100.0, 1150.0, 1190.0], ["did not hold", "did not hold"]),
        ([1900.0, 2100.0, 2200.0], [1250.0, 1300.0, 1350.0], ["within noise", "held"]),
    ],
)
def test_each_goal_is_judged_on_repeat_by_repeat_ratios(base, fastapi, flask, verdicts) -> None:
    results = with_peers(base, fastapi, flask, [1000.0, 1000.0, 1000.0])
    found = goals(results)
    assert [(g.front_end, g.protocol, g.wanted) for g in found] == [
        ("fastapi", "OIP", 2.0),
        ("flask", "OIP", 1.2),
    ]
    assert [g.verdict for g in found] == verdicts
    assert found[0].ratio is not None
    assert found[0].ratio.repeats == [f / 1000.0 for f in fastapi]


def test_a_goal_not_held_says_what_it_would_take(base) -> None:
    results = with_peers(base, [1500.0, 1600.0, 1700.0], [1300.0] * 3, [1000.0, 1000.0, 1000.0])
    line = goal_lines(results)[0]
    assert line.startswith("**fastapi ≥ 2× MLServer** (OIP payloads, 1 worker each): did not hold: 1.60×")
    assert "it would take 2,000 req/s at the SLO against MLServer's 1,000, a 1.25× faster front end" in line


def test_a_failed_peer_leaves_the_goal_unjudged_and_is_shown_as_failed(base) -> None:
    results = with_peers(base, [2100.0] * 3, [1300.0] * 3, [1000.0] * 3)
    failed = [
        t.model_copy(
            update={"verified": False, "failure": "PeerMissing: run `make peers`", "measurements": []}
        )
        if t.name == "mlserver"
        else t
        for t in results.targets
    ]
    results = results.model_copy(update={"targets": failed})
    assert [g.verdict for g in goals(results)] == ["cannot be judged", "cannot be judged"]
    assert "MLServer failed: PeerMissing: run `make peers`" in goal_lines(results)[0]
    shown = {row.cells[0]: row.cells[3] for row in peer_rows(results) if row.cells[0] == "mlserver"}
    assert shown == {"mlserver": "FAILED: PeerMissing: run `make peers`"}


def test_the_section_appears_only_for_a_run_with_peers(base) -> None:
    assert "## Our front end or a model server" not in markdown(build(base, WEIGHTS))
    text = markdown(build(with_peers(base, [2100.0] * 3, [1300.0] * 3, [1000.0] * 3), WEIGHTS))
    assert "## Our front end or a model server" in text
    assert "**fastapi ≥ 2× MLServer** (OIP payloads, 1 worker each): held: 2.10×" in text
