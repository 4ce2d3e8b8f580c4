"""The one place that knows where each headline figure sits in a results file.

Every other report module asks this one for figures by meaning ("throughput at c=8"), so a change in the results
schema is mended here alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from benchmarks.results import Figure, Measurement, PairedRatio, Results, Target

FRONT_ENDS = ("flask", "fastapi", "streamlit")
HTTP_FRONT_ENDS = ("flask", "fastapi")
HEADLINE_CONCURRENCY = 8
SERVER = "server"  # MLPerf's Server scenario: capacity at the p99 latency objective
CLOSED_LOOP_BASIS = f"closed-loop throughput at c={HEADLINE_CONCURRENCY}"
# Where each page's people at once are measured: (scenario, its parameter). Streamlit's are its websocket sessions.
PEOPLE = {"streamlit": ("streamlit_sessions", "sessions"), "flask": ("page_people", "people")}
PAGE_FRONT_ENDS = ("streamlit", "flask")


@dataclass(frozen=True, slots=True)
class Headline:
    """A front end's figures that the verdicts and the ranking weigh (None where it was not measured)."""

    front_end: str
    verified: bool
    latency_ms: Figure | None
    throughput_rps: (
        Figure | None
    )  # capacity at the SLO where every HTTP front end has it, else c=8 throughput
    throughput_basis: str  # which of the two `throughput_rps` is
    p99_ms: Figure | None
    idle_rss_mb: Figure | None
    peak_concurrency: int | None
    p99_at_peak_ms: Figure | None
    cold_start_s: Figure | None
    logical_lines: int | None
    click_ms: Figure | None = None  # a page's click → painted answer in Chromium (Streamlit, the Flask page)
    click_beside: tuple[
        str, ...
    ] = ()  # the front ends whose pages' submits were taken in turn with these (1.6)
    # A page's people at once (`page_people` of them): the server tree's RSS growth per person, and submits/s.
    rss_per_person_mb: Figure | None = None
    page_people: int | None = None
    page_rate: Figure | None = None
    page_lines: dict[str, int] = field(default_factory=dict)  # the page's code lines by language (schema 1.5)

    def value(self, key: str) -> float | None:
        """The median of a ranking key's figure (`latency`, `throughput`, `memory`, `cold_start`, `loc`)."""
        figures = {
            "latency": self.latency_ms,
            "throughput": self.throughput_rps,
            "memory": self.idle_rss_mb,
            "cold_start": self.cold_start_s,
        }
        if key == "loc":
            return float(self.logical_lines) if self.logical_lines is not None else None
        figure = figures[key]
        return figure.median if figure is not None else None


def normalised(results: Results) -> Results:
    """The results with front ends named as people say them (`flask`, not the launcher module `flask_app`),
    everywhere a target is named: its own name, its contract and boilerplate rows, its paired ratios and instructions."""
    targets = [t.model_copy(update={"name": _short(t.name)}) for t in results.targets]
    labels = {old.label: new.label for old, new in zip(results.targets, targets, strict=True)}
    return results.model_copy(
        update={
            "targets": targets,
            "contract": [r.model_copy(update={"front_end": _short(r.front_end)}) for r in results.contract],
            "boilerplate": [
                r.model_copy(update={"front_end": _short(r.front_end)}) for r in results.boilerplate
            ],
            "paired_ratios": [_relabelled(r, labels) for r in results.paired_ratios],
            "instructions": [i.model_copy(update={"target": _short(i.target)}) for i in results.instructions],
        }
    )


def _short(name: str) -> str:
    return name.removesuffix("_app")


def _relabelled(paired: PairedRatio, labels: dict[str, str]) -> PairedRatio:
    """A paired ratio naming its two targets by their new labels (its name is `costly over cheap: what`)."""
    pair, _, what = paired.name.partition(": ")
    costly, _, cheap = pair.partition(" over ")
    return paired.model_copy(
        update={
            "name": f"{labels.get(costly, costly)} over {labels.get(cheap, cheap)}: {what}",
            "numerator": labels.get(paired.numerator, paired.numerator),
            "denominator": labels.get(paired.denominator, paired.denominator),
        }
    )


def paired(
    results: Results, numerator: Target | None, denominator: Target | None, metric: str
) -> PairedRatio | None:
    """The run's paired ratio of `metric` with these two targets on top and below, if it was measured."""
    if numerator is None or denominator is None:
        return None
    return next(
        (
            r
            for r in results.paired_ratios
            if r.metric == metric and r.numerator == numerator.label and r.denominator == denominator.label
        ),
        None,
    )


def shipped(results: Results, name: str, workers: int = 1) -> Target | None:
    """A front end or baseline in the configuration the project ships, with `workers` workers."""
    # The front ends spoken to in OIP (PEERS=1) are the same servers, measured apart from the headline.
    matches = [
        t
        for t in results.targets
        if t.name == name and t.workers == workers and t.shipped and t.protocol == "v1"
    ]
    return matches[0] if matches else None


def variants(results: Results, name: str) -> list[Target]:
    """Every configuration of `name` that was measured."""
    return [target for target in results.targets if target.name == name]


def measurement(target: Target | None, scenario: str, **params: float | int | str) -> Measurement | None:
    """The target's measurement of `scenario` whose params include `params`, if any and not failed."""
    if target is None:
        return None
    for item in target.measurements:
        if item.scenario == scenario and item.failure is None and _matches(item.params, params):
            return item
    return None


def figure(target: Target | None, scenario: str, key: str, **params: float | int | str) -> Figure | None:
    """One figure of one measurement, or None."""
    found = measurement(target, scenario, **params)
    return found.figures.get(key) if found is not None else None


def _beside(browser: Measurement | None) -> tuple[str, ...]:
    interleaved = str(browser.params.get("interleaved_with", "")) if browser is not None else ""
    return tuple(name.removesuffix("_app") for name in interleaved.split(",") if name)


def ratio_of(top: Figure, bottom: Figure, *, paired: bool = True) -> Figure | None:
    """`top` over `bottom`: repeat by repeat when `paired` (repeat i of both taken in round i) and as many, else
    the medians' ratio within the extremes' (the lowest top over the highest bottom, and the other way)."""
    if paired and len(top.repeats) == len(bottom.repeats):
        ratios = [t / b for t, b in zip(top.repeats, bottom.repeats, strict=True) if b > 0]
        return Figure.of("×", ratios) if ratios else None
    if bottom.min <= 0:
        return None
    low, high = top.min / bottom.max, top.max / bottom.min
    return Figure(unit="×", repeats=[], min=low, median=top.median / bottom.median, max=high)


def levels(target: Target | None, scenario: str, param: str) -> list[float]:
    """The values of `param` that `scenario` was measured at, in order."""
    if target is None:
        return []
    values = {
        float(m.params[param]) for m in target.measurements if m.scenario == scenario and param in m.params
    }
    return sorted(values)


def objective(results: Results, found: Measurement) -> str:
    """The Server scenario's latency objective as text: `p99 ≤ 50 ms`."""
    slo, percentile = found.params.get("slo_ms", results.plan.slo_ms), found.params.get("percentile", 99)
    pct = f"{percentile:g}" if isinstance(percentile, float | int) else percentile
    return f"p{pct} ≤ {slo:g} ms" if isinstance(slo, float | int) else f"p{pct} within the latency objective"


def capacity_basis(results: Results) -> str | None:
    """`capacity at p99 ≤ 50 ms` when every shipped 1-worker HTTP front end has the Server scenario, else None."""
    present = [t for t in (shipped(results, name) for name in HTTP_FRONT_ENDS) if t is not None]
    found = [measurement(target, SERVER) for target in present]
    if not found or None in found:
        return None
    return next(f"capacity at {objective(results, m)}" for m in found if m is not None)


def page_people(results: Results) -> int | None:
    """How many people at once the pages are compared at: 8 where both pages were measured so, else the most both
    were (or the one page measured) measured with."""
    found = [set(levels(shipped(results, name), *PEOPLE[name])) for name in PAGE_FRONT_ENDS]
    common = set.intersection(*found) if all(found) else set.union(*found)
    if not common:
        return None
    return HEADLINE_CONCURRENCY if HEADLINE_CONCURRENCY in common else int(max(common))


def page_figures(
    target: Target | None, front_end: str, people: int | None
) -> tuple[Figure | None, Figure | None]:
    """(submits/s, MiB per person) of a page with `people` at once: Streamlit's sessions, the Flask page's clients."""
    if people is None or front_end not in PEOPLE:
        return None, None
    scenario, param = PEOPLE[front_end]
    rate = figure(target, scenario, "throughput_rps", **{param: people})
    if front_end == "streamlit":
        return rate, figure(target, "memory", f"rss_per_session_mb_at_{people:g}")
    return rate, figure(target, scenario, "rss_per_person_mb", **{param: people})


def headline(
    results: Results, front_end: str, basis: str | None = None, people: int | None = None
) -> Headline:
    """A front end's headline figures: SingleStream latency, throughput (capacity at the SLO, or c=8), memory..."""
    target = shipped(results, front_end)
    if front_end == "streamlit":
        latency = figure(target, "streamlit_sessions", "p50_ms", sessions=1)
        throughput = figure(target, "streamlit_sessions", "throughput_rps", sessions=HEADLINE_CONCURRENCY)
        p99 = figure(target, "streamlit_sessions", "p99_ms", sessions=HEADLINE_CONCURRENCY)
        basis = f"reruns/s with {HEADLINE_CONCURRENCY} sessions"
    else:
        latency = figure(target, "closed_loop", "p50_ms", concurrency=1)
        p99 = figure(target, "closed_loop", "p99_ms", concurrency=HEADLINE_CONCURRENCY)
        if basis is None:
            throughput = figure(target, "closed_loop", "throughput_rps", concurrency=HEADLINE_CONCURRENCY)
            basis = CLOSED_LOOP_BASIS
        else:
            throughput = figure(target, SERVER, "capacity_rps")
    peak = (
        max(levels(target, "closed_loop", "concurrency"), default=None) if front_end != "streamlit" else None
    )
    row = next((row for row in results.boilerplate if row.front_end == front_end), None)
    rate, per_person = page_figures(target, front_end, people)
    return Headline(
        front_end=front_end,
        verified=target is not None and target.verified,
        latency_ms=latency,
        throughput_rps=throughput,
        throughput_basis=basis,
        p99_ms=p99,
        idle_rss_mb=figure(target, "memory", "idle_rss_mb"),
        peak_concurrency=int(peak) if peak is not None else None,
        p99_at_peak_ms=figure(target, "closed_loop", "p99_ms", concurrency=peak)
        if peak is not None
        else None,
        # Streamlit's cold start ends at the first rendered page, the HTTP front ends' at the first prediction.
        cold_start_s=figure(
            target, "streamlit_cold_start" if front_end == "streamlit" else "cold_start", "seconds"
        ),
        logical_lines=row.logical_lines if row is not None else None,
        click_ms=figure(target, "browser", "submit_to_result_ms"),
        click_beside=_beside(measurement(target, "browser")),
        rss_per_person_mb=per_person,
        page_people=people if rate is not None or per_person is not None else None,
        page_rate=rate,
        page_lines=dict(row.page_lines) if row is not None else {},
    )


def headlines(results: Results) -> list[Headline]:
    """The headline of every front end present in the results."""
    results = normalised(results)
    present = {target.name for target in results.targets}
    basis, people = capacity_basis(results), page_people(results)
    return [headline(results, name, basis, people) for name in FRONT_ENDS if name in present]


def _matches(params: dict[str, float | int | str], wanted: dict[str, float | int | str]) -> bool:
    return all(key in params and _same(params[key], value) for key, value in wanted.items())


def _same(left: float | int | str, right: float | int | str) -> bool:
    if isinstance(left, str) or isinstance(right, str):
        return left == right
    return float(left) == float(right)


def medians(figures: Iterable[Figure | None]) -> list[float | None]:
    """The median of each figure, None where absent."""
    return [f.median if f is not None else None for f in figures]
