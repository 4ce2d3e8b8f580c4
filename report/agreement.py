"""Do two runs agree? Every headline ratio of both, side by side, with their difference and a pass at 10 %.

`python -m report.agreement OLD.json NEW.json` prints the table and both runs' stability, and exits 1 when a ratio
present in both runs moved by more than `AGREEMENT` (relative to the first run's median), 2 when a file cannot
be read. The ratios are what the verdicts, the summary and the report's sections rest on: the paired overhead
ratios (front end over its floor, Flask over FastAPI, each per round), the levers' and the peers' capacity ratios,
idle memory of each front end over FastAPI's, each framework layer's share of a request's instructions, and the
pages' click → result. Absolute figures are left out: between runs on this machine kind they moved up to 3×.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.results import Figure, Results
from report.blocks import bullets, heading, join, table
from report.figures import headlines, normalised, ratio_of
from report.levers import levers
from report.loading import ResultsError, load_results
from report.pages import click_ratio
from report.peers import goals
from report.steadiness import percent, run_word
from report.tables import SERVER_FLOOR

AGREEMENT = 0.10  # issue #13: two full runs on a calm machine agree within 10 % on every headline ratio
MEMORY_BASE = "fastapi"
HEADERS = ("ratio", "run A median (min–max)", "run B median (min–max)", "difference", "agrees?")


@dataclass(frozen=True, slots=True)
class Agreement:
    """One headline ratio in both runs (None where a run lacks it)."""

    name: str
    a: Figure | None
    b: Figure | None

    @property
    def difference(self) -> float | None:
        """Run B's median over run A's, less one; None unless both runs have the ratio."""
        if self.a is None or self.b is None:
            return None
        return self.b.median / self.a.median - 1 if self.a.median else float("inf")

    @property
    def agrees(self) -> bool | None:
        """Within `AGREEMENT`; None when it cannot be compared."""
        difference = self.difference
        # A hair of float rounding (1.1 / 1.0 - 1 is 0.1000…09) does not make a 10 % move a disagreement.
        return None if difference is None else abs(difference) <= AGREEMENT + 1e-9


def headline_ratios(results: Results) -> dict[str, Figure]:
    """Every headline ratio this run has, by a name that is the same in every run that has it."""
    results = normalised(results)
    found: dict[str, Figure | None] = {r.name: r.ratio for r in results.paired_ratios}
    base, moved = levers(results)
    for lever in moved:
        if lever.capacity is not None and base.capacity is not None:
            found[f"lever: {lever.name} over the shipped FastAPI, capacity"] = ratio_of(
                lever.capacity, base.capacity
            )
    for goal in goals(results):
        found[f"peer: {goal.front_end} over MLServer, capacity ({goal.protocol} payloads)"] = goal.ratio
    found |= _memory_and_pages(results) | _layer_shares(results)
    return {name: figure for name, figure in found.items() if figure is not None}


def _memory_and_pages(results: Results) -> dict[str, Figure | None]:
    """Idle memory of each front end over FastAPI's (one denominator, so each ratio keeps its name across runs),
    and Streamlit's click → result over the Flask page's (`report.pages.click_ratio`)."""
    heads = {head.front_end: head for head in headlines(results)}
    found: dict[str, Figure | None] = {}
    base = heads.get(MEMORY_BASE)
    for name, head in heads.items():
        if name != MEMORY_BASE and head.idle_rss_mb and base and base.idle_rss_mb:
            found[f"memory: {name} idle RSS over {MEMORY_BASE}'s"] = ratio_of(
                head.idle_rss_mb, base.idle_rss_mb
            )
    found["pages: Streamlit's click → result over the Flask page's"] = click_ratio(results)
    return found


def _layer_shares(results: Results) -> dict[str, Figure | None]:
    """Each framework layer's share of its request's instructions: (front end − floor) / front end, run by run."""
    counts = {item.target: item.per_request for item in results.instructions}
    shares: dict[str, Figure | None] = {}
    for name, floor in SERVER_FLOOR.items():
        mine, base = counts.get(name), counts.get(floor)
        if mine is not None and base is not None:
            layer = Figure.of(
                "instructions", [m - b for m, b in zip(mine.repeats, base.repeats, strict=False)]
            )
            share = ratio_of(layer, mine)
            shares[f"instructions: {name}'s layer share of a request"] = (
                share.model_copy(update={"unit": "share"}) if share is not None else None
            )
    return shares


def agreement(a: Results, b: Results) -> list[Agreement]:
    """Every headline ratio of either run, run A's order first, then those only run B has."""
    first, second = headline_ratios(a), headline_ratios(b)
    names = [*first, *(name for name in second if name not in first)]
    return [Agreement(name, first.get(name), second.get(name)) for name in names]


def _show(figure: Figure | None) -> str:
    if figure is None:
        return "—"
    return f"{figure.median:.3f} ({figure.min:.3f}–{figure.max:.3f})"


def _verdict(item: Agreement) -> str:
    if item.agrees is None:
        return f"not compared (only in run {'A' if item.b is None else 'B'})"
    return "yes" if item.agrees else f"**NO** (> {percent(AGREEMENT)})"


def rows(items: Sequence[Agreement]) -> list[tuple[str, ...]]:
    """The table's rows: ratio, run A, run B, difference, agrees?"""
    return [
        (
            item.name,
            _show(item.a),
            _show(item.b),
            f"{item.difference * 100:+.1f} %" if item.difference is not None else "—",
            _verdict(item),
        )
        for item in items
    ]


def run_line(label: str, name: str, results: Results) -> str:
    """`Run A: <file>, full plan, git abc, stable (calibration moved 4 %, steal 0.3 %)` with the reasons if not."""
    stability = results.stability
    state = run_word(stability)
    if stability is not None:
        state += (
            f" (calibration moved {percent(stability.spread)}, steal {stability.steal_fraction * 100:.1f} %)"
        )
        state += "".join(f"; {reason}" for reason in stability.reasons)
    revision = results.environment.git_revision[:8]
    return f"Run {label}: {name}, {results.mode} plan, git {revision}, {results.wall_s:.0f} s, {state}"


def verdict(items: Sequence[Agreement]) -> str:
    """Whether the runs agree on every ratio both have, or on how many they do not."""
    compared = [item for item in items if item.agrees is not None]
    apart = [item for item in compared if not item.agrees]
    if not compared:
        return "No headline ratio is in both runs: nothing to compare."
    if apart:
        return (
            f"The runs DISAGREE on {len(apart)} of {len(compared)} headline ratios (> {percent(AGREEMENT)})."
        )
    return f"The runs agree within {percent(AGREEMENT)} on all {len(compared)} headline ratios in both."


def caveats(a: Results, b: Results) -> list[str]:
    """What weakens the comparison: not two full runs, a run not stable, not one clean commit."""
    found = []
    plans = {a.mode, b.mode}
    if plans != {"full"}:
        found.append(f"(Not two full runs: {' and '.join(sorted(plans))} plans.)")
    unstable = [label for label, run in zip("AB", (a, b), strict=True) if run_word(run.stability) != "stable"]
    if unstable:
        found.append(
            f"(Run {' and '.join(unstable)} not recorded as stable: a disagreement may be the host's.)"
        )
    code = {(run.environment.git_revision, run.environment.git_dirty) for run in (a, b)}
    if len(code) > 1 or any(dirty for _, dirty in code):
        found.append("(Not one clean commit: a disagreement may be the code's.)")
    return found


def text(a: tuple[Path, Results], b: tuple[Path, Results]) -> str:
    """The whole answer as Markdown: both runs, the table, and the verdict."""
    items = agreement(a[1], b[1])
    runs = [run_line("A", a[0].name, a[1]), run_line("B", b[0].name, b[1])]
    return "\n".join([*runs, "", table(HEADERS, rows(items)), "", verdict(items), *caveats(a[1], b[1])])


def section(baseline: Results, results: Results) -> str:
    """The report's section when it has a baseline: run A is the baseline, run B this run."""
    items = agreement(baseline, results)
    return join(
        heading(2, "Agreement with the baseline run"),
        "Every headline ratio of both runs, median (min–max); they agree when this run's median is within "
        f"{percent(AGREEMENT)} of the baseline's (`python -m report.agreement` prints the same).",
        bullets([run_line("A", "the baseline", baseline), run_line("B", "this run", results)]),
        table(HEADERS, rows(items)),
        " ".join([verdict(items), *caveats(baseline, results)]),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report.agreement", description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path, help="the first results file (run A)")
    parser.add_argument("b", type=Path, help="the second results file (run B)")
    args = parser.parse_args(argv)
    try:
        runs = [(path, load_results(path)) for path in (args.a, args.b)]
    except ResultsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(text(runs[0], runs[1]))
    disagree = [item for item in agreement(runs[0][1], runs[1][1]) if item.agrees is False]
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
