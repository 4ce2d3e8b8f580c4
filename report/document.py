"""The report as one Markdown document, section by section; report.html is rendered from this text alone."""

from __future__ import annotations

from collections.abc import Callable

from report import agreement as runs_agreement
from report.blocks import banner, bullets, heading, image, join, table
from report.capacity import capacity_rows, trial_rows
from report.contents import Report
from report.html import CHART_FOLDER
from report.io_wait import limit_of
from report.levers import lever_lines, lever_rows
from report.method import method
from report.model_levers import HEADERS as MODEL_LEVER_HEADERS
from report.model_levers import model_lever_lines, model_lever_rows
from report.overhead import instruction_rows, layer_lines, paired_rows
from report.pages import click_ratio_line, missing_lines, page_rows, people_of
from report.peers import goal_lines, peer_rows, peer_targets
from report.scale_out import scale_out_lines, scale_out_rows
from report.soak import soak_rows
from report.summary import summary, unstable_run
from report.verdicts import io_wait_api

Section = Callable[[Report], str | None]


def title(r: Report) -> str:
    res = r.results
    env = res.environment
    dirty = " (dirty)" if env.git_dirty else ""
    return join(
        heading(
            1, f"servebench report — {res.model.get('name', '?')} {res.model.get('version', '')}".rstrip()
        ),
        f"Run {res.started_at:%Y-%m-%d %H:%M UTC} · {env.cpu_model}, {env.cores} cores, "
        f"{env.memory_bytes / 2**30:.1f} GiB · git {env.git_revision[:12]}{dirty} · wall time {res.wall_s:.0f} s",
    )


def short_run(r: Report) -> str | None:
    if r.banner is None:
        return None
    plan = r.results.plan
    return banner(
        f"{r.banner.upper()}.",
        f"Short measurements ({plan.repeats} × {plan.measure_s:g} s): the figures show the shape, not decisions.",
    )


def verdicts(r: Report) -> str:
    rows = [
        (
            v.need,
            f"**{v.pick or 'none'}**",
            f"`{v.rule}`: {v.rule_text}",
            "; ".join(v.evidence) or "—",
            v.steadiness,
            " ".join(v.caveats),
        )
        for v in r.verdicts
    ]
    return join(
        heading(2, "Verdicts"),
        table(("need", "pick", "rule", "figures it rests on", "steady?", "caveats"), rows),
    )


def ranking(r: Report) -> str:
    weights = ", ".join(f"`{key}:{weight:g}`" for key, weight in r.weights.items())
    rows = [
        (
            str(rank),
            s.front_end,
            f"{s.score:.3f}",
            *(f"{s.parts[key]:.2f}" if s.parts[key] is not None else "—" for key in r.weights),
        )
        for rank, s in enumerate(r.scores, start=1)
    ]
    return join(
        heading(2, "Ranking"),
        f"Weights: {weights} — score = Σ w · best/value ÷ Σ w (1 is best on every key). Change them with "
        "`make report WEIGHTS=latency:3,throughput:1,memory:1,cold_start:1,loc:2`.",
        table(("rank", "front end", "score", *r.weights), rows),
    )


def charts(r: Report) -> str:
    shown = (
        image(c.title, f"{CHART_FOLDER}/{c.key}.svg")
        for c in r.charts
        if c.key not in {"capacity", "scale_out"}
    )
    return join(heading(2, "Charts"), *shown)


def tabled(r: Report, title: str, headers: tuple[str, ...], key: str, intro: str | None = None) -> str:
    """A section that is one of the report's tables under a heading, with an optional sentence before it."""
    return join(heading(2, title), intro, table(headers, (row.cells for row in r.tables[key])))


def capacity(r: Report) -> str:
    title = "Capacity at the latency SLO (Server)"
    rows = capacity_rows(r.results)
    if not rows:
        return join(
            heading(2, title),
            f"This results file (schema {r.results.schema_version}) has no Server scenario: the API verdict and the "
            "ranking's throughput rest on closed-loop throughput at c=8 instead.",
        )
    trial_headers = (
        "target",
        "configuration",
        "search",
        "offered req/s",
        "delivered req/s",
        "p99 ms",
        "server CPU µs/request",
        "errors / refused",
        "result",
    )
    return join(
        heading(2, title),
        "MLPerf's Server scenario: Poisson arrivals at rising rates; a target's capacity is the highest rate whose "
        "p99 stays within the objective with no errors. One value per repeat of the search, median (min–max).",
        table(
            ("target", "variant", "workers", "objective", "capacity", "p99 at capacity", "spread"),
            (row.cells for row in rows),
        ),
        image("Server: capacity at the latency objective", f"{CHART_FOLDER}/capacity.svg")
        if any(c.key == "capacity" for c in r.charts)
        else None,
        heading(3, "Every rate tried"),
        "The server's CPU time per request is the same work at every rate: a trial where it is higher ran on a "
        "slower core (the host's), which near capacity lengthens the p99 two to three times over (METHOD.md).",
        table(trial_headers, (row.cells for row in trial_rows(r.results))),
    )


def peers(r: Report) -> str | None:
    if not peer_targets(r.results):
        return None
    headers = ("target", "configuration", "server", "verified", "c=1 p50 ms", "c=1 p99 ms", "capacity req/s")
    return join(
        heading(2, "Our front end or a model server"),
        "MLServer (scikit-learn runtime) and BentoML serve a sha256-verified copy of the same artifact, each from "
        "its own venv and in its own documented configuration, on the same records; MLServer and our front ends "
        "are also sent the same Open Inference Protocol requests. Each was verified before it was measured: the "
        "same labels, and probabilities compared with scikit-learn's in ULPs. BentoML's cold start includes saving "
        "the artifact into its model store (`bentoml.sklearn.save_model`, a process of its own), as a fresh "
        "deployment does; MLServer's includes starting its inference pool.",
        bullets(goal_lines(r.results)),
        table((*headers, "idle MiB", "cold start s"), (row.cells for row in peer_rows(r.results))),
    )


def overhead(r: Report) -> str:
    res = r.results
    instructions = (
        join(
            heading(3, "Instructions per request (valgrind)"),
            "Counted in-process under valgrind: a twin of wall time that the machine's noise does not move.",
            table(
                ("target", "instructions per request", "spread", "calls counted"),
                (row.cells for row in instruction_rows(res)),
            ),
            bullets(layer_lines(res)),
        )
        if res.instructions
        else (
            "No instruction counts in this results file (they start with schema 1.2)."
            if res.schema_version in ("1.0", "1.1")
            else "Instructions were not counted in this run: the full plan counts them; `make instructions` alone."
        )
    )
    if res.paired_ratios:
        return join(
            heading(2, "Framework overhead"),
            "Each ratio pairs a front end with its framework-free floor measured back to back in every round: one "
            "ratio per round, median (min–max). A range that crosses 1.0 is within noise, not a finding.",
            table(
                ("comparison", "metric", "ratio", "reading", "the layer in instructions"),
                (row.cells for row in paired_rows(res)),
            ),
            instructions,
        )
    headers = (
        "front end",
        "SingleStream p50 (c=1)",
        "over in-process predict",
        "over the framework-free server",
        "throughput lost at c=8",
    )
    intro = (
        "This results file has no paired ratios (schema 1.2): these are ratios of medians taken in different "
        "moments, so a difference smaller than the figures' spread is not a finding."
    )
    return join(tabled(r, "Framework overhead", headers, "overhead", intro), instructions)


def levers(r: Report) -> str | None:
    rows = lever_rows(r.results)
    per_model = model_levers(r)
    if len(rows) < 2 and per_model is None:
        return None
    headers = (
        "lever",
        "target",
        "capacity at the SLO",
        "× shipped",
        "c=1 p50",
        "idle memory",
        "exactness cost",
    )
    intro = (
        "For this model, each lever a team could pull, measured against the shipped FastAPI with one worker: "
        "capacity at the latency objective (a gain counts only when its whole range lies above the baseline's), "
        "the latency it costs at low load, memory, and what it changes in the answers (in process, over the "
        "benchmark's records, against scikit-learn predicting each record alone)."
    )
    this_run = (
        join(intro, table(headers, [row.cells for row in rows]), bullets(lever_lines(r.results)))
        if len(rows) >= 2
        else None
    )
    return join(heading(2, "Levers"), this_run, per_model)


def model_levers(r: Report) -> str | None:
    """Each model's levers from its newest `make levers` file, when there are any beside the results."""
    if not r.model_levers:
        return None
    runs = [results for _, results in r.model_levers]
    files = ", ".join(f"`{name}`" for name, _ in r.model_levers)
    intro = (
        f"Per model, from `make levers MODEL=…` ({files}): each lever's capacity at the SLO over the shipped "
        "FastAPI's, round by round (median and range of the pairs), its c=1 p50 against the shipped one's, and its "
        "answers against scikit-learn predicting each record alone."
    )
    return join(
        heading(3, "Levers per model"),
        intro,
        table(MODEL_LEVER_HEADERS, [row.cells for row in model_lever_rows(runs)]),
        bullets(model_lever_lines(runs)),
    )


def variants(r: Report) -> str:
    headers = ("front end", "variant", "workers", "server", "throughput", "p50")
    return tabled(r, "Variants (c=8, or 8 Streamlit sessions)", headers, "variants")


def streamlit(r: Report) -> str | None:
    if not r.tables["streamlit"]:
        return None
    headers = (
        "settings",
        "p50 by sessions",
        "reruns/s at 8 sessions",
        "Chromium click → result",
        "memory per session at 8",
    )
    intro = (
        "Submit → result over Streamlit's websocket (the server's time, p50 by concurrent sessions), and the same "
        "clicked in Chromium as a cross-check (what a person sees, rendering included)."
    )
    return tabled(r, "Streamlit sessions", headers, "streamlit", intro)


def pages(r: Report) -> str | None:
    rows = page_rows(r.results)
    if not rows:
        return None
    people = people_of(r.results)
    at = f"{people} people at once" if people else "people at once"
    headers = (
        "page",
        "code lines by language",
        "Chromium click → result",
        f"submits/s, {at}",
        "memory per person",
    )
    intro = (
        "The two pages a person can use, as shipped, in this run. Lines: pygount's code lines of the page alone (its "
        "Python of the `ui` concern, and its templates, stylesheets and scripts). Click → result: Chromium, from the "
        "click to the frame that paints the answer, over the run's submits. Submits/s: that many people submitting "
        "back to back, browser-less — Streamlit's websocket sessions, the Flask page's form posts with their cookie "
        "and CSRF token — every answer checked whole. Memory per person: the server tree's RSS growth with them on, "
        "over their number (Streamlit's above its idle size after the warm-up; the Flask page's above its size just "
        "before they came, once one person had used the page, since the same server answered the API first). "
        "Median (min–max): over the submits for the click, over the repeats for the rest."
    )
    return join(
        heading(2, "Pages for people"),
        intro,
        table(headers, (row.cells for row in rows)),
        bullets([line for line in [click_ratio_line(r.results)] if line] + missing_lines(r.results)),
    )


def soak(r: Report) -> str:
    title = "Soak (make soak)"
    if r.soak is None:
        return join(
            heading(2, title),
            "No soak results beside this results file: `make soak` writes `benchmarks/results/soak-<UTC timestamp>.json`"
            " (or give one with `make report SOAK=path`).",
        )
    headers = (
        "front end",
        "rate held",
        "for",
        "requests",
        "RSS first → last slice",
        "errors / non-200 / refused",
        "host, slowest",
    )
    return join(
        heading(2, title),
        f"`{r.soak_name}`, started {r.soak.started}, model {r.soak.model}: each HTTP front end "
        + (
            f"(1 worker, with {', '.join(f'`{name}={value}`' for name, value in r.soak.settings.items())} over the "
            "shipped settings) "
            if r.soak.settings
            else "(shipped, 1 worker) "
        )
        + "held at half its measured capacity, RSS read after each slice. It passes when RSS grew less than "
        f"{r.soak.max_rss_growth * 100:.0f} % from the first slice to the last, no request failed and none sent on "
        "time was refused. When the host stalls the generator, it sends all that fell due meanwhile at once: nginx "
        "refuses that burst past the in-flight limit, and those refusals are counted apart. A calibration loop is "
        'timed before the capacity and after each slice ("host, slowest": its slowest time over its first); a run '
        f"whose only refusals on time came where the host had slowed {r.soak.host_slowed:g}× or more is "
        "inconclusive, since the rate held was then no longer half of what the host allowed.",
        table((*headers, "result"), (row.cells for row in soak_rows(r.soak))),
    )


def io_wait(r: Report) -> str:
    title = "Requests that wait on I/O (make bench-io)"
    if r.io_wait is None:
        return join(
            heading(2, title),
            "No bench-io results beside this results file: `make bench-io` writes "
            "`benchmarks/results/io-<UTC timestamp>.json`.",
        )
    io, verdict = r.io_wait, io_wait_api(r.io_wait)
    rows = []
    for target in io.targets():
        cells = [target]
        for delay in io.delays():
            row = io.row(target, delay)
            fig = row.capacity if row is not None and row.capacity_rps else None
            cells.append(f"{fig.median:,.1f} ({fig.min:,.1f}–{fig.max:,.1f})" if fig else "—")
        rows.append((*cells, limit_of(io, target)))
    return join(
        heading(2, title),
        f"`{r.io_wait_name}`, model {io.model}: capacity at p99 ≤ {io.slo_ms:g} ms of one worker (req/s, median "
        f"and range of {io.repeats}) while every prediction looks its account up in Redis, with the wait added to "
        f"each lookup on the store's link only ({io.link}).",
        f"**{verdict.need}:** {verdict.pick or 'no pick'} — {verdict.rule_text}.",
        bullets([*verdict.evidence, *verdict.caveats]),
        table(("target", *(f"+{delay:g} ms" for delay in io.delays()), "where the slots bind"), rows),
    )


def scale_out(r: Report) -> str:
    title = "Scale-out: workers, replicas and Ray Serve (make scale-out)"
    if r.scale_out is None:
        return join(
            heading(2, title),
            "No scale-out results beside this results file: `make scale-out` writes "
            "`benchmarks/results/scale-out-<UTC timestamp>.json` (or give one with `make report SCALE_OUT=path`).",
        )
    headers = (
        "engine",
        "processes",
        "req/s, median (min–max)",
        "req/s per process",
        "p99 ms",
        "idle RSS",
        "start",
        "errors / non-200",
    )
    s = r.scale_out
    return join(
        heading(2, title),
        f"`{r.scale_out_name}`, started {s.started}, model {s.model}: the FastAPI app under uvicorn behind nginx (the "
        f"shipped launcher) and under Ray Serve, closed loop at {s.connections} connections, {s.repeats} × "
        f"{s.seconds:g} s each after a warm-up, generator and server sharing both cores.",
        table(headers, (row.cells for row in scale_out_rows(s))),
        image("Scale-out: uvicorn workers against Ray Serve replicas", f"{CHART_FOLDER}/scale_out.svg"),
        bullets(scale_out_lines(s)),
    )


def contract(r: Report) -> str:
    headers = ("front end", "result", "checks", "failures", "source")
    return tabled(r, "Contract (verified before measuring)", headers, "contract")


def features(r: Report) -> str:
    return tabled(r, "Feature matrix", ("feature", "flask", "fastapi", "streamlit"), "features")


def changes(r: Report) -> str | None:
    if r.changes is None:
        return None
    rows = [
        (
            c.target,
            f"{c.variant}, {c.workers}w",
            c.scenario,
            c.params,
            c.key,
            f"{c.old.median:.3g} {c.unit}",
            f"{c.new.median:.3g} {c.unit}",
            f"{c.relative * 100:+.0f} %",
        )
        for c in r.changes
    ]
    headers = ("target", "configuration", "scenario", "parameters", "figure", "before", "after", "change")
    return join(
        heading(2, "Changes since the baseline run"),
        "A change counts when the new median lies outside the old min–max and differs by more than 10 %.",
        table(headers, rows) if rows else "No figure changed by that rule.",
    )


def agreement(r: Report) -> str | None:
    return runs_agreement.section(r.baseline, r.results) if r.baseline is not None else None


def every_figure(r: Report) -> str:
    headers = ("target", "configuration", "scenario", "parameters", "figure", "median (min–max)")
    return tabled(r, "Every figure", headers, "figures")


SECTIONS: tuple[Section, ...] = (
    title,
    unstable_run,
    short_run,
    summary,
    verdicts,
    ranking,
    capacity,
    levers,
    peers,
    charts,
    overhead,
    variants,
    pages,
    streamlit,
    soak,
    io_wait,
    scale_out,
    contract,
    features,
    agreement,
    changes,
    method,
    every_figure,
)


def markdown(r: Report) -> str:
    """The whole report as Markdown, sections in reading order."""
    return join(*(section(r) for section in SECTIONS)) + "\n"
