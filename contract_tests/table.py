"""The front end x clause table: collected from test outcomes, printed, and written as JSON (see RESULTS.md)."""

from __future__ import annotations

import json
import platform
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.environment import git_revision
from contract_tests.clauses import CLAUSES, FRONT_ENDS, MODES
from contract_tests.fleet import Target

SCHEMA = "servebench.contract/1"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
PASS, FAIL, NA, NOT_RUN = "pass", "fail", "n/a", "not run"


@dataclass(slots=True)
class Cell:
    """The tests of one clause for one front end in one mode (all models)."""

    tests: int = 0
    failed: int = 0
    by_model: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def status(self) -> str:
        if self.failed:
            return FAIL
        return PASS if self.tests else NOT_RUN


class ClauseTable:
    """Outcomes per (front end, mode, clause), with the time spent in each mode."""

    def __init__(self, modes: tuple[str, ...], models: tuple[str, ...]) -> None:
        self.modes = modes
        self.models = models
        self.cells: dict[tuple[str, str, str], Cell] = defaultdict(Cell)
        self.seconds: dict[str, float] = defaultdict(float)
        self._counted: set[tuple[str, str]] = set()

    def record(self, target: Target, clause: str, when: str, outcome: str, duration: float) -> None:
        """Add one test phase's outcome (setup, call or teardown); a failure in any phase fails the test."""
        self.seconds[target.mode] += duration
        cell = self.cells[(target.front_end, target.mode, clause)]
        model = cell.by_model[target.model_label]
        if when == "call" or (outcome == "failed" and when == "setup"):
            cell.tests += 1
            model[0] += 1
        if outcome == "failed":
            cell.failed += 1
            model[1] += 1

    def has_results(self) -> bool:
        return bool(self.cells)

    def status(self, front_end: str, mode: str, clause_id: str) -> str:
        clause = next(clause for clause in CLAUSES if clause.id == clause_id)
        if not clause.applies(front_end, mode):
            return NA
        cell = self.cells.get((front_end, mode, clause_id))
        return cell.status() if cell else NOT_RUN

    def summary(self, front_end: str, clause_id: str) -> str:
        """One front end's verdict on one clause across the modes run: fail beats pass beats not run; else n/a."""
        statuses = {self.status(front_end, mode, clause_id) for mode in self.modes}
        for status in (FAIL, PASS, NOT_RUN):
            if status in statuses:
                return status
        return NA

    def render(self) -> list[str]:
        """The table as text lines: one row per clause, one column per front end and mode."""
        columns = [(front_end, mode) for front_end in FRONT_ENDS for mode in self.modes]
        width = max(len(clause.id) for clause in CLAUSES)
        heads = [f"{front_end}/{mode}" for front_end, mode in columns]
        lines = [" " * width + "  " + "  ".join(f"{head:>17}" for head in heads)]
        for clause in CLAUSES:
            cells = [self._cell_text(front_end, mode, clause.id) for front_end, mode in columns]
            lines.append(f"{clause.id:<{width}}  " + "  ".join(f"{cell:>17}" for cell in cells))
        timing = ", ".join(f"{mode} {self.seconds[mode]:.1f} s" for mode in self.modes)
        lines.append(f"time in tests: {timing}; models: {', '.join(self.models)}")
        return lines

    def _cell_text(self, front_end: str, mode: str, clause_id: str) -> str:
        status = self.status(front_end, mode, clause_id)
        cell = self.cells.get((front_end, mode, clause_id))
        if status in (PASS, FAIL) and cell is not None:
            return f"{status.upper() if status == FAIL else status} {cell.tests - cell.failed}/{cell.tests}"
        return status

    def as_json(self, profile: str) -> dict[str, Any]:
        """The results document (schema in RESULTS.md)."""
        cells = []
        for clause in CLAUSES:
            for front_end in FRONT_ENDS:
                for mode in MODES:
                    cell = self.cells.get((front_end, mode, clause.id))
                    status = self.status(front_end, mode, clause.id) if mode in self.modes else NOT_RUN
                    if not clause.applies(front_end, mode):
                        status = NA
                    cells.append(
                        {
                            "front_end": front_end,
                            "mode": mode,
                            "clause": clause.id,
                            "status": status,
                            "tests": cell.tests if cell else 0,
                            "failed": cell.failed if cell else 0,
                            "models": {
                                name: {"tests": counts[0], "failed": counts[1]}
                                for name, counts in (cell.by_model.items() if cell else ())
                            },
                        }
                    )
        summary = {
            front_end: {clause.id: self.summary(front_end, clause.id) for clause in CLAUSES}
            for front_end in FRONT_ENDS
        }
        return {
            "schema": SCHEMA,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "git_revision": _git_revision(),
            "python": platform.python_version(),
            "modes": list(self.modes),
            "models": list(self.models),
            "hypothesis_profile": profile,
            "front_ends": list(FRONT_ENDS),
            "clauses": [{"id": clause.id, "title": clause.title} for clause in CLAUSES],
            "cells": cells,
            "summary": summary,
            "verdict": {
                front_end: FAIL
                if FAIL in summary[front_end].values()
                else (NOT_RUN if NOT_RUN in summary[front_end].values() else PASS)
                for front_end in FRONT_ENDS
            },
            "seconds": {mode: round(self.seconds[mode], 3) for mode in self.modes},
        }

    def write(self, profile: str, directory: Path = RESULTS_DIR) -> Path:
        """Write `latest.json` into `directory` and return its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "latest.json"
        path.write_text(json.dumps(self.as_json(profile), indent=2) + "\n", encoding="utf-8")
        return path


def _git_revision() -> str | None:
    commit, _ = git_revision()
    return None if commit == "unknown" else commit
