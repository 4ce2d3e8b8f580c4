"""The levers section: for this model, what moves capacity at the SLO most, and what each costs in exactness.

Each lever is a measured target set against the shipped FastAPI (one worker): a second worker, adaptive batching
(variant `batched`), the compiled runtime (variant `onnx`), and the framework (Flask in its shipped
configuration). A lever counts only when its whole capacity range lies above the baseline's; otherwise it is
within noise. Exactness comes from the results' `exactness` (in process, over the benchmark's records).
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import Exactness, Figure, Results, Target
from report.figures import SERVER, figure, shipped
from report.tables import Row, show

BASELINE = "fastapi"
# Batching pays when it lifts capacity beyond noise and costs little at low load: its c=1 p50 may exceed the
# shipped one's by at most this share of the latency objective.
BATCH_LATENCY_SHARE = 0.1
EXACT = "bit for bit"
BATCHING = "adaptive batching"


@dataclass(frozen=True, slots=True)
class Lever:
    """One lever as measured: its target, capacity against the baseline's, c=1 latency, memory and exactness."""

    name: str
    target: Target | None
    capacity: Figure | None
    c1_p50: Figure | None
    idle_rss: Figure | None
    # None: the same computation as the baseline (bit for bit by construction); else measured against it.
    measured: Exactness | None
    measurable: bool = True

    @property
    def exactness(self) -> str:
        """The exactness cost in words."""
        if not self.measurable:
            return "not measured"
        found = self.measured
        if found is None or (found.max_ulps == 0 and found.labels_differing == 0):
            return EXACT
        return (
            f"{found.labels_differing} labels differ; floats up to {found.max_abs:.2g} apart "
            f"({found.max_rel:.2g} relative, {found.max_epsilons:.3g} ε at scale)"
        )

    @property
    def labels_equal(self) -> bool:
        """No label differs from the baseline's (measured, or by construction)."""
        return self.measurable and (self.measured is None or self.measured.labels_differing == 0)

    def ratio(self, baseline: Figure | None) -> float | None:
        """Median capacity over the baseline's median."""
        if self.capacity is None or baseline is None or baseline.median <= 0:
            return None
        return self.capacity.median / baseline.median

    def clears(self, baseline: Figure | None) -> bool:
        """Its lowest capacity is above the baseline's highest: a gain larger than the noise."""
        return self.capacity is not None and baseline is not None and self.capacity.min > baseline.max


def levers(results: Results) -> tuple[Lever, list[Lever]]:
    """The baseline (shipped FastAPI, one worker) and every lever that was measured."""
    base = _lever("shipped FastAPI, 1 worker", shipped(results, BASELINE))
    found = [
        _lever("a second worker", shipped(results, BASELINE, workers=2)),
        _lever(BATCHING, _variant(results, "batched"), results, "batched"),
        _lever("compiled runtime (ONNX)", _variant(results, "onnx"), results, "onnx"),
        _lever("the framework (Flask)", shipped(results, "flask")),
    ]
    return base, [lever for lever in found if lever.target is not None]


def lever_rows(results: Results) -> list[Row]:
    """The baseline, then each lever with its capacity, ratio, c=1 p50, memory and exactness cost."""
    base, found = levers(results)
    rows = []
    for lever in (base, *found):
        ratio = lever.ratio(base.capacity)
        verdict = "baseline" if lever is base else ("gain" if lever.clears(base.capacity) else "within noise")
        rows.append(
            Row(
                (
                    lever.name,
                    _label(lever.target),
                    show(lever.capacity, 0),
                    f"{ratio:.2f}× ({verdict})" if ratio is not None else "—",
                    show(lever.c1_p50, 2),
                    show(lever.idle_rss, 0),
                    lever.exactness,
                )
            )
        )
    return rows


def best_lever(base: Lever, found: list[Lever]) -> Lever | None:
    """The lever with the largest capacity ratio among those whose gain is beyond the noise, if any."""
    gains = [lever for lever in found if lever.clears(base.capacity)]
    return max(gains, key=lambda lever: lever.ratio(base.capacity) or 0.0) if gains else None


@dataclass(frozen=True, slots=True)
class BatchingCheck:
    """The rule `batch-when` applied to one run: each of its three conditions, and the verdict."""

    ratio: float
    clears: bool
    extra_ms: float  # the batched variant's c=1 p50 minus the shipped one's
    allowed_ms: float
    labels_equal: bool
    exactness: str

    @property
    def holds(self) -> bool:
        """Batch: capacity beyond the noise, little latency at low load, no label changed."""
        return self.clears and self.extra_ms <= self.allowed_ms and self.labels_equal


def batching_check(results: Results, base: Lever, found: list[Lever]) -> BatchingCheck | None:
    """The rule's conditions for this run, or None when the batched variant or the SLO was not measured."""
    batched = next((lever for lever in found if lever.name == BATCHING), None)
    slo = results.plan.slo_ms
    if batched is None or batched.c1_p50 is None or base.c1_p50 is None or slo is None:
        return None
    return BatchingCheck(
        ratio=batched.ratio(base.capacity) or 0.0,
        clears=batched.clears(base.capacity),
        extra_ms=batched.c1_p50.median - base.c1_p50.median,
        allowed_ms=BATCH_LATENCY_SHARE * slo,
        labels_equal=batched.labels_equal,
        exactness=batched.exactness,
    )


def lever_lines(results: Results) -> list[str]:
    """Which lever moves capacity most here, and the verdict rule for batching applied to this run."""
    base, found = levers(results)
    if base.capacity is None:
        return ["The shipped FastAPI has no capacity at the SLO in this run: no lever can be weighed."]
    best = best_lever(base, found)
    lines = []
    if best is not None:
        lines.append(
            f"Most capacity here: **{best.name}**, {best.ratio(base.capacity):.2f}× the shipped FastAPI's "
            f"(exactness: {best.exactness})."
        )
    else:
        lines.append("No lever lifts capacity beyond the noise of this run.")
    lines.append(_batching_verdict(batching_check(results, base, found)))
    return lines


def _batching_verdict(check: BatchingCheck | None) -> str:
    rule = (
        f"Rule `batch-when`: batch when the batched variant's capacity range lies above the shipped one's, its "
        f"c=1 p50 exceeds the shipped one's by at most {BATCH_LATENCY_SHARE:.0%} of the latency objective, and "
        "no label differs."
    )
    if check is None:
        return f"{rule} Not measured in this run (the full plan measures it)."
    return (
        f"{rule} Here: capacity {check.ratio:.2f}×, c=1 p50 {check.extra_ms:+.2f} ms "
        f"(allowed {check.allowed_ms:.1f} ms), {check.exactness}: **{'batch' if check.holds else 'do not batch'}**."
    )


def _lever(name: str, target: Target | None, results: Results | None = None, lever: str = "") -> Lever:
    measured = next((e for e in results.exactness if e.lever == lever), None) if results is not None else None
    return Lever(
        name=name,
        target=target,
        capacity=figure(target, SERVER, "capacity_rps"),
        c1_p50=figure(target, "closed_loop", "p50_ms", concurrency=1),
        idle_rss=figure(target, "memory", "idle_rss_mb"),
        measured=measured,
        measurable=results is None or measured is not None,
    )


def _variant(results: Results, variant: str) -> Target | None:
    found = [t for t in results.targets if t.variant == variant and t.kind == "front_end" and t.workers == 1]
    # FastAPI's when both front ends have the variant: the baseline's own framework, so only the lever differs.
    found.sort(key=lambda target: target.name != BASELINE)
    return found[0] if found else None


def _label(target: Target | None) -> str:
    if target is None:
        return "—"
    return target.label
