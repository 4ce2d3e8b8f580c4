"""What a framework's layer costs: paired wall-clock ratios over its floor, and instructions counted under valgrind.

Reads `report.figures.normalised` results, where a front end is `flask` in its targets, pairs and instruction counts alike.
"""

from __future__ import annotations

from benchmarks.results import InstructionCount, PairedRatio, Results
from report.steadiness import percent
from report.tables import SERVER_FLOOR, Row, show

FRAMEWORK = {"flask": "Flask", "fastapi": "FastAPI"}
IN_PROCESS = "in-process"


def _count(value: float) -> str:
    return f"{value / 1e6:,.2f} M"


def _counts(results: Results) -> dict[str, InstructionCount]:
    return {item.target: item for item in results.instructions}


def layer(results: Results, front_end: str) -> str | None:
    """`Flask's layer costs N instructions per request, M % of the request`: front end minus its floor."""
    counts = _counts(results)
    mine, floor = counts.get(front_end), counts.get(SERVER_FLOOR.get(front_end, ""))
    if mine is None or floor is None or mine.per_request.median <= 0:
        return None
    own, base = mine.per_request, floor.per_request
    cost = own.median - base.median
    return (
        f"{FRAMEWORK.get(front_end, front_end)}'s layer costs {_count(cost)} instructions per request "
        f"({_count(own.min - base.max)}–{_count(own.max - base.min)}), {percent(cost / own.median)} of the request"
    )


def _front_end(ratio: PairedRatio) -> str:
    return next((name for name in FRAMEWORK if ratio.numerator.startswith(f"{name} (")), "")


def paired_rows(results: Results) -> list[Row]:
    """Each paired ratio: median (min–max), `within noise` when its range crosses 1.0, the layer's instructions."""
    return [
        Row((ratio.name, ratio.metric, show(ratio.ratio, 2), reading(ratio), layer_cell(results, ratio)))
        for ratio in results.paired_ratios
    ]


def reading(ratio: PairedRatio) -> str:
    """Which target costs more, and by how much; `within noise` when the range crosses 1.0."""
    if ratio.within_noise:
        return "within noise"
    # A latency ratio is the first-named target over the other; a throughput or capacity ratio the other way up.
    first, second = (
        (ratio.numerator, ratio.denominator)
        if ratio.metric.endswith("_ms")
        else (ratio.denominator, ratio.numerator)
    )
    median = ratio.ratio.median
    return f"{first} costs {median:.2f}×" if median >= 1 else f"{second} costs {1 / median:.2f}×"


def layer_cell(results: Results, ratio: PairedRatio) -> str:
    """Instructions count one request's work, so they sit beside the one-request latency ratio."""
    return (layer(results, _front_end(ratio)) if ratio.metric == "p50_ms" else None) or "—"


def instruction_rows(results: Results) -> list[Row]:
    """Each target's instructions per request, median (min–max), their spread over the valgrind runs."""
    return [
        Row(
            (
                item.target,
                f"{_count(item.per_request.median)} ({_count(item.per_request.min)}–{_count(item.per_request.max)})",
                f"{item.spread * 100:.2f} %",
                " and ".join(map(str, item.calls)),
            )
        )
        for item in results.instructions
    ]


def layer_lines(results: Results) -> list[str]:
    """One sentence per framework layer, and what in-process predict alone costs."""
    lines = [text for name in FRAMEWORK if (text := layer(results, name)) is not None]
    alone = _counts(results).get(IN_PROCESS)
    if alone is not None:
        lines.append(
            f"In-process predict alone costs {_count(alone.per_request.median)} instructions per request"
        )
    return [f"{line}." for line in lines]
