"""The order of a run's rounds: every group's measurements, then each Server search over every target, in turn."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from rich.progress import Progress

from benchmarks import plan
from benchmarks.__main__ import main
from benchmarks.results import DEFAULT_SLO_MS
from benchmarks.rounds import measure_rounds
from benchmarks.runs import Run
from benchmarks.scenarios import Scenario, Server
from benchmarks.targets import front_end


@dataclass
class RecordingHarness:
    """Records what the rounds ask of the harness, in order; the measurement named in `fails` raises."""

    settings: plan.Settings
    fails: tuple[str, str] | None = None  # (target label, scenario) whose measurement raises
    calls: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def measure_floor(self, batch_size: int) -> None:
        self.calls.append((f"in-process batch {batch_size}", ()))

    def warm_up(self, run: Run) -> None:
        self.calls.append(("warm-up", (run.spec.label,)))

    def note_idle(self, run: Run) -> None:
        pass

    def measure(self, run: Run, scenario: Scenario) -> None:
        self.calls.append((str(scenario), (run.spec.label,)))
        if self.fails == (run.spec.label, str(scenario)):
            raise RuntimeError("the server answered 500")

    def measure_together(self, runs: Sequence[Run], scenario: Scenario) -> None:
        self.calls.append((str(scenario), tuple(run.spec.label for run in runs)))


class Moments:
    """Stands in for the calibration: records the moments it is asked to probe."""

    def __init__(self) -> None:
        self.moments: list[str] = []

    def probe(self, moment: str) -> None:
        self.moments.append(moment)


def _rounds(
    fails: tuple[str, str] | None = None, settings: plan.Settings = plan.FULL
) -> tuple[RecordingHarness, list[str]]:
    specs = plan.targets(settings)
    runs = {spec: Run(spec, plan.scenarios(settings, spec)) for spec in specs}
    groups = [[runs[spec] for spec in group] for group in plan.groups(specs)]
    harness, moments = RecordingHarness(settings, fails), Moments()
    with Progress(disable=True) as progress:
        measure_rounds(harness, groups, moments, progress)
    return harness, moments.moments


SEARCH = str(Server(DEFAULT_SLO_MS))  # the full run's Server scenario


def _per_round(calls: list[tuple[str, tuple[str, ...]]]) -> list[list[tuple[str, tuple[str, ...]]]]:
    starts = [i for i, (what, _) in enumerate(calls) if what == "in-process batch 1"]
    return [calls[a:b] for a, b in zip(starts, [*starts[1:], len(calls)], strict=True)]


def test_each_round_searches_every_target_in_one_search_that_takes_turns_after_the_groups() -> None:
    harness, moments = _rounds()
    rounds = _per_round(harness.calls)
    assert len(rounds) == plan.FULL.repeats
    assert moments == [f"after round {i + 1}" for i in range(plan.FULL.repeats)]
    for calls in rounds:
        searches = [targets for what, targets in calls if what == SEARCH]
        # One search a round, and nothing measured after it: every group's other figures came first.
        assert len(searches) == 1
        assert calls[-1][0] == SEARCH
        (turns,) = searches
        # The levers' targets take turns with the shipped FastAPI, as each front end does with its floor.
        for lever in (front_end("fastapi_app", "async", 2).label, front_end("fastapi_app", "batched").label):
            assert {front_end("fastapi_app", "async").label, lever} <= set(turns)
        expected = _labels_with(SEARCH)
        assert set(turns) == expected
        assert len(turns) == len(expected)


def _labels_with(scenario: str) -> set[str]:
    return {
        spec.label
        for spec in plan.targets(plan.FULL)
        if scenario in map(str, plan.scenarios(plan.FULL, spec))
    }


def test_a_target_that_failed_earlier_in_the_round_is_left_out_of_the_search() -> None:
    batched = front_end("flask_app", "batched").label
    harness, _ = _rounds(fails=(batched, "c=1"))
    (first, *later) = _per_round(harness.calls)
    (turns,) = [targets for what, targets in first if what == SEARCH]
    assert batched not in turns
    assert front_end("fastapi_app", "batched").label in turns
    # A failed target is measured no more, in this round or later ones.
    assert all(batched not in targets for calls in later for _, targets in calls)


def test_capacity_rounds_past_the_plans_rounds_are_the_search_and_the_probe_alone() -> None:
    settings = dataclasses.replace(plan.FULL, capacity_rounds=plan.FULL.repeats + 2)
    harness, moments = _rounds(settings=settings)
    assert moments == [f"after round {i + 1}" for i in range(plan.FULL.repeats + 2)]
    searches = [i for i, (what, _) in enumerate(harness.calls) if what == SEARCH]
    assert len(searches) == plan.FULL.repeats + 2
    # After the plan's last round, nothing but the two searches: no floor, warm-up or closed loop.
    last_full = searches[plan.FULL.repeats - 1]
    assert [what for what, _ in harness.calls[last_full:]] == [SEARCH] * 3
    # Each search takes every target that has one, in turn, as in the plan's rounds.
    assert all(set(targets) == _labels_with(SEARCH) for what, targets in harness.calls if what == SEARCH)
    # The other scenarios keep the plan's rounds: c=1 on the shipped Flask, the generators' ceiling once.
    flask = front_end("flask_app", "gthread").label
    assert harness.calls.count(("c=1", (flask,))) == plan.FULL.repeats
    assert sum(what.startswith("the asyncio generator's ceiling") for what, _ in harness.calls) == 1


def test_capacity_rounds_are_in_the_estimate_and_the_recorded_plan() -> None:
    settings = dataclasses.replace(plan.FULL, capacity_rounds=plan.FULL.repeats + 2)
    searching = sum(
        scenario.duration_s(settings)
        for spec in plan.targets(settings)
        if spec.kind != "generator_ceiling"
        for scenario in plan.scenarios(settings, spec)
        if isinstance(scenario, Server)
    )
    assert plan.estimate_s(settings) - plan.estimate_s(plan.FULL) == pytest.approx(2 * searching)
    assert plan.describe(settings).capacity_rounds == plan.FULL.repeats + 2
    assert plan.describe(settings).search_repeats == plan.FULL.repeats + 2
    # Fewer than the plan's rounds asks for nothing less: every round searches.
    fewer = dataclasses.replace(plan.FULL, capacity_rounds=1)
    assert fewer.search_repeats == plan.FULL.repeats
    assert plan.describe(fewer).capacity_rounds is None
    assert plan.describe(plan.FULL).capacity_rounds is None


@pytest.mark.parametrize("rounds", ["0", "-3", "2.5", "many"])
def test_capacity_rounds_must_be_a_whole_number_of_at_least_one(
    rounds: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--capacity-rounds", rounds])
    assert exited.value.code == 2
    assert "--capacity-rounds" in capsys.readouterr().err
