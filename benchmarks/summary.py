"""A short table of a run's headline figures, printed at the end (the report reads the results file)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from benchmarks.results import Figure, Results

HEADLINES = ("throughput_rps", "capacity_rps", "p50_ms", "p99_ms", "rows_per_s", "cpu_us_per_request")


def _cell(figure: Figure | None) -> str:
    if figure is None:
        return ""
    flag = " !" if figure.flagged else ""
    return escape(f"{figure.median:.3g} [{figure.min:.3g}-{figure.max:.3g}]{flag}")


def print_summary(results: Results, console: Console) -> None:
    """Median [min-max] of the headline figures per target and setting; failures instead of figures."""
    table = Table(title=escape(f"servebench {results.mode} run, {results.wall_s:.0f} s: median [min-max]"))
    table.add_column("target")
    table.add_column("scenario")
    for name in HEADLINES:
        table.add_column(name)
    for target in results.targets:
        label = target.label
        if target.failure:
            table.add_row(label, "FAILED", escape(target.failure[:80]))
            continue
        for measurement in target.measurements:
            if "samples" not in measurement.figures and "capacity_rps" not in measurement.figures:
                continue  # memory, cold start and the Server-Timing split are in the report
            params = measurement.params_text
            # The in-process floor makes calls, not requests: its calls/s stand in the throughput column.
            figures = {"throughput_rps": measurement.figures.get("calls_per_s"), **measurement.figures}
            cells = [_cell(figures.get(name)) for name in HEADLINES]
            table.add_row(label, f"{measurement.scenario} {params}", *cells)
    console.print(table)
