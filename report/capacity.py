"""The Server scenario's figures as rows: capacity at the latency objective per target and workers, every rate tried."""

from __future__ import annotations

from benchmarks.results import Results
from report.figures import SERVER, measurement, objective
from report.steadiness import SPREAD_LIMIT, percent, spread
from report.tables import Row, show


def capacity_rows(results: Results) -> list[Row]:
    """Each target and worker count: capacity median (min–max), p99 at capacity, the objective, its spread."""
    rows = []
    for target in results.targets:
        found = measurement(target, SERVER)
        if found is None or "capacity_rps" not in found.figures:
            continue
        capacity = found.figures["capacity_rps"]
        steady = "steady" if spread(capacity) <= SPREAD_LIMIT else f"unsteady (> {percent(SPREAD_LIMIT)})"
        rows.append(
            Row(
                (
                    target.name,
                    target.variant + (", OIP" if target.protocol == "oip" else ""),
                    str(target.workers),
                    objective(results, found),
                    show(capacity, 0),
                    show(found.figures.get("p99_ms_at_capacity"), 1),
                    f"{percent(spread(capacity))}, {steady}",
                )
            )
        )
    return rows


def trial_rows(results: Results) -> list[Row]:
    """Every rate the searches tried, in order, the server's CPU per request in it, and why it held the objective or
    failed it."""
    rows = []
    for target in results.targets:
        found = measurement(target, SERVER)
        for trial in found.trials if found is not None else []:
            rows.append(
                Row(
                    (
                        target.name,
                        f"{target.variant}, {target.workers}w",
                        str(trial.repeat + 1),
                        f"{trial.offered_rps:,.0f}",
                        f"{trial.delivered_rps:,.0f}",
                        f"{trial.p99_ms:,.1f}",
                        "—" if trial.cpu_us_per_request is None else f"{trial.cpu_us_per_request:,.0f}",
                        f"{trial.errors} / {trial.refused}",
                        ("passed: " if trial.passed else "failed: ") + trial.why,
                    )
                )
            )
    return rows
