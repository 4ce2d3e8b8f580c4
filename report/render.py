"""Turn results into report.md and a self-contained report.html (charts inline, no network)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from benchmarks.results import Results
from report import charts, tables
from report.compare import Change, significant_changes
from report.figures import headlines, normalised
from report.scoring import Score, rank
from report.verdicts import Verdict, verdicts


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the templates show, computed once from the results."""

    results: Results
    verdicts: list[Verdict]
    scores: list[Score]
    weights: dict[str, float]
    charts: list[charts.Chart]
    tables: dict[str, list[tables.Row]]
    changes: list[Change] | None
    reproduce: str

    @property
    def banner(self) -> str | None:
        if self.results.smoke:
            return "smoke run — not for decisions"
        if self.results.quick:
            return "quick run — not for decisions"
        return None


def build(
    results: Results,
    weights: dict[str, float],
    baseline: Results | None = None,
    reproduce: str = "make report",
) -> Report:
    """Compute the whole report from one results file (and, optionally, an older one to compare with)."""
    results = normalised(results)
    baseline = normalised(baseline) if baseline is not None else None
    return Report(
        results=results,
        verdicts=verdicts(results),
        scores=rank(headlines(results), weights),
        weights=weights,
        charts=charts.charts(results),
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
        reproduce=reproduce,
    )


def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write(report: Report, out_dir: Path, results_file: Path | None = None) -> tuple[Path, Path]:
    """Write report.md (charts as SVG files beside it) and the self-contained report.html; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_dir = out_dir / "charts"
    shutil.rmtree(chart_dir, ignore_errors=True)
    chart_dir.mkdir()
    for chart in report.charts:
        (chart_dir / f"{chart.key}.svg").write_text(chart.svg, encoding="utf-8")
    kept = out_dir / "results.json"
    if results_file is not None and results_file.resolve() != kept.resolve():
        # Kept beside the report, so that this very report can be rebuilt from it later.
        shutil.copyfile(results_file, kept)
    environment = _templates()
    markdown = out_dir / "report.md"
    html = out_dir / "report.html"
    markdown.write_text(environment.get_template("report.md.j2").render(r=report), encoding="utf-8")
    html.write_text(environment.get_template("report.html.j2").render(r=report), encoding="utf-8")
    return markdown, html
