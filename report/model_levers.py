"""The levers of each model (`make levers MODEL=…`, benchmarks/levers.py): found beside the results, tabled per model.

Each `levers-<model>-<UTC timestamp>.json` is a results file of the levers plan; the newest of each model is read. A
lever's capacity ratio is taken pair by pair — its repeat in round i over the shipped FastAPI's in round i, measured
moments apart, so a drift of the machine between rounds cancels — and shown as the pairs' median (min–max), beside
the same ratio of closed-loop throughput at c=8, which a host stall lowers but cannot zero. Gain or noise is judged as
in the main Levers table (the lever's whole capacity range above the baseline's; below it, a loss).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from benchmarks.results import Figure, Results
from report.figures import figure, normalised
from report.levers import BATCHING, Lever, batching_check, best_lever, levers
from report.loading import load_results
from report.tables import Row

LEVERS_FILE = re.compile(r"levers-(?P<model>.+)-(?P<stamp>\d{8}T\d{6}Z)\.json")
HEADERS = (
    "model",
    "lever",
    "capacity × shipped FastAPI (paired)",
    "verdict",
    "c=8 throughput × shipped",
    "c=1 p50 vs shipped",
    "labels equal",
    "max ULP",
    "max abs",
    "max rel",
)


def newest_levers(folder: Path) -> list[Path]:
    """The newest levers file of each model in `folder`, ordered by model name."""
    newest: dict[str, Path] = {}
    for path in sorted(folder.glob("levers-*.json")):  # a model's files sort by their timestamp
        found = LEVERS_FILE.fullmatch(path.name)
        if found:
            newest[found["model"]] = path
    return [newest[model] for model in sorted(newest)]


def load_levers(paths: Sequence[Path]) -> list[tuple[str, Results]]:
    """Each levers file's name and its results, front ends named as the report names them."""
    return [(path.name, normalised(load_results(path))) for path in paths]


def paired_ratio(lever: Figure | None, base: Figure | None) -> Figure | None:
    """The lever's figure over the baseline's, round by round; the ratio of medians when rounds do not pair.

    A round where either found nothing (a Server search whose first trial a host stall failed) has no ratio; the
    figure's note then says how many rounds paired.
    """
    if lever is None or base is None:
        return None
    if len(lever.repeats) != len(base.repeats):
        return Figure.of("×", [lever.median / base.median]) if base.median > 0 else None
    pairs = [a / b for a, b in zip(lever.repeats, base.repeats, strict=True) if a > 0 and b > 0]
    if not pairs:
        return None
    note = f"{len(pairs)} of {len(base.repeats)} rounds" if len(pairs) < len(base.repeats) else None
    return Figure.of("×", pairs, note=note)


def model_lever_rows(runs: Sequence[Results]) -> list[Row]:
    """One row per model and lever: paired capacity ratio, verdict, c=1 cost and the exactness figures."""
    rows = []
    for results in runs:
        base, found = levers(results)
        for lever in found:
            ratio = paired_ratio(lever.capacity, base.capacity)
            verdict = "gain" if lever.clears(base.capacity) else "within noise"
            if (
                lever.capacity is not None
                and base.capacity is not None
                and lever.capacity.max < base.capacity.min
            ):
                verdict = "loss"
            c1 = (
                f"{lever.c1_p50.median - base.c1_p50.median:+.2f} ms"
                if lever.c1_p50 is not None and base.c1_p50 is not None
                else "—"
            )
            c8 = paired_ratio(_c8(lever), _c8(base))
            exactness = _exactness(lever, results.model_card.get("task") == "regression")
            cells = (results.model["name"], lever.name, _ratio(ratio), verdict, _ratio(c8), c1, *exactness)
            rows.append(Row(cells))
    return rows


def model_lever_lines(runs: Sequence[Results]) -> list[str]:
    """Per model: the lever that moves capacity most with its exactness cost, and the batching rule's outcome."""
    lines = []
    for results in runs:
        name = results.model["name"]
        base, found = levers(results)
        if base.capacity is None:
            lines.append(f"**{name}**: the shipped FastAPI has no capacity at the SLO in this run.")
            continue
        paired = {lever.name: paired_ratio(lever.capacity, base.capacity) for lever in found}
        best = best_lever(base, found)
        most = (
            f"most capacity from **{best.name}**, {_ratio(paired[best.name])} (exactness: {best.exactness})"
            if best is not None
            else "no lever lifts capacity at the SLO beyond the noise"
        )
        # The stall-tolerant twin: the lever whose every round at c=8 out-served the shipped FastAPI's the most.
        closed = {lever.name: paired_ratio(_c8(lever), _c8(base)) for lever in found}
        ahead = [
            (ratio.median, lever) for lever, ratio in closed.items() if ratio is not None and ratio.min > 1
        ]
        if ahead:
            _, lever = max(ahead)
            most += f"; at c=8 every round, most from {lever}, {_ratio(closed[lever])}"
        check = batching_check(results, base, found)
        rule = (
            "batching not measured"
            if check is None
            else f"rule `batch-when`: **{'batch' if check.holds else 'do not batch'}** (capacity "
            f"{_ratio(paired[BATCHING])}{'' if check.clears else ', within noise'}, c=1 p50 "
            f"{check.extra_ms:+.2f} ms of {check.allowed_ms:.1f} allowed, "
            f"{'no label differs' if check.labels_equal else 'labels differ'})"
        )
        steady = results.stability
        shaky = (
            f"; run marked unstable (calibration moved {steady.spread:.0%})"
            if steady and not steady.stable
            else ""
        )
        lines.append(f"**{name}** ({results.records['count']} records{shaky}): {most}; {rule}.")
    return lines


def _c8(lever: Lever) -> Figure | None:
    return figure(lever.target, "closed_loop", "throughput_rps", concurrency=8)


def _ratio(ratio: Figure | None) -> str:
    if ratio is None:
        return "—"
    rounds = f", {ratio.note}" if ratio.note else ""
    return f"{ratio.median:.2f}× ({ratio.min:.2f}–{ratio.max:.2f}{rounds})"


def _exactness(lever: Lever, regression: bool) -> tuple[str, str, str, str]:
    """Labels equal, max ULP, abs and rel deviation from scikit-learn predicting each record alone."""
    if not lever.measurable:
        return ("not measured",) * 4
    found = lever.measured
    if found is None:  # the same computation as the baseline
        return ("all (same computation)", "0", "0", "0")
    labels = "— (a regressor)" if regression else f"{found.rows - found.labels_differing}/{found.rows}"
    return (labels, f"{found.max_ulps:,}", f"{found.max_abs:.2g}", f"{found.max_rel:.2g}")
