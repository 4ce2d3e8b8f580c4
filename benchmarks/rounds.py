"""The measuring rounds: every group's figures side by side, then each round's turn-taking searches, then a probe.

Round by round, so the host's drifts (seconds to hours on this machine kind) fall on every target alike: the groups
rotate their order each round, a front end is measured beside its floor scenario by scenario, and a scenario whose
targets take turns (the Server search) runs once a round over every group's targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Protocol

from rich.progress import Progress

from benchmarks import plan
from benchmarks.runs import Run
from benchmarks.scenarios import Scenario

if TYPE_CHECKING:
    from benchmarks.plan import Settings


class Measurer(Protocol):
    """What the rounds ask of the harness."""

    @property
    def settings(self) -> Settings: ...

    def measure_floor(self, batch_size: int) -> None: ...

    def warm_up(self, run: Run) -> None: ...

    def note_idle(self, run: Run) -> None: ...

    def measure(self, run: Run, scenario: Scenario) -> None: ...

    def measure_together(self, runs: Sequence[Run], scenario: Scenario) -> None: ...


class Prober(Protocol):
    """The calibration, as the rounds use it: a probe after each round."""

    def probe(self, moment: str) -> None: ...


def ordered(group: Sequence[Run], round_index: int) -> list[Run]:
    """A group's order in one round: pairs rotated each round, each pair's two flipped once every pair led."""
    pairs = [list(group[i : i + 2]) for i in range(0, len(group), 2)]
    shift = round_index % len(pairs)
    flipped = (round_index // len(pairs)) % 2 == 1
    pairs = pairs[shift:] + pairs[:shift]
    return [run for pair in pairs for run in (reversed(pair) if flipped else pair)]


def measure_rounds(
    measurer: Measurer, groups: list[list[Run]], calibration: Prober, progress: Progress
) -> None:
    """Every round of the run: in-process predict, each group's figures, the round's searches, a calibration probe.

    Rounds past the plan's `repeats` (CAPACITY_ROUNDS) are the searches and the probe alone.
    """
    settings = measurer.settings

    def measured(run: Run, scenario: Scenario, round_index: int) -> bool:
        return (
            scenario in run.scenarios
            and run.failure is None
            and round_index < plan.rounds_of(settings, run.spec, scenario)
        )

    live = [run for group in groups for run in group if run.failure is None]
    steps = sum(
        plan.rounds_of(settings, run.spec, scenario) for run in live for scenario in run.scenarios
    ) + sum(plan.full_rounds(settings, run.spec) for run in live)  # the warm-ups
    task = progress.add_task("measuring", total=steps + settings.repeats * len(settings.batch_sizes))
    for round_index in range(settings.search_repeats):
        full = round_index < settings.repeats
        for batch_size in settings.batch_sizes if full else ():
            progress.update(
                task, description=f"round {round_index + 1}: in-process predict, batch {batch_size}"
            )
            measurer.measure_floor(batch_size)
            progress.advance(task)
        # Interleave: every group once per round, starting one later each round, so drifts spread evenly.
        shift = round_index % len(groups) if groups else 0
        # A scenario whose targets take turns (the Server search) runs once a round over every group's targets, after
        # the groups: a lever's target (a second worker, a batched variant) then pairs with the shipped front end
        # trial by trial, as a front end does with its floor, not a whole group's measurements apart.
        in_turn: dict[Scenario, list[Run]] = {}
        for group in groups[shift:] + groups[:shift]:
            members = [
                run
                for run in ordered(group, round_index)
                if any(measured(run, scenario, round_index) for scenario in run.scenarios)
            ]
            for run in members if full else ():
                progress.update(task, description=f"round {round_index + 1}: warm-up {run.spec.label}")
                if plan.warms_up(run.spec, round_index):
                    run.attempt(partial(measurer.warm_up, run))
                progress.advance(task)
                if round_index == 0:
                    run.attempt(partial(measurer.note_idle, run))
            # Scenario by scenario across the group: a front end and its floor are measured moments apart.
            for scenario in _scenarios_of(members):
                chosen = [run for run in members if measured(run, scenario, round_index)]
                if scenario.together:
                    in_turn.setdefault(scenario, []).extend(chosen)
                    continue
                for run in chosen:
                    progress.update(task, description=f"round {round_index + 1}: {run.spec.label} {scenario}")
                    run.attempt(partial(measurer.measure, run, scenario))
                    progress.advance(task)
        for scenario, queued in in_turn.items():
            turns = [run for run in queued if run.failure is None]  # none that failed since it was queued
            names = ", ".join(run.spec.label for run in turns)
            progress.update(task, description=f"round {round_index + 1}: {scenario}, in turn: {names}")
            if turns:
                measurer.measure_together(turns, scenario)
            progress.advance(task, len(queued))
        progress.update(task, description=f"round {round_index + 1}: calibration probe")
        calibration.probe(f"after round {round_index + 1}")


def _scenarios_of(runs: Sequence[Run]) -> list[Scenario]:
    seen: list[Scenario] = []
    for run in runs:
        seen += [scenario for scenario in run.scenarios if scenario not in seen]
    return seen
