"""Charts as self-contained SVG text (matplotlib, no network): one colour per front end throughout."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure as Canvas

from benchmarks.results import Figure, Results, Target
from report.figures import FRONT_ENDS, SERVER, figure, levels, measurement, shipped, variants
from report.io_wait import IoWait
from report.scale_out import ScaleOut

COLOURS = {
    "flask": "#2b6cb0",
    "fastapi": "#059669",
    "streamlit": "#e53e3e",
    "in-process": "#4a5568",
    "wsgi-floor": "#a0aec0",
    "asgi-floor": "#718096",
}
BASELINES = ("in-process", "wsgi-floor", "asgi-floor")
SIZE = (7.5, 3.6)
plt.rcParams.update(
    {"font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "sb"}
)


@dataclass(frozen=True, slots=True)
class Chart:
    """One rendered chart: a stable id, a title, and its SVG markup."""

    key: str
    title: str
    svg: str


def _svg(canvas: Canvas) -> str:
    buffer = io.StringIO()
    canvas.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(canvas)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _error(fig: Figure) -> tuple[float, float]:
    return fig.median - fig.min, fig.max - fig.median


def _line(
    axes: Axes, name: str, xs: list[float], figs: list[Figure | None], *, style: str = "-", label: str = ""
) -> None:
    points = [(x, f) for x, f in zip(xs, figs, strict=True) if f is not None]
    if not points:
        return
    x = [p[0] for p in points]
    y = [p[1].median for p in points]
    err = list(zip(*[_error(p[1]) for p in points], strict=True))
    axes.errorbar(
        x,
        y,
        yerr=err,
        fmt=style,
        marker="o",
        ms=3,
        capsize=2,
        color=COLOURS.get(name, "#000"),
        label=label or name,
    )


def _present(results: Results, names: tuple[str, ...]) -> list[str]:
    have = {target.name for target in results.targets}
    return [name for name in names if name in have]


def latency_chart(results: Results) -> Chart | None:
    names = _present(results, ("flask", "fastapi", "wsgi-floor", "asgi-floor"))
    if not names:
        return None
    canvas, (left, right) = plt.subplots(1, 2, figsize=SIZE, sharex=True)
    for name in names:
        target = shipped(results, name)
        xs = levels(target, "closed_loop", "concurrency")
        for axes, key in ((left, "p50_ms"), (right, "p99_ms")):
            _line(axes, name, xs, [figure(target, "closed_loop", key, concurrency=x) for x in xs])
    floor = figure(shipped(results, "in-process"), "in_process", "p50_ms", batch_size=1)
    for axes, title in ((left, "p50"), (right, "p99")):
        if floor is not None:
            axes.axhline(floor.median, color=COLOURS["in-process"], ls=":", label="in-process predict")
        axes.set(xscale="log", yscale="log", xlabel="concurrent connections", ylabel=f"{title} latency (ms)")
        axes.set_title(f"{title} latency, closed loop")
    left.legend(fontsize=7)
    return Chart(
        "latency",
        "SingleStream (c=1) and beyond: latency percentiles against concurrency (1 worker)",
        _svg(canvas),
    )


def throughput_chart(results: Results) -> Chart | None:
    names = _present(results, ("flask", "fastapi", "wsgi-floor", "asgi-floor"))
    if not names:
        return None
    canvas, axes = plt.subplots(figsize=SIZE)
    for name in names:
        for target in variants(results, name):
            if not target.shipped:
                continue
            xs = levels(target, "closed_loop", "concurrency")
            figs = [figure(target, "closed_loop", "throughput_rps", concurrency=x) for x in xs]
            style = "-" if target.workers == 1 else "--"
            _line(
                axes,
                name,
                xs,
                figs,
                style=style,
                label=f"{name} ({target.workers} worker{'s' if target.workers > 1 else ''})",
            )
    axes.set(xscale="log", xlabel="concurrent connections", ylabel="throughput (requests/s)")
    axes.set_title("Throughput against concurrency")
    axes.legend(fontsize=7)
    return Chart("throughput", "Throughput against concurrency", _svg(canvas))


def batch_chart(results: Results) -> Chart | None:
    names = _present(results, ("in-process", "flask", "fastapi", "wsgi-floor", "asgi-floor"))
    canvas, axes = plt.subplots(figsize=SIZE)
    drawn = False
    for name in names:
        target = shipped(results, name)
        scenario = "in_process" if name == "in-process" else "batch"
        xs = levels(target, scenario, "batch_size")
        figs = [figure(target, scenario, "rows_per_s", batch_size=x) for x in xs]
        drawn = drawn or any(figs)
        _line(axes, name, xs, figs)
    if not drawn:
        plt.close(canvas)
        return None
    axes.set(xscale="log", yscale="log", xlabel="rows per request", ylabel="rows predicted per second")
    axes.set_title("Offline: batch throughput against batch size")
    axes.legend(fontsize=7)
    return Chart("batch", "Offline: rows per second against batch size", _svg(canvas))


def _bars(
    results: Results,
    names: tuple[str, ...],
    pick: Callable[[Target | None], Figure | None],
    *,
    ylabel: str,
    title: str,
    key: str,
) -> Chart | None:
    bars = [(name, name, pick(shipped(results, name))) for name in _present(results, names)]
    return _bar_chart(
        [(label, name, fig) for label, name, fig in bars if fig is not None], ylabel, title, key
    )


def _bar_chart(bars: list[tuple[str, str, Figure]], ylabel: str, title: str, key: str) -> Chart | None:
    """One bar per (label, colour name, figure), median with its min–max, the median written above."""
    if not bars:
        return None
    canvas, axes = plt.subplots(figsize=SIZE)
    for index, (_, name, fig) in enumerate(bars):
        axes.bar(index, fig.median, color=COLOURS.get(name, "#000"))
        axes.errorbar(
            index, fig.median, yerr=[[_error(fig)[0]], [_error(fig)[1]]], color="#1a202c", capsize=4
        )
        axes.annotate(
            f"{fig.median:,.1f}",
            (index, fig.median),
            ha="center",
            va="bottom",
            fontsize=7,
            xytext=(0, 4),
            textcoords="offset points",
        )
    axes.set_xticks(range(len(bars)), [label for label, _, _ in bars])
    axes.set(ylabel=ylabel)
    axes.set_title(title)
    return Chart(key, title, _svg(canvas))


def capacity_chart(results: Results) -> Chart | None:
    """The Server scenario: capacity at the latency objective per target and worker count."""
    bars = []
    for target in results.targets:
        found = measurement(target, SERVER)
        if found is not None and "capacity_rps" in found.figures:
            label = f"{target.name}\n{target.workers}w" + ("" if target.shipped else f", {target.variant}")
            bars.append((label, target.name, found.figures["capacity_rps"]))
    return _bar_chart(
        bars,
        "requests/s",
        "Server: capacity at the p99 latency objective (Poisson arrivals)",
        "capacity",
    )


def memory_chart(results: Results) -> Chart | None:
    return _bars(
        results,
        (*FRONT_ENDS, "wsgi-floor", "asgi-floor"),
        lambda t: figure(t, "memory", "idle_rss_mb"),
        ylabel="resident memory (MiB)",
        title="Idle memory of the server process tree (1 worker)",
        key="memory",
    )


def cold_start_chart(results: Results) -> Chart | None:
    return _bars(
        results,
        (*FRONT_ENDS, "wsgi-floor", "asgi-floor"),
        lambda t: figure(t, "cold_start", "seconds") or figure(t, "streamlit_cold_start", "seconds"),
        ylabel="seconds",
        title="Cold start: launch to first prediction (Streamlit: to first rendered page)",
        key="cold_start",
    )


def server_timing_chart(results: Results) -> Chart | None:
    rows = []
    for name in _present(results, ("flask", "fastapi")):
        found = measurement(shipped(results, name), "server_timing")
        if found is not None:
            split = {
                key.removesuffix("_ms"): fig.median for key, fig in found.figures.items() if key != "total_ms"
            }
            rows.append((name, split))
    if not rows:
        return None
    segments = list(dict.fromkeys(key for _, split in rows for key in split))
    canvas, axes = plt.subplots(figsize=(SIZE[0], 2.4))
    palette = plt.get_cmap("tab10")
    for row, (_, split) in enumerate(rows):
        start = 0.0
        for index, segment in enumerate(segments):
            width = split.get(segment, 0.0)
            axes.barh(row, width, left=start, color=palette(index), label=segment if row == 0 else None)
            start += width
    axes.set_yticks(range(len(rows)), [name for name, _ in rows])
    axes.set(xlabel="median time per request (ms), from Server-Timing")
    axes.set_title("Where a request's time goes")
    axes.legend(fontsize=7, ncols=len(segments), loc="lower right")
    return Chart("server_timing", "The Server-Timing split", _svg(canvas))


def boilerplate_chart(results: Results) -> Chart | None:
    rows = [row for row in results.boilerplate if row.front_end in FRONT_ENDS]
    if not rows:
        return None
    concerns = list(dict.fromkeys(c for row in rows for c in row.lines_per_concern))
    canvas, axes = plt.subplots(figsize=(SIZE[0], 2.6))
    palette = plt.get_cmap("tab10")  # ten colours: Set2's eight would repeat from the ninth concern
    for index, row in enumerate(rows):
        start = 0
        for position, concern in enumerate(concerns):
            width = row.lines_per_concern.get(concern, 0)
            axes.barh(
                index, width, left=start, color=palette(position), label=concern if index == 0 else None
            )
            start += width
    axes.set_yticks(range(len(rows)), [row.front_end for row in rows])
    axes.set(xlabel="logical lines of code")
    axes.set_title("Boilerplate by concern")
    axes.legend(fontsize=7, ncols=3, loc="lower right")
    return Chart("boilerplate", "Boilerplate lines by concern", _svg(canvas))


def streamlit_chart(results: Results) -> Chart | None:
    configurations = variants(results, "streamlit")
    canvas, axes = plt.subplots(figsize=SIZE)
    drawn = False
    styles = (("-", "D"), ("--", "s"), (":", "^"))
    for (style, marker), target in zip(styles, sorted(configurations, key=lambda t: t.variant), strict=False):
        xs = levels(target, "streamlit_sessions", "sessions")
        figs = [figure(target, "streamlit_sessions", "p50_ms", sessions=x) for x in xs]
        drawn = drawn or any(figs)
        _line(axes, "streamlit", xs, figs, style=style, label=f"streamlit, {target.variant} settings")
        clicked = figure(target, "browser", "submit_to_result_ms")
        if clicked is not None:
            # The browser's figure is one person clicking: drawn at 1 session, beside the websocket's.
            axes.errorbar(
                [1],
                [clicked.median],
                yerr=[[clicked.median - clicked.min], [clicked.max - clicked.median]],
                fmt=marker,
                mfc="white",
                color=COLOURS["streamlit"],
                capsize=3,
                label=f"Chromium click → result, {target.variant} settings",
            )
    if not drawn:
        plt.close(canvas)
        return None
    axes.set(xscale="log", xlabel="concurrent sessions", ylabel="submit → result, p50 (ms)")
    axes.set_title("Streamlit session latency: defaults against shipped settings")
    axes.legend(fontsize=7)
    return Chart("streamlit", "Streamlit session latency, defaults against shipped settings", _svg(canvas))


def scale_out_chart(scale: ScaleOut) -> Chart:
    """Throughput of the FastAPI app under uvicorn and under Ray Serve, by process count, with each range."""
    canvas, axes = plt.subplots(figsize=(SIZE[0], 2.8))
    engines = (("uvicorn", "uvicorn + nginx", COLOURS["fastapi"]), ("ray", "Ray Serve", "#d97706"))
    for offset, (engine, label, colour) in zip((-0.18, 0.18), engines, strict=True):
        runs = [run for run in scale.runs if run.engine == engine]
        axes.bar(
            [run.count + offset for run in runs],
            [run.throughput.median for run in runs],
            width=0.34,
            yerr=[
                [run.throughput.median - run.throughput.min for run in runs],
                [run.throughput.max - run.throughput.median for run in runs],
            ],
            capsize=3,
            color=colour,
            label=label,
        )
    axes.set_xticks(sorted({run.count for run in scale.runs}))
    axes.set(xlabel="workers or replicas", ylabel=f"req/s at c={scale.connections}")
    axes.set_title("FastAPI under uvicorn and under Ray Serve (median, min–max)")
    axes.legend(fontsize=7)
    return Chart("scale_out", "Scale-out: uvicorn workers against Ray Serve replicas", _svg(canvas))


BUILDERS = (
    capacity_chart,
    latency_chart,
    throughput_chart,
    batch_chart,
    server_timing_chart,
    memory_chart,
    cold_start_chart,
    boilerplate_chart,
    streamlit_chart,
)


def charts(results: Results) -> list[Chart]:
    """Every chart the results hold data for, in reading order."""
    return [chart for chart in (build(results) for build in BUILDERS) if chart is not None]


def io_wait_chart(io: IoWait) -> Chart:
    """Capacity at the SLO against the wait added to each lookup, one line per target, with each slot ceiling."""
    canvas, axes = plt.subplots(figsize=SIZE)
    delays = io.delays()
    for target in io.targets():
        rows = [io.row(target, delay) for delay in delays]
        figs = [row.capacity if row is not None and row.capacity_rps else None for row in rows]
        style = "--" if "16" in target else "-"
        axes.errorbar(
            delays,
            [f.median if f else float("nan") for f in figs],
            yerr=list(zip(*[_error(f) if f else (0.0, 0.0) for f in figs], strict=True)),
            fmt=style,
            marker="o",
            ms=3,
            capsize=2,
            color=COLOURS.get(target.split(" ", 1)[0], "#000"),
            label=target,
        )
    axes.set_xlabel("added wait per lookup (ms, on the store's link)")
    axes.set_ylabel(f"req/s at p99 ≤ {io.slo_ms:g} ms")
    axes.set_ylim(bottom=0)
    axes.legend(frameon=False)
    return Chart("io_wait", "Requests that wait on I/O: capacity against the lookup's wait", _svg(canvas))
