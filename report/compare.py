"""Comparing two runs: a change counts only when the new median lies outside the old min-max and moved by > 10 %."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import Figure, Results

THRESHOLD = 0.10


@dataclass(frozen=True, slots=True)
class Change:
    """One figure of one target and configuration, before and after."""

    target: str
    variant: str
    workers: int
    scenario: str
    params: str
    key: str
    unit: str
    old: Figure
    new: Figure

    @property
    def relative(self) -> float:
        return (self.new.median - self.old.median) / self.old.median if self.old.median else float("inf")

    @property
    def significant(self) -> bool:
        """Outside the old run's spread, and by more than the threshold."""
        outside = self.new.median < self.old.min or self.new.median > self.old.max
        return outside and abs(self.relative) > THRESHOLD


def changes(old: Results, new: Results) -> list[Change]:
    """Every figure present in both runs, paired by target, configuration, scenario and parameters."""
    before = dict(_figures(old))
    paired = []
    for identity, figure in _figures(new):
        if identity in before:
            target, variant, workers, scenario, params, key = identity
            paired.append(
                Change(target, variant, workers, scenario, params, key, figure.unit, before[identity], figure)
            )
    return paired


def significant_changes(old: Results, new: Results) -> list[Change]:
    """Only the changes that count."""
    return [change for change in changes(old, new) if change.significant]


def _figures(results: Results) -> list[tuple[tuple[str, str, int, str, str, str], Figure]]:
    items: list[tuple[tuple[str, str, int, str, str, str], Figure]] = []
    for target in results.targets:
        for measured in target.measurements:
            if measured.failure is not None:
                continue
            params = ", ".join(f"{k}={v}" for k, v in sorted(measured.params.items()))
            for key, figure in measured.figures.items():
                identity = (target.name, target.variant, target.workers, measured.scenario, params, key)
                items.append((identity, figure))
    return items
