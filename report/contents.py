"""What the report shows, computed once from a results file: verdicts, ranking, charts, tables."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.results import DEFAULT_SLO_MS, Results
from report import charts, tables
from report.compare import Change, significant_changes
from report.figures import headlines, normalised
from report.io_wait import IoWait
from report.scale_out import ScaleOut
from report.scoring import Score, rank
from report.soak import Soak
from report.verdicts import Verdict, verdicts


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the report shows, computed once from the results."""

    results: Results
    verdicts: list[Verdict]
    scores: list[Score]
    weights: dict[str, float]
    charts: list[charts.Chart]
    tables: dict[str, list[tables.Row]]
    changes: list[Change] | None
    reproduce: str
    soak: Soak | None = None
    soak_name: str | None = None  # the soak file's name, as kept beside the report
    scale_out: ScaleOut | None = None
    scale_out_name: str | None = None
    io_wait: IoWait | None = None
    io_wait_name: str | None = None
    baseline: Results | None = None  # an older run to compare with (`--baseline`)
    # The newest levers file of each model (`make levers MODEL=…`) beside the results: (file name, results).
    model_levers: tuple[tuple[str, Results], ...] = ()

    @property
    def banner(self) -> str | None:
        if self.results.smoke:
            return "smoke run — not for decisions"
        if self.results.quick:
            return "quick run — not for decisions"
        return None


def reproducing(results: Results) -> str:
    """The `make report` command that asks for this results file's plan again."""
    plan = results.plan
    asked = {
        "QUICK": "1" if results.quick else None,
        "PEERS": "1" if plan.peers else None,
        "ONNX": "1" if plan.onnx else None,
        "CAPACITY_ROUNDS": str(plan.capacity_rounds) if plan.capacity_rounds else None,
        "SLO_MS": f"{plan.slo_ms:g}" if plan.slo_ms not in (None, DEFAULT_SLO_MS) else None,
    }
    return " ".join(["make report", *(f"{name}={value}" for name, value in asked.items() if value)])


def build(
    results: Results,
    weights: dict[str, float],
    baseline: Results | None = None,
    reproduce: str | None = None,
    soak: tuple[str, Soak] | None = None,
    *,
    scale_out: tuple[str, ScaleOut] | None = None,
    io_wait: tuple[str, IoWait] | None = None,
    model_levers: tuple[tuple[str, Results], ...] = (),
) -> Report:
    """Compute the whole report from one results file (and, optionally, an older one to compare with)."""
    results = normalised(results)
    baseline = normalised(baseline) if baseline is not None else None
    return Report(
        results=results,
        verdicts=verdicts(results),
        scores=rank(headlines(results), weights),
        weights=weights,
        charts=charts.charts(results)
        + ([charts.scale_out_chart(scale_out[1])] if scale_out else [])
        + ([charts.io_wait_chart(io_wait[1])] if io_wait else []),
        tables={
            "figures": tables.every_figure(results),
            "overhead": tables.overhead(results),
            "variants": tables.variant_rows(results),
            "streamlit": tables.streamlit_rows(results),
            "noise": tables.noise_rows(results),
            "flagged": tables.flagged_rows(results),
            "model_card": tables.model_card_rows(results),
            "contract": tables.contract_rows(results),
            "features": tables.feature_matrix(results),
        },
        changes=significant_changes(baseline, results) if baseline is not None else None,
        baseline=baseline,
        reproduce=reproduce or reproducing(results),
        soak=soak[1] if soak else None,
        soak_name=soak[0] if soak else None,
        scale_out=scale_out[1] if scale_out else None,
        scale_out_name=scale_out[0] if scale_out else None,
        io_wait=io_wait[1] if io_wait else None,
        io_wait_name=io_wait[0] if io_wait else None,
        model_levers=model_levers,
    )
