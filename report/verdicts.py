"""Verdicts: for each need, a named rule over fields of the results, with the figures it rests on and its caveats."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial

from benchmarks.results import Figure, Results
from report.figures import (
    CLOSED_LOOP_BASIS,
    HTTP_FRONT_ENDS,
    Headline,
    headlines,
    normalised,
    paired,
    shipped,
)
from report.io_wait import IoWait, limit_of
from report.pages import lines_text
from report.steadiness import judge

TAIL_RATIO = 2.0  # a pick's p99 at the highest concurrency this many times a rival's earns a caveat
FLASK_ENOUGH = 0.5  # Flask's share of the best HTTP throughput above which staying on Flask is the sound call


@dataclass(frozen=True, slots=True)
class Verdict:
    """Which front end to pick for one need, and why."""

    need: str
    rule: str
    rule_text: str
    pick: str | None
    evidence: list[str]
    caveats: list[str] = field(default_factory=list)
    key_figure: str = ""  # the one figure behind the pick, for the summary
    figures: tuple[tuple[str, Figure], ...] = ()  # what the pick rests on, labelled, to judge its steadiness
    steady: bool = True
    steadiness: str = "counted, not timed"


def _labelled(
    heads: list[Headline], what: str, pick: Callable[[Headline], Figure | None]
) -> tuple[tuple[str, Figure], ...]:
    return tuple((f"{h.front_end} {what}", fig) for h in heads if (fig := pick(h)) is not None)


def _others(pick: str | None, values: dict[str, str]) -> str:
    rivals = ", ".join(f"{name} {value}" for name, value in values.items() if name != pick)
    return f" (against {rivals})" if rivals else ""


def _show(figure: Figure | None, unit: str, digits: int = 0) -> str:
    if figure is None:
        return "not measured"
    return f"{figure.median:,.{digits}f} {unit} (min {figure.min:,.{digits}f}, max {figure.max:,.{digits}f})"


def _overlap(a: Figure | None, b: Figure | None) -> bool:
    return a is not None and b is not None and a.min <= b.max and b.min <= a.max


def public_api(heads: dict[str, Headline]) -> Verdict:
    http = [heads[name] for name in HTTP_FRONT_ENDS if name in heads and heads[name].verified]
    measured = [h for h in http if h.throughput_rps is not None]
    basis = http[0].throughput_basis if http else CLOSED_LOOP_BASIS
    evidence = [
        f"{h.front_end}: {_show(h.throughput_rps, 'req/s')} {basis}, p99 at c=8 {_show(h.p99_ms, 'ms', 1)}"
        for h in http
    ]
    caveats = ["Measured on one small machine over loopback: compare ratios, not absolute figures."]
    pick = None
    if measured:
        best = max(measured, key=lambda h: h.throughput_rps.median if h.throughput_rps else 0.0)
        rivals = [h for h in measured if h is not best and _overlap(h.throughput_rps, best.throughput_rps)]
        if rivals:
            # Within noise on throughput, the tail decides: a public API is judged by its slowest answers.
            best = min([best, *rivals], key=lambda h: h.p99_ms.median if h.p99_ms else float("inf"))
            caveats.append("Throughput ranges overlap: the pick rests on the lower p99 at c=8.")
        pick = best.front_end
        caveats += _tail_caveats(best, measured)
    by_capacity = basis != CLOSED_LOOP_BASIS
    rates = {h.front_end: f"{h.throughput_rps.median:,.0f} req/s" for h in measured if h.throughput_rps}
    return Verdict(
        need="Public JSON API under load",
        rule="highest_capacity_at_slo" if by_capacity else "highest_throughput_at_c8",
        rule_text=f"Highest {basis} (1 worker; "
        + ("the Server scenario's Poisson arrivals" if by_capacity else "no capacity at the SLO in this file")
        + ") among the HTTP front ends that passed the contract; where the min–max ranges overlap, the lower "
        "p99 at c=8 wins.",
        pick=pick,
        evidence=evidence,
        caveats=caveats,
        key_figure=f"{rates[pick]} {basis}{_others(pick, rates)}" if pick else "",
        figures=_labelled(measured, basis, lambda h: h.throughput_rps),
    )


def _tail_caveats(pick: Headline, measured: list[Headline]) -> list[str]:
    """Where another front end's p99 at the highest concurrency is far lower than the pick's, say so."""
    caveats = []
    mine = pick.p99_at_peak_ms
    for other in measured:
        theirs = other.p99_at_peak_ms
        if other is pick or mine is None or theirs is None or other.peak_concurrency != pick.peak_concurrency:
            continue
        if mine.median > TAIL_RATIO * theirs.median and not _overlap(mine, theirs):
            caveats.append(
                f"Past saturation the tail turns: at c={pick.peak_concurrency} {pick.front_end}'s p99 is "
                f"{mine.median:,.0f} ms against {other.front_end}'s {theirs.median:,.0f} ms. Cap concurrent "
                "requests per worker (or add workers) before the queue grows that long."
            )
    return caveats


def non_programmers(heads: dict[str, Headline]) -> Verdict:
    streamlit, flask = heads.get("streamlit"), heads.get("flask")
    ok = streamlit is not None and streamlit.verified
    evidence = []
    caveats = ["Streamlit serves people, not programs: it has no JSON API to call."]
    if streamlit is not None:
        evidence = [
            f"streamlit: click → result in Chromium {_show(streamlit.click_ms, 'ms')}; {_page_text(streamlit)}",
            f"streamlit: submit → result {_show(streamlit.latency_ms, 'ms')} over its websocket, one session",
            _people_line("streamlit", streamlit),
        ]
    if flask is not None and (flask.click_ms is not None or flask.page_rate is not None):
        evidence += [
            f"flask page: click → result in Chromium {_show(flask.click_ms, 'ms')}; {_page_text(flask)}",
            _people_line("flask page", flask),
        ]
        caveats += _lighter_page(streamlit, flask) if ok and streamlit is not None else []
    if streamlit is not None and streamlit.p99_ms is not None and streamlit.p99_ms.median > 1000:
        caveats.append(
            f"With 8 sessions the p99 reaches {streamlit.p99_ms.median:,.0f} ms: plan for few users."
        )
    if not ok:
        caveats.append("Streamlit did not pass the contract in this run, so it is not recommended.")
    click = streamlit.click_ms if streamlit is not None else None
    latency = streamlit.latency_ms if streamlit is not None else None
    key_figure = ""
    if ok and click is not None:
        key_figure = f"click → result {click.median:,.0f} ms in Chromium"
    elif ok and latency is not None:
        key_figure = f"submit → result {latency.median:,.0f} ms for one session"
    return Verdict(
        need="Tool for non-programmers",
        rule="ui_in_python_alone",
        rule_text="The front end whose page for people (form, chart, file upload) takes Python alone, no HTML, CSS "
        "or JavaScript, provided it passed the contract; both pages' figures are in 'Pages for people'.",
        pick="streamlit" if ok else None,
        evidence=evidence,
        caveats=caveats,
        key_figure=key_figure,
        figures=_labelled([streamlit] if streamlit else [], "submit → result", lambda h: h.latency_ms),
    )


def _people_line(label: str, head: Headline) -> str:
    if head.page_rate is None and head.rss_per_person_mb is None:
        return (
            f"{label}: submits/s and memory per person with people at once not measured in this results file"
        )
    return (
        f"{label}: {_show(head.page_rate, 'submits/s', 1)} with {head.page_people} people at once, "
        f"{_show(head.rss_per_person_mb, 'MiB', 3)} of memory per person"
    )


def _page_text(head: Headline) -> str:
    return (
        f"the page is {lines_text(head.page_lines)}"
        if head.page_lines
        else "its lines by language not recorded"
    )


def _lighter_page(streamlit: Headline, flask: Headline) -> list[str]:
    """Where the Flask page is the lighter one beyond the figures' spread: sooner, more submits/s, less memory."""
    said = []
    mine, theirs = streamlit.click_ms, flask.click_ms
    if mine is not None and theirs is not None and theirs.median < mine.median and not _overlap(theirs, mine):
        said.append(
            f"The Flask page answers a click sooner ({theirs.median:,.0f} ms against {mine.median:,.0f} ms): for a "
            "team that writes HTML and CSS it is the lighter page."
        )
    mine, theirs = streamlit.page_rate, flask.page_rate
    if mine is not None and theirs is not None and theirs.min > mine.max:
        said.append(
            f"With {flask.page_people} people at once the Flask page serves {theirs.median:,.0f} submits/s against "
            f"Streamlit's {mine.median:,.0f}."
        )
    mine, theirs = streamlit.rss_per_person_mb, flask.rss_per_person_mb
    if mine is not None and theirs is not None and theirs.max < mine.min:
        said.append(
            f"Each person costs the Flask page's server {theirs.median:,.3f} MiB against Streamlit's "
            f"{mine.median:,.3f} MiB per open session."
        )
    return said


def prototype(heads: dict[str, Headline]) -> Verdict:
    counted = [h for h in heads.values() if h.verified and h.logical_lines is not None]
    evidence = [f"{h.front_end}: {h.logical_lines} logical lines" for h in counted]
    pick = min(counted, key=lambda h: h.logical_lines or 0).front_end if counted else None
    lines = {h.front_end: f"{h.logical_lines} lines" for h in counted}
    return Verdict(
        need="Prototype in an afternoon",
        rule="fewest_logical_lines",
        rule_text="Fewest logical lines of code (pygount; comments, docstrings and blank lines excluded) "
        "to meet the contract, among the front ends that passed it.",
        pick=pick,
        evidence=evidence,
        caveats=[
            "Lines measure what this project needed for the full contract; a demo needs fewer everywhere."
        ],
        key_figure=f"{lines[pick]} of code{_others(pick, lines)}" if pick else "",
    )


def flask_share(results: Results, basis: str) -> Figure | None:
    """Flask's share of FastAPI's throughput pair by pair (one worker each, measured back to back in each round),
    where the run paired them: the ratio of two medians, each taken over different moments, moved with the host."""
    results = normalised(results)
    metric = "throughput_rps" if basis == CLOSED_LOOP_BASIS else "capacity_rps"
    # A throughput ratio has the cheaper target on top: FastAPI's figure over Flask's.
    found = paired(results, shipped(results, "fastapi"), shipped(results, "flask"), metric)
    if found is None or min(found.ratio.repeats) <= 0:
        return None
    return Figure.of("×", [1 / ratio for ratio in found.ratio.repeats])


def existing_flask(heads: dict[str, Headline], paired_share: Figure | None = None) -> Verdict:
    flask, fastapi = heads.get("flask"), heads.get("fastapi")
    evidence: list[str] = []
    pick = "flask" if flask is not None and flask.verified else None
    caveats = ["Staying avoids a second framework, a second deployment and a rewrite of tests."]
    basis = flask.throughput_basis if flask else CLOSED_LOOP_BASIS
    key_figure = ""
    # A capacity of 0 (no rate met the SLO, as in a smoke run) gives no ratio, not a division by zero.
    if flask and fastapi and flask.throughput_rps and fastapi.throughput_rps and fastapi.verified:
        if fastapi.throughput_rps.median <= 0:
            return _no_ratio_verdict(pick, caveats, basis, flask, fastapi)
        if paired_share is not None:
            share, highest = paired_share.median, paired_share.max
            key_figure = f"Flask serves {share:.2f}× ({paired_share.min:.2f}–{highest:.2f}, pair by pair) FastAPI's {basis}"
        else:
            share = highest = flask.throughput_rps.median / fastapi.throughput_rps.median
            key_figure = f"Flask serves {share:.2f}× FastAPI's {basis}"
        evidence.append(key_figure)
        # Moving is the costly call, so it needs every pair below the line; a range across it is the host's noise.
        if highest < FLASK_ENOUGH and flask.verified:
            pick = "fastapi"
            caveats.append(
                f"Flask reached under {FLASK_ENOUGH:.0%} of FastAPI's throughput: the move pays for itself."
            )
        elif share < FLASK_ENOUGH:
            caveats.append(
                f"Within noise of the {FLASK_ENOUGH:.0%} line: some pairs put Flask above it, so staying holds "
                "until a run puts every pair below."
            )
    return Verdict(
        need="Existing Flask codebase",
        rule="stay_on_flask_unless_half_as_fast",
        rule_text=f"Flask, unless its {basis} is below {FLASK_ENOUGH:.0%} of FastAPI's in every pair of the run "
        "(Flask and FastAPI measured back to back; older files without pairs: the ratio of the medians).",
        pick=pick,
        evidence=evidence,
        caveats=caveats,
        key_figure=key_figure,
        figures=_labelled([h for h in (flask, fastapi) if h], basis, lambda h: h.throughput_rps),
    )


def _no_ratio_verdict(
    pick: str | None, caveats: list[str], basis: str, flask: Headline, fastapi: Headline
) -> Verdict:
    return Verdict(
        need="Existing Flask codebase",
        rule="stay_on_flask_unless_half_as_fast",
        rule_text=f"Flask, unless its {basis} is below {FLASK_ENOUGH:.0%} of FastAPI's.",
        pick=pick,
        evidence=[f"FastAPI's {basis} is 0: no ratio to compare"],
        caveats=caveats,
        key_figure="",
        figures=_labelled([flask, fastapi], basis, lambda h: h.throughput_rps),
    )


def tight_memory(heads: dict[str, Headline]) -> Verdict:
    measured = [h for h in heads.values() if h.verified and h.idle_rss_mb is not None]
    evidence = [f"{h.front_end}: {_show(h.idle_rss_mb, 'MiB', 1)} idle, 1 worker" for h in measured]
    pick = (
        min(measured, key=lambda h: h.idle_rss_mb.median if h.idle_rss_mb else 0.0).front_end
        if measured
        else None
    )
    sizes = {h.front_end: f"{h.idle_rss_mb.median:,.0f} MiB" for h in measured if h.idle_rss_mb}
    return Verdict(
        need="Tight memory budget",
        rule="lowest_idle_rss",
        rule_text="Lowest resident memory of the whole server process tree, idle after warm-up, with one worker.",
        pick=pick,
        evidence=evidence,
        caveats=[
            "The model and scikit-learn dominate every figure; each extra worker adds about as much again."
        ],
        key_figure=f"{sizes[pick]} idle{_others(pick, sizes)}" if pick else "",
        figures=_labelled(measured, "idle memory", lambda h: h.idle_rss_mb),
    )


def verdicts(results: Results) -> list[Verdict]:
    """Every need's verdict for these results."""
    heads = {head.front_end: head for head in headlines(results)}
    flask = heads.get("flask")
    share = flask_share(results, flask.throughput_basis) if flask else None
    rules: tuple[Callable[[dict[str, Headline]], Verdict], ...] = (
        public_api,
        non_programmers,
        prototype,
        partial(existing_flask, paired_share=share),
        tight_memory,
    )
    return [_judged(rule(heads), results) for rule in rules]


def _judged(verdict: Verdict, results: Results) -> Verdict:
    """The verdict with its steadiness: are the figures it rests on, and the run, steady enough to act on?"""
    if not verdict.figures:
        return verdict
    steady, text = judge(verdict.figures, results.stability)
    return replace(verdict, steady=steady, steadiness=text)


IO_WAIT_RULE = "io_wait"
IO_WAIT_MIN_DELAY_MS = (
    5.0  # a wait this long per request is an API "waiting on I/O"; 0-1 ms is loopback speed
)
IO_WAIT_NEED = "An API whose requests wait on I/O (a feature-store lookup per prediction)"


def io_wait_api(io: IoWait) -> Verdict:
    """The highest median capacity at the SLO at the longest added wait of at least IO_WAIT_MIN_DELAY_MS."""
    waits = [delay for delay in io.delays() if delay >= IO_WAIT_MIN_DELAY_MS]
    rule_text = (
        f"highest capacity at p99 ≤ {io.slo_ms:g} ms (1 worker) when each lookup waits "
        f"≥ {IO_WAIT_MIN_DELAY_MS:g} ms more; a tie when the ranges over the repeats overlap"
    )
    if not waits:
        return Verdict(IO_WAIT_NEED, IO_WAIT_RULE, rule_text, None, ["no delay of 5 ms or more was measured"])
    wait = waits[-1]
    rows = [row for target in io.targets() if (row := io.row(target, wait)) is not None and row.capacity_rps]
    best = max(rows, key=lambda row: row.capacity.median)
    evidence = [
        f"{row.target} at +{wait:g} ms: {_show(row.capacity, 'req/s', 1)}; {limit_of(io, row.target)}"
        for row in rows
    ]
    tied = [row.target for row in rows if row is not best and _overlap(row.capacity, best.capacity)]
    caveats = [f"within the repeats' range of {', '.join(tied)}"] if tied else []
    return Verdict(
        IO_WAIT_NEED,
        IO_WAIT_RULE,
        rule_text,
        best.target.split(" ", 1)[0],
        evidence,
        caveats,
        key_figure=f"{best.target}: {best.capacity.median:,.1f} req/s at +{wait:g} ms",
        figures=tuple((f"{row.target} +{wait:g} ms", row.capacity) for row in rows),
    )
