"""The report built from a recorded real run: what `make report RESULTS=...` gives a team lead, checked end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from report.__main__ import main
from report.charts import BUILDERS
from report.contents import build
from report.scoring import DEFAULT_WEIGHTS, parse_weights
from shared_model import Predictor
from tests.report.recorded import RECORDED_RUN, recorded_results


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("recorded")
    assert main(["--results", str(RECORDED_RUN), "--out", str(out)]) == 0
    return out


def test_the_recorded_run_gives_the_verdicts_it_gave_when_recorded() -> None:
    report = build(recorded_results(), parse_weights(DEFAULT_WEIGHTS))
    assert {v.need: v.pick for v in report.verdicts} == {
        "Public JSON API under load": "fastapi",
        "Tool for non-programmers": "streamlit",
        "Prototype in an afternoon": "streamlit",
        "Existing Flask codebase": "flask",
        "Tight memory budget": "fastapi",
    }
    assert [score.front_end for score in report.scores] == ["fastapi", "flask", "streamlit"]
    assert report.banner == "quick run — not for decisions"


def test_every_table_is_filled_from_the_real_figures(loan: Predictor) -> None:
    report = build(recorded_results(), parse_weights(DEFAULT_WEIGHTS))
    overhead = {row.cells[0]: row.cells for row in report.tables["overhead"]}
    assert overhead.keys() == {"flask", "fastapi"}
    for cells in overhead.values():
        # p50, over in-process predict, over the server floor, throughput lost: all measured in this run.
        assert all("—" not in cell for cell in cells), cells
    (shipped,) = [row.cells for row in report.tables["streamlit"] if row.cells[0] == "shipped"]
    assert shipped[3].endswith("ms"), "the Chromium cross-check is shown"
    assert {row.cells[0] for row in report.tables["contract"]} == {"flask", "fastapi", "streamlit"}
    assert all(row.cells[1] == "pass" for row in report.tables["contract"])
    assert tuple(row.cells[0] for row in report.tables["model_card"]) == loan.spec.feature_names
    assert {row.cells[0] for row in report.tables["noise"]} >= {"in-process", "flask", "fastapi", "streamlit"}


def test_the_written_report_has_every_chart_and_keeps_its_results(written: Path) -> None:
    markdown = (written / "report.md").read_text(encoding="utf-8")
    assert "QUICK RUN — NOT FOR DECISIONS" in markdown
    drawn = {path.stem for path in (written / "charts").glob("*.svg")}
    # A 1.1 file has no Server scenario, so no capacity chart; every other chart is drawn.
    assert drawn == {builder.__name__.removesuffix("_chart") for builder in BUILDERS} - {"capacity"}
    assert "This results file (schema 1.1) has no Server scenario" in markdown
    assert "The machine's stability was **not recorded** (results schema 1.1" in markdown
    assert "No instruction counts in this results file" in markdown
    assert (written / "results.json").read_bytes() == RECORDED_RUN.read_bytes()
    assert "Against the no-op server in this run: wrk" in markdown
