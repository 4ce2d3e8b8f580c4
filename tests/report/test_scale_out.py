"""The report's scale-out section: rows and lines computed from a scale-out file, and such files kept apart from
the benchmark's results."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from report import document
from report.charts import scale_out_chart
from report.contents import Report
from report.loading import ResultsError, newest_results
from report.scale_out import ScaleOut, load_scale_out, newest_scale_out, scale_out_lines, scale_out_rows
from tests.report.sample_results import sample_results


def scale_run(
    engine: str, count: int, rps: tuple[float, float, float], rss: float, start: float
) -> dict[str, Any]:
    low, median, high = rps
    return {
        "target": f"{engine}-{count}",
        "engine": engine,
        "count": count,
        "start_s": start,
        "idle_rss_mib": rss,
        "throughput": {"min": low, "median": median, "max": high},
        "p99": {"min": 20.0, "median": 30.0, "max": 40.0},
        "errors": 0,
        "non_200": 0,
    }


SAMPLE = {
    "kind": "scale_out",
    "started": "2026-12-02T05:00:00+00:00",
    "model": "loan",
    "connections": 8,
    "seconds": 8.0,
    "repeats": 3,
    "runs": [
        scale_run("uvicorn", 1, (280, 300, 320), 265.0, 3.0),
        scale_run("uvicorn", 2, (500, 560, 600), 520.0, 4.0),
        scale_run("ray", 1, (150, 160, 170), 900.0, 40.0),
        scale_run("ray", 2, (250, 300, 310), 1200.0, 45.0),
    ],
}


def test_rows_give_throughput_per_process() -> None:
    rows = scale_out_rows(ScaleOut.model_validate(SAMPLE))
    assert rows[1].cells == (
        "uvicorn",
        "2",
        "560 (500–600)",
        "280",
        "30.0 (20.0–40.0)",
        "520 MiB",
        "4 s",
        "0 / 0",
    )
    assert rows[3].cells[3] == "150"


def test_lines_give_the_engine_cost_scaling_caveat_and_a_labelled_projection() -> None:
    lines = scale_out_lines(ScaleOut.model_validate(SAMPLE))
    assert lines[0] == (
        "Ray Serve with 1 replica against uvicorn with 1 worker: 0.53× the throughput, +635 MiB idle, start 40 s "
        "against 3 s."
    )
    # Ranges that overlap are called noise, not a finding.
    assert lines[3] == "ray: two processes give 1.88× one's throughput."
    assert "within noise" not in lines[2]
    assert "2 cores" in lines[4]
    assert lines[5].startswith("Projection, not a measurement:")
    assert "n × 300 req/s" in lines[5]


def test_overlapping_ranges_are_within_noise() -> None:
    sample = {
        **SAMPLE,
        "runs": [scale_run("uvicorn", 1, (100, 200, 300), 1, 1), scale_run("ray", 1, (150, 180, 250), 1, 1)],
    }
    assert "within noise" in scale_out_lines(ScaleOut.model_validate(sample))[0]


def test_scale_out_files_are_found_and_not_taken_for_results(tmp_path: Path) -> None:
    (tmp_path / "20261202T040000Z.json").write_text("{}")
    scale = tmp_path / "scale-out-20261202T050000Z.json"
    scale.write_text(json.dumps(SAMPLE))
    assert newest_results(tmp_path).name == "20261202T040000Z.json"
    assert newest_scale_out(tmp_path) == scale
    assert load_scale_out(scale).measured("ray", 2) is not None


def test_a_wrong_file_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "scale-out-x.json"
    path.write_text('{"kind": "scale_out"}')
    with pytest.raises(ResultsError, match="not a scale-out results file"):
        load_scale_out(path)


def test_the_report_shows_the_section_and_its_chart() -> None:
    scale = ScaleOut.model_validate(SAMPLE)
    chart = scale_out_chart(scale)
    assert chart.key == "scale_out"
    assert chart.svg.startswith("<svg")
    shown = Report(
        results=sample_results(),
        verdicts=[],
        scores=[],
        weights={},
        charts=[chart],
        tables={},
        changes=None,
        reproduce="make report",
        scale_out=scale,
        scale_out_name="scale-out-x.json",
    )
    section = document.scale_out(shown)
    assert "`scale-out-x.json`, started 2026-12-02T05:00:00+00:00" in section
    assert "charts/scale_out.svg" in section
    assert "scale_out.svg" not in document.charts(shown)  # shown in its section, not again under Charts
    assert "No scale-out results" in document.scale_out(replace(shown, scale_out=None))
