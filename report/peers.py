"""Our front end or a model server: the peers (MLServer, BentoML) beside our front ends, and the goal they are held to.

The goal (issue #17): one worker each, in the same run, FastAPI's capacity at the latency SLO at least 2× MLServer's
and Flask's at least 1.2× MLServer's. Each ratio is judged on its repeats' extremes, as paired ratios are: it held
when even FastAPI's worst repeat over MLServer's best reaches it, it failed when even the best does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import Figure, Results, Target
from report.figures import SERVER, figure
from report.tables import Row, show

MODEL_SERVER = "mlserver"
MODEL_SERVER_VARIANT = "default"  # MLServer as its documentation ships it: one inference worker
GOALS = (("fastapi", 2.0), ("flask", 1.2))
FAILURE_CHARS = 160


@dataclass(frozen=True, slots=True)
class Goal:
    """One front end's capacity over MLServer's, against the ratio it should reach."""

    front_end: str
    protocol: str  # what both were sent: "OIP" (the same payloads) or "own" (each its own JSON)
    wanted: float
    ratio: Figure | None  # None when either side has no capacity figure
    why_not: str | None  # why no ratio could be taken

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "cannot be judged"
        if self.ratio.min >= self.wanted:
            return "held"
        if self.ratio.max < self.wanted:
            return "did not hold"
        return "within noise"


def peer_targets(results: Results) -> list[Target]:
    """The peers, and our front ends spoken to in OIP, in the order they were measured."""
    return [t for t in results.targets if t.kind == "peer" or t.protocol == "oip"]


def peer_rows(results: Results) -> list[Row]:
    """Each peer and each front end beside it: verified how, SingleStream, capacity, idle memory, cold start."""
    chosen = [*_ours(results), *peer_targets(results)]
    rows = []
    for target in chosen:
        checked = target.verification or ("verified" if target.verified else "")
        rows.append(
            Row(
                (
                    target.name,
                    f"{target.variant}, {target.workers}w, {'OIP' if target.protocol == 'oip' else 'own JSON'}",
                    target.server,
                    checked if target.verified else f"FAILED: {_short(target.failure)}",
                    show(figure(target, "closed_loop", "p50_ms", concurrency=1), 2),
                    show(figure(target, "closed_loop", "p99_ms", concurrency=1), 2),
                    show(figure(target, SERVER, "capacity_rps"), 0),
                    show(figure(target, "memory", "idle_rss_mb"), 0),
                    show(figure(target, "cold_start", "seconds"), 2),
                )
            )
        )
    return rows


def goals(results: Results) -> list[Goal]:
    """Each goal on the same payloads (OIP) where our front end answered them, else on each one's own JSON."""
    server = _find(results, MODEL_SERVER, MODEL_SERVER_VARIANT, "oip", "peer")
    found = []
    for name, wanted in GOALS:
        ours = _find(results, name, None, "oip", "front_end")
        protocol = "OIP"
        if ours is None or not ours.verified:
            ours, protocol = _find(results, name, None, "v1", "front_end"), "own"
        found.append(_goal(name, protocol, wanted, ours, server))
    return found


def _goal(name: str, protocol: str, wanted: float, ours: Target | None, server: Target | None) -> Goal:
    for target, who in ((server, "MLServer"), (ours, name)):
        if target is None:
            return Goal(name, protocol, wanted, None, f"{who} was not measured in this run")
        if not target.verified:
            return Goal(name, protocol, wanted, None, f"{who} failed: {_short(target.failure)}")
    mine, theirs = figure(ours, SERVER, "capacity_rps"), figure(server, SERVER, "capacity_rps")
    if mine is None or theirs is None:
        return Goal(name, protocol, wanted, None, "no Server scenario on one side")
    if theirs.max <= 0:
        return Goal(name, protocol, wanted, None, "MLServer held the latency objective at no rate tried")
    # Repeat i of one beside repeat i of the other: both searches ran in the same rounds.
    ratios = [a / b for a, b in zip(mine.repeats, theirs.repeats, strict=False) if b > 0]
    if not ratios:
        return Goal(name, protocol, wanted, None, "MLServer held the SLO at no rate")
    return Goal(name, protocol, wanted, Figure.of("×", ratios), None)


def goal_lines(results: Results) -> list[str]:
    """The verdict "our front end or a model server", one line per goal, with the figures it rests on."""
    server = _find(results, MODEL_SERVER, MODEL_SERVER_VARIANT, "oip", "peer")
    theirs = figure(server, SERVER, "capacity_rps")
    lines = []
    for goal in goals(results):
        head = f"**{goal.front_end} ≥ {goal.wanted:g}× MLServer** ({goal.protocol} payloads, 1 worker each): "
        if goal.ratio is None:
            lines.append(head + f"{goal.verdict} — {goal.why_not}.")
            continue
        ratio = goal.ratio
        text = f"{goal.verdict}: {ratio.median:.2f}× ({ratio.min:.2f}–{ratio.max:.2f}× over the repeats)"
        if goal.verdict != "held" and theirs is not None:
            needed = goal.wanted * theirs.median
            text += (
                f"; it would take {needed:,.0f} req/s at the SLO against MLServer's {theirs.median:,.0f}, "
                f"a {goal.wanted / ratio.median:.2f}× faster front end"
            )
        lines.append(head + text + ".")
    return lines


def _short(failure: str | None) -> str:
    """A failure's first FAILURE_CHARS characters: a 503's whole body belongs in the results file, not a table."""
    text = failure or "no reason recorded"
    return text if len(text) <= FAILURE_CHARS else text[: FAILURE_CHARS - 1] + "…"


def _ours(results: Results) -> list[Target]:
    return [t for name, _ in GOALS if (t := _find(results, name, None, "v1", "front_end")) is not None]


def _find(results: Results, name: str, variant: str | None, protocol: str, kind: str) -> Target | None:
    for target in results.targets:
        shipped = target.shipped if variant is None else target.variant == variant
        if (
            target.name == name
            and target.kind == kind
            and target.protocol == protocol
            and target.workers == 1
            and shipped
        ):
            return target
    return None
