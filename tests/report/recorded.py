"""A results file recorded from a real `make bench QUICK=1` run on the loan model (2 cores), kept to test the report."""

from __future__ import annotations

from pathlib import Path

from benchmarks.results import Results, read_results

RECORDED_RUN = Path(__file__).resolve().parent / "data" / "quick-run.json"


def recorded_results() -> Results:
    """The recorded run, validated against the current results schema."""
    return read_results(RECORDED_RUN)
