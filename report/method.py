"""The report's "Method and environment" section: noise, load generators' ceilings, model card, the run itself."""

from __future__ import annotations

from report.blocks import bullets, heading, join, table
from report.contents import Report
from report.stability import cores, probe_rows
from report.steadiness import percent


def _listed(items: dict[str, str] | dict[str, str | int]) -> str:
    return ", ".join(f"{key} `{value}`" for key, value in items.items())


def stability(r: Report) -> str:
    found = r.results.stability
    if found is None:
        return join(
            heading(3, "Stability"),
            f"Not recorded: calibration probes and steal time start with results schema 1.2 (this file: "
            f"{r.results.schema_version}).",
        )
    reasons = f" Why unstable: {'; '.join(found.reasons)}." if found.reasons else ""
    return join(
        heading(3, "Stability"),
        "A fixed CPU-bound loop timed on each core before the first round, between rounds and at the end, each "
        "core alone and then all at once (the rounds load them all): a machine that slows under the benchmark "
        "shows it here. "
        f"Largest spread of one core's probes {percent(found.spread)} (unstable above {percent(found.threshold)}); "
        f"steal {found.steal_fraction * 100:.1f} % of CPU time; the run was **{'stable' if found.stable else 'unstable'}**."
        + reasons,
        table(
            ("moment", *(f"core {core} (ms)" for core in cores(found))),
            (row.cells for row in probe_rows(found)),
        ),
    )


def noise(r: Report) -> str:
    return join(
        heading(3, "Noise"),
        f"Every figure is the median of {r.results.plan.repeats} interleaved repeats{_capacity_rounds(r)}; the spread is "
        "(max − min) ÷ median. Differences smaller than the spread of the figures compared are not findings.",
        table(
            ("target", "figure", "median (min–max)", "spread", "repeats"),
            (row.cells for row in r.tables["noise"]),
        ),
    )


def _capacity_rounds(r: Report) -> str:
    plan = r.results.plan
    extra = plan.search_repeats - plan.repeats
    return (
        f" (capacity at the SLO of {plan.search_repeats}: {extra} more rounds searched it alone)"
        if extra
        else ""
    )


def ceilings(r: Report) -> str:
    found = r.results.generator_ceilings
    if not found:
        return join(
            heading(3, "Load generators' ceilings"), "This results file records no generator ceilings."
        )
    listed = ", ".join(f"{name} {rps:,.0f} req/s" for name, rps in found.items())
    flagged = r.tables["flagged"]
    text = (
        f"Against the no-op server in this run: {listed}. A figure above a third of its generator's ceiling may "
        f"measure the generator rather than the server; it is flagged ⚠{':' if flagged else ', and none was.'}"
    )
    headers = ("target", "configuration", "scenario", "parameters", "figure", "median (min–max)", "why")
    return join(
        heading(3, "Load generators' ceilings"),
        text,
        table(headers, (row.cells for row in flagged)) if flagged else None,
    )


def model_card(r: Report) -> str | None:
    if not r.tables["model_card"]:
        return None
    card = r.results.model_card
    classes = f", classes {', '.join(map(str, card['classes']))}" if card.get("classes") else ""
    metrics = card.get("metrics") or {}
    held_out = "; held-out " + ", ".join(f"{k} {v}" for k, v in metrics.items()) if metrics else ""
    return join(
        heading(3, "Model card"),
        f"{card.get('task', '')}{classes}{held_out}.",
        table(
            ("feature", "type", "admitted", "unit", "description"),
            (row.cells for row in r.tables["model_card"]),
        ),
    )


def run(r: Report) -> str:
    res = r.results
    plan, env = res.plan, res.environment
    http_only = (
        f" (+ {', '.join(map(str, plan.http_only_concurrencies))} for HTTP)"
        if plan.http_only_concurrencies
        else ""
    )
    items = [
        f"Model: {_listed(res.model)}",
        f"Records: {_listed(res.records)}",
        f"Plan: concurrency {', '.join(map(str, plan.concurrencies))}{http_only}; batch sizes "
        f"{', '.join(map(str, plan.batch_sizes))}; Streamlit sessions {', '.join(map(str, plan.streamlit_sessions))}; "
        f"workers {', '.join(map(str, plan.workers))}; {plan.repeats} repeats of {plan.warmup_s:g} s warm-up + "
        f"{plan.measure_s:g} s measured, configurations interleaved{_capacity_rounds(r)}; every figure is median "
        "(min–max) over the repeats.",
        f"Machine: {env.cpu_model}, {env.cores} cores, {env.os}, Python {env.python}; server on cores "
        f"{env.server_cores}, load generator on {env.generator_cores} ({'pinned' if env.pinned else 'not pinned'}); "
        f"wrk {env.wrk or 'absent'}; TCP_QUICKACK in the Streamlit client: {env.tcp_quickack}.",
        "Libraries: " + ", ".join(f"{k} {v}" for k, v in env.libraries.items()),
        *res.notes,
        f"Reproduce: `{r.reproduce}`",
    ]
    return join(heading(3, "Run"), bullets(items))


def method(r: Report) -> str:
    """Everything a reader needs to judge the figures: how noisy, how measured, on what."""
    return join(
        heading(2, "Method and environment"), stability(r), noise(r), ceilings(r), model_card(r), run(r)
    )
