"""The report's tables as plain rows: every figure, overhead ratios, variants, contract, feature matrix."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import Figure, Results
from report.figures import FRONT_ENDS, HEADLINE_CONCURRENCY, figure, levels, shipped

SERVER_FLOOR = {"flask": "wsgi-floor", "fastapi": "asgi-floor"}


@dataclass(frozen=True, slots=True)
class Row:
    """One table row: cells already formatted as text."""

    cells: tuple[str, ...]


def show(fig: Figure | None, digits: int = 1) -> str:
    """`median (min–max) unit`, or an em dash when absent."""
    if fig is None:
        return "—"
    flag = " ⚠" if fig.flagged else ""
    return f"{fig.median:,.{digits}f} ({fig.min:,.{digits}f}–{fig.max:,.{digits}f}) {fig.unit}{flag}"


def every_figure(results: Results) -> list[Row]:
    """Every figure of every target: target, configuration, scenario, parameters, figure, median (min–max)."""
    rows = []
    for target in results.targets:
        configuration = f"{target.variant}, {target.workers}w"
        if target.failure:
            rows.append(Row((target.name, configuration, "—", "—", "failed", target.failure)))
            continue
        for item in target.measurements:
            params = item.params_text
            if item.failure:
                rows.append(Row((target.name, configuration, item.scenario, params, "failed", item.failure)))
                continue
            for key, fig in item.figures.items():
                rows.append(Row((target.name, configuration, item.scenario, params, key, show(fig, 2))))
    return rows


def _ratio(numerator: Figure | None, denominator: Figure | None) -> str:
    if numerator is None or denominator is None or denominator.median == 0:
        return "—"
    return f"{numerator.median / denominator.median:.2f}×"


def overhead(results: Results) -> list[Row]:
    """Framework overhead: each HTTP front end's p50 at c=1 and throughput at c=8 over the floors."""
    floor = figure(shipped(results, "in-process"), "in_process", "p50_ms", batch_size=1)
    rows = []
    for name, server_floor in SERVER_FLOOR.items():
        mine = shipped(results, name)
        if mine is None:
            continue
        base = shipped(results, server_floor)
        p50 = figure(mine, "closed_loop", "p50_ms", concurrency=1)
        base_p50 = figure(base, "closed_loop", "p50_ms", concurrency=1)
        rps = figure(mine, "closed_loop", "throughput_rps", concurrency=HEADLINE_CONCURRENCY)
        base_rps = figure(base, "closed_loop", "throughput_rps", concurrency=HEADLINE_CONCURRENCY)
        rows.append(
            Row(
                (
                    name,
                    show(p50, 3),
                    _ratio(p50, floor),
                    f"{_ratio(p50, base_p50)} over {server_floor}",
                    f"{_ratio(base_rps, rps)} ({server_floor} req/s ÷ {name} req/s)",
                )
            )
        )
    return rows


def variant_rows(results: Results) -> list[Row]:
    """Each configuration of each front end at c=8 (HTTP) or 8 sessions (Streamlit)."""
    rows = []
    for target in results.targets:
        if target.kind != "front_end" or target.protocol != "v1":
            continue
        if target.name == "streamlit":
            p50 = figure(target, "streamlit_sessions", "p50_ms", sessions=HEADLINE_CONCURRENCY)
            rate = figure(target, "streamlit_sessions", "throughput_rps", sessions=HEADLINE_CONCURRENCY)
        else:
            p50 = figure(target, "closed_loop", "p50_ms", concurrency=HEADLINE_CONCURRENCY)
            rate = figure(target, "closed_loop", "throughput_rps", concurrency=HEADLINE_CONCURRENCY)
        rows.append(
            Row((target.name, target.variant, str(target.workers), target.server, show(rate), show(p50, 2)))
        )
    return rows


def streamlit_rows(results: Results) -> list[Row]:
    """Each Streamlit configuration: websocket submit → result by sessions, reruns/s, the browser's cross-check."""
    rows = []
    for target in results.targets:
        if target.name != "streamlit" or target.failure:
            continue
        sessions = levels(target, "streamlit_sessions", "sessions")
        latency = "; ".join(
            f"{n:g}: {show(figure(target, 'streamlit_sessions', 'p50_ms', sessions=n))}" for n in sessions
        )
        reruns = figure(target, "streamlit_sessions", "throughput_rps", sessions=HEADLINE_CONCURRENCY)
        per_session = figure(target, "memory", f"rss_per_session_mb_at_{HEADLINE_CONCURRENCY}")
        rows.append(
            Row(
                (
                    target.variant,
                    latency or "—",
                    show(reruns),
                    show(figure(target, "browser", "submit_to_result_ms")),
                    show(per_session),
                )
            )
        )
    return rows


def noise_rows(results: Results) -> list[Row]:
    """How far the repeats of each headline figure spread: (max − min) / median, per shipped target."""
    wanted: tuple[tuple[str, str, str, dict[str, float | int | str]], ...] = (
        ("SingleStream p50 (c=1)", "closed_loop", "p50_ms", {"concurrency": 1}),
        ("capacity at the SLO (Server)", "server", "capacity_rps", {}),
        ("throughput at c=8", "closed_loop", "throughput_rps", {"concurrency": HEADLINE_CONCURRENCY}),
        ("p99 at c=8", "closed_loop", "p99_ms", {"concurrency": HEADLINE_CONCURRENCY}),
        ("p50, 1 session", "streamlit_sessions", "p50_ms", {"sessions": 1}),
        ("reruns/s, 8 sessions", "streamlit_sessions", "throughput_rps", {"sessions": HEADLINE_CONCURRENCY}),
        ("predict p50, 1 row", "in_process", "p50_ms", {"batch_size": 1}),
    )
    rows = []
    for target in results.targets:
        if not target.shipped or target.workers != 1 or target.failure:
            continue
        for label, scenario, key, params in wanted:
            fig = figure(target, scenario, key, **params)
            if fig is None or fig.median == 0:
                continue
            spread = (fig.max - fig.min) / fig.median
            digits = 2 if fig.unit == "ms" else 0
            rows.append(Row((target.name, label, show(fig, digits), f"{spread:.0%}", str(len(fig.repeats)))))
    return rows


def flagged_rows(results: Results) -> list[Row]:
    """Figures above a third of their load generator's ceiling: they may measure the generator, not the server."""
    rows = []
    for target in results.targets:
        for item in target.measurements:
            params = item.params_text
            for key, fig in item.figures.items():
                if fig.flagged:
                    rows.append(
                        Row(
                            (
                                target.name,
                                f"{target.variant}, {target.workers}w",
                                item.scenario,
                                params,
                                key,
                                show(fig),
                                fig.note or "",
                            )
                        )
                    )
    return rows


def model_card_rows(results: Results) -> list[Row]:
    """The model's features as its card gives them: name, type, admitted values, unit, description."""
    rows = []
    for feature in results.model_card.get("features", []):
        bounds = [
            f"{symbol} {feature[key]}"
            for key, symbol in (
                ("minimum", "≥"),
                ("exclusiveMinimum", ">"),
                ("maximum", "≤"),
                ("exclusiveMaximum", "<"),
            )
            if key in feature
        ]
        admitted = (
            ", ".join(map(str, feature["enum"])) if "enum" in feature else " and ".join(bounds) or "any"
        )
        rows.append(
            Row(
                (
                    str(feature.get("name", "?")),
                    str(feature.get("type", "?")),
                    admitted,
                    str(feature.get("unit", "")),
                    str(feature.get("description", "")),
                )
            )
        )
    return rows


def contract_rows(results: Results) -> list[Row]:
    """The contract suite's verdict per front end, as the benchmark run recorded it."""
    return [
        Row(
            (
                row.front_end,
                "pass" if row.passed else "FAIL",
                str(row.checks),
                "; ".join(row.failures) or "—",
                row.source,
            )
        )
        for row in results.contract
    ]


FEATURES: tuple[tuple[str, dict[str, str], str | None], ...] = (
    (
        "Automatic API docs",
        {
            "flask": "/docs (Swagger UI, offline) over the shared OpenAPI document",
            "fastapi": "built in: /docs (Swagger UI, offline)",
            "streamlit": "n/a (a page, not an API)",
        },
        "docs",
    ),
    (
        "Request validation",
        {
            "flask": "shared validator called by hand",
            "fastapi": "spec-generated model in the signature",
            "streamlit": "shared validator on the form's values",
        },
        "parsing_validation",
    ),
    (
        "Async",
        {
            "flask": "no (WSGI, threads)",
            "fastapi": "yes (ASGI, async def)",
            "streamlit": "script reruns on a thread per session",
        },
        None,
    ),
    (
        "Batch endpoint",
        {"flask": "POST /v1/predict/batch", "fastapi": "POST /v1/predict/batch", "streamlit": "CSV upload"},
        "routing",
    ),
    (
        "UI for humans",
        {
            "flask": "yes: a Jinja2 page at / (form, answer, CSV batch, model card; HTML and CSS, no script)",
            "fastapi": "Swagger UI only",
            "streamlit": "yes: form, probability bars, table (Python only)",
        },
        "ui",
    ),
    (
        "File upload",
        {
            "flask": "CSV on the page, with size limit",
            "fastapi": "not needed",
            "streamlit": "CSV, with size limit",
        },
        None,
    ),
    (
        "OpenAPI",
        {
            "flask": "3.1, shared document",
            "fastapi": "3.1, shared document via app.openapi",
            "streamlit": "n/a",
        },
        "docs",
    ),
    (
        "Metrics",
        {"flask": "/metrics (Prometheus)", "fastapi": "/metrics (Prometheus)", "streamlit": "none"},
        "observability",
    ),
    (
        "Worker model",
        {
            "flask": "gunicorn pre-fork workers",
            "fastapi": "uvicorn workers, event loop",
            "streamlit": "one process, a thread per session",
        },
        "server_config",
    ),
)


def feature_matrix(results: Results) -> list[Row]:
    """What each front end offers for each feature, with the lines the concern costs in this project."""
    lines = {row.front_end: row.lines_per_concern for row in results.boilerplate}
    rows = []
    for feature, cells, concern in FEATURES:
        row = [feature]
        for name in FRONT_ENDS:
            cost = lines.get(name, {}).get(concern, 0) if concern else 0
            row.append(f"{cells[name]} ({cost} lines)" if concern and cost else cells[name])
        rows.append(Row(tuple(row)))
    return rows
