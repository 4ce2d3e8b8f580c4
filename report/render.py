"""Write report.md (the one source) and report.html rendered from it (charts inline, no network)."""

from __future__ import annotations

import shutil
from pathlib import Path

from report.contents import Report
from report.document import markdown
from report.html import CHART_FOLDER, page


def write(
    report: Report, out_dir: Path, results_file: Path | None = None, soak_file: Path | None = None
) -> tuple[Path, Path]:
    """Write report.md (charts as SVG files beside it) and the self-contained report.html; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_dir = out_dir / CHART_FOLDER
    shutil.rmtree(chart_dir, ignore_errors=True)
    chart_dir.mkdir()
    for chart in report.charts:
        (chart_dir / f"{chart.key}.svg").write_text(chart.svg, encoding="utf-8")
    kept = out_dir / "results.json"
    if results_file is not None and results_file.resolve() != kept.resolve():
        # Kept beside the report, so that this very report can be rebuilt from it later.
        shutil.copyfile(results_file, kept)
    if soak_file is not None and soak_file.resolve() != (out_dir / soak_file.name).resolve():
        # Beside the kept results, where a rebuild finds it again.
        shutil.copyfile(soak_file, out_dir / soak_file.name)
    text = markdown(report)
    markdown_path = out_dir / "report.md"
    html_path = out_dir / "report.html"
    markdown_path.write_text(text, encoding="utf-8")
    html_path.write_text(page(text, report.charts), encoding="utf-8")
    return markdown_path, html_path
