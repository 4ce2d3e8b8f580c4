"""The levers section: which lever moves capacity most, each with its exactness cost, and the rule for batching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.results import Exactness, Figure, Measurement, Results, Target
from report import document
from report.contents import Report
from report.figures import normalised
from report.levers import lever_lines, lever_rows, levers
from report.loading import ResultsError, load_results
from report.model_levers import load_levers, model_lever_lines, model_lever_rows, newest_levers, paired_ratio
from tests.report.sample_results import http, sample_results, stability

WEIGHTS = {"latency": 3.0, "throughput": 1.0, "memory": 1.0, "cold_start": 1.0, "loc": 2.0}
ONNX = Exactness(
    lever="onnx",
    how="each record alone on onnxruntime",
    rows=200,
    labels_differing=0,
    max_abs=3.3e-16,
    max_rel=1.2e-11,
    max_ulps=79178,
    max_epsilons=1.5,
)
BATCHED = Exactness(
    lever="batched",
    how="records in batches of 16",
    rows=200,
    labels_differing=0,
    max_abs=3.3e-16,
    max_rel=1e-13,
    max_ulps=512,
    max_epsilons=1.5,
)


def with_capacity(target: Target, capacities: list[float], c1_p50_ms: float | None = None) -> Target:
    """The target with its Server capacity (one value per repeat) and, optionally, its c=1 p50 replaced."""
    measurements = [_replaced(item, capacities, c1_p50_ms) for item in target.measurements]
    return target.model_copy(update={"measurements": measurements})


def _replaced(item: Measurement, capacities: list[float], c1_p50_ms: float | None) -> Measurement:
    if item.scenario == "server":
        return item.model_copy(update={"figures": {"capacity_rps": Figure.of("req/s", capacities)}})
    if item.scenario == "closed_loop" and item.params.get("concurrency") == 1 and c1_p50_ms is not None:
        return item.model_copy(update={"figures": {**item.figures, "p50_ms": Figure.of("ms", [c1_p50_ms])}})
    return item


def lever_run(onnx: list[float], batched: list[float] | None, batched_c1_ms: float = 1.0) -> Results:
    """The sample run with the shipped FastAPI at 1000 (950–1050) req/s, its c=1 p50 0.94 ms, and the levers."""
    base = sample_results()
    targets = [
        with_capacity(t, [950.0, 1000.0, 1050.0], 0.94)
        if (t.name, t.workers, t.shipped) == ("fastapi_app", 1, True)
        else with_capacity(t, [1500.0, 1600.0, 1700.0])
        if (t.name, t.workers) == ("fastapi_app", 2)
        else with_capacity(t, [900.0, 980.0, 1100.0])
        if (t.name, t.shipped) == ("flask_app", True)
        else t
        for t in base.targets
    ]
    compiled = http("fastapi_app", 0.3, 3000.0, 175.0, 1.9, variant="onnx", shipped=False)
    targets.append(with_capacity(compiled, onnx).model_copy(update={"runtime": "onnx"}))
    if batched is not None:
        gathered = http("fastapi_app", 1.0, 1500.0, 182.0, 1.9, variant="batched", shipped=False)
        targets.append(with_capacity(gathered, batched, batched_c1_ms))
    return base.model_copy(update={"targets": targets, "exactness": [ONNX, BATCHED], "schema_version": "1.4"})


def test_the_lever_with_the_most_capacity_is_named_with_its_exactness_cost() -> None:
    results = normalised(lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=[1200.0, 1300.0, 1400.0]))
    base, found = levers(results)
    assert [lever.name for lever in found] == [
        "a second worker",
        "adaptive batching",
        "compiled runtime (ONNX)",
        "the framework (Flask)",
    ]
    assert base.capacity is not None
    assert base.capacity.median == 1000.0
    lines = lever_lines(results)
    assert lines[0].startswith("Most capacity here: **compiled runtime (ONNX)**, 3.00×")
    assert "1.5 ε at scale" in lines[0]
    rows = {row.cells[0]: row.cells for row in lever_rows(results)}
    assert rows["the framework (Flask)"][3] == "0.98× (within noise)"  # 900–1100 overlaps 950–1050
    assert rows["a second worker"][3] == "1.60× (gain)"
    assert rows["a second worker"][6] == "bit for bit"
    assert rows["compiled runtime (ONNX)"][6].startswith("0 labels differ; floats up to 3.3e-16 apart")


@pytest.mark.parametrize(
    ("batched", "c1_ms", "verdict"),
    [
        ([1200.0, 1300.0, 1400.0], 1.0, "batch"),  # above the noise, +0.06 ms at c=1 (≤ 5 ms allowed)
        ([1000.0, 1100.0, 1200.0], 1.0, "do not batch"),  # its range overlaps the shipped one's
        ([1200.0, 1300.0, 1400.0], 9.0, "do not batch"),  # +8.06 ms at low load: more than 10 % of 50 ms
    ],
)
def test_the_batching_rule(batched: list[float], c1_ms: float, verdict: str) -> None:
    results = normalised(lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=batched, batched_c1_ms=c1_ms))
    assert lever_lines(results)[1].endswith(f"**{verdict}**.")


def test_without_a_batched_target_the_rule_says_it_was_not_measured() -> None:
    results = normalised(lever_run(onnx=[900.0, 1000.0, 1100.0], batched=None))
    lines = lever_lines(results)
    assert (
        lines[0]
        == "Most capacity here: **a second worker**, 1.60× the shipped FastAPI's (exactness: bit for bit)."
    )
    assert lines[1].endswith("Not measured in this run (the full plan measures it).")


def section(results: Results) -> str | None:
    """The levers section as the report renders it (the rest of the report is not built: charts take seconds)."""
    shown = Report(results, [], [], WEIGHTS, [], {}, None, "make report")
    return document.levers(shown)


def test_the_section_is_in_the_report_and_absent_without_levers() -> None:
    assert document.SECTIONS.index(document.levers) == document.SECTIONS.index(document.capacity) + 1
    text = section(normalised(lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=None)))
    assert text is not None
    assert text.startswith("## Levers")
    assert (
        "| compiled runtime (ONNX) | fastapi (onnx, 1w) | 3,000 (2,900–3,100) req/s | 3.00× (gain) |" in text
    )
    bare = sample_results()
    only_shipped = bare.model_copy(
        update={"targets": [t for t in bare.targets if t.workers == 1 and t.name != "flask_app"]}
    )
    assert section(normalised(only_shipped)) is None


def test_schema_1_4_reads_and_1_3_files_still_do(tmp_path: Path) -> None:
    current = lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=None)
    path = tmp_path / "now.json"
    path.write_text(current.model_dump_json(), encoding="utf-8")
    assert load_results(path).exactness == [ONNX, BATCHED]
    older = json.loads(current.model_dump_json(exclude={"exactness"}))
    older["schema_version"] = "1.3"
    for target in older["targets"]:
        del target["runtime"]
    path.write_text(json.dumps(older), encoding="utf-8")
    read = load_results(path)
    assert read.exactness == []
    assert {target.runtime for target in read.targets} == {"sklearn"}
    older["schema_version"] = "9.9"
    path.write_text(json.dumps(older), encoding="utf-8")
    with pytest.raises(
        ResultsError, match=r"schema version '9\.9' is unknown to this report, which reads 1\.0"
    ):
        load_results(path)


def test_the_in_process_exactness_figures_of_the_levers() -> None:
    # The figures the section shows, computed as `make bench` does, over the benchmark's records.
    from benchmarks.exactness import lever_exactness
    from benchmarks.records import generated_records
    from shared_model import load_model

    measured = {e.lever: e for e in lever_exactness("loan", generated_records(load_model("loan").spec))}
    assert set(measured) == {"onnx", "batched"}
    for lever in measured.values():
        assert lever.rows == 200
        assert lever.labels_differing == 0
        assert 0 < lever.max_epsilons <= 8


def model_run(name: str, task: str, batched: list[float]) -> Results:
    """A levers file's results for one model: the lever run renamed, ONNX at 3× the shipped FastAPI's capacity."""
    run = lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=batched)
    return run.model_copy(
        update={"model": {**run.model, "name": name}, "model_card": {**run.model_card, "task": task}}
    )


def test_each_model_gets_its_levers_with_paired_ratios_and_exactness_figures() -> None:
    runs = [
        normalised(model_run("loan", "classification", [1200.0, 1300.0, 1400.0])),
        normalised(model_run("diabetes", "regression", [1000.0, 1050.0, 1100.0])),
    ]
    rows = {(row.cells[0], row.cells[1]): row.cells for row in model_lever_rows(runs)}
    assert len(rows) == 8  # four levers each
    # Round by round: 1200/950, 1300/1000, 1400/1050.
    # c=8: 1,500 req/s against the shipped 1,260, each figure 5 % either side of its median, round by round.
    assert rows[("loan", "adaptive batching")][2:6] == (
        "1.30× (1.26–1.33)",
        "gain",
        "1.19× (1.19–1.19)",
        "+0.06 ms",
    )
    assert rows[("loan", "adaptive batching")][6:] == ("200/200", "512", "3.3e-16", "1e-13")
    assert rows[("diabetes", "adaptive batching")][3] == "within noise"
    assert rows[("diabetes", "compiled runtime (ONNX)")][6] == "— (a regressor)"
    assert rows[("loan", "a second worker")][6:] == ("all (same computation)", "0", "0", "0")
    lines = model_lever_lines(runs)
    assert lines[0].startswith(
        "**loan** (200 records): most capacity from **compiled runtime (ONNX)**, 3.00× (2.95–3.05) (exactness: "
    )
    # c=8: ONNX's 3,000 req/s over the shipped 1,260 in every round.
    assert "; at c=8 every round, most from compiled runtime (ONNX), 2.38× (2.38–2.38); " in lines[0]
    assert lines[0].endswith(
        "rule `batch-when`: **batch** (capacity 1.30× (1.26–1.33), c=1 p50 +0.06 ms of 5.0 allowed, "
        "no label differs)."
    )
    assert "**do not batch** (capacity 1.05× (1.05–1.05), within noise," in lines[1]
    shaky = runs[1].model_copy(update={"stability": stability(stable=False)})
    assert model_lever_lines([shaky])[0].startswith(
        "**diabetes** (200 records; run marked unstable (calibration moved "
    )


def test_a_lever_whose_range_lies_below_the_baseline_is_a_loss() -> None:
    slow = normalised(model_run("loan", "classification", [500.0, 600.0, 700.0]))
    rows = {row.cells[1]: row.cells for row in model_lever_rows([slow])}
    assert rows["adaptive batching"][2:4] == ("0.60× (0.53–0.67)", "loss")


def test_paired_ratio_pairs_rounds_and_falls_back_to_medians() -> None:
    base = Figure.of("req/s", [100.0, 200.0])
    assert paired_ratio(Figure.of("req/s", [150.0, 200.0]), base) == Figure.of("×", [1.5, 1.0])
    assert paired_ratio(Figure.of("req/s", [300.0]), base) == Figure.of("×", [2.0])  # 300 / median 150
    assert paired_ratio(None, base) is None
    # A round whose search found nothing has no ratio, and the figure says how many rounds paired.
    found = paired_ratio(Figure.of("req/s", [0.0, 300.0, 240.0]), Figure.of("req/s", [100.0, 0.0, 120.0]))
    assert found == Figure.of("×", [2.0], note="1 of 3 rounds")
    assert paired_ratio(Figure.of("req/s", [0.0, 300.0]), Figure.of("req/s", [100.0, 0.0])) is None


def test_the_newest_levers_file_of_each_model_is_found_and_rendered(tmp_path: Path) -> None:
    run = model_run("breast_cancer", "classification", [1200.0, 1300.0, 1400.0])
    for name in (
        "levers-breast_cancer-20261202T080000Z.json",
        "levers-breast_cancer-20261202T090000Z.json",
        "levers-loan-20261201T090000Z.json",
        "20261202T100000Z.json",  # a main run's file, not a levers one
    ):
        (tmp_path / name).write_text(run.model_dump_json(), encoding="utf-8")
    found = newest_levers(tmp_path)
    assert [path.name for path in found] == [
        "levers-breast_cancer-20261202T090000Z.json",
        "levers-loan-20261201T090000Z.json",
    ]
    loaded = load_levers(found)
    assert loaded[0][1].targets[1].name in {
        "flask",
        "fastapi",
        "noop",
        "wsgi-floor",
        "asgi-floor",
        "in-process",
    }
    # A main run without levers still gets the section, from the levers files alone.
    bare = sample_results()
    only_shipped = bare.model_copy(
        update={"targets": [t for t in bare.targets if t.workers == 1 and t.name != "flask_app"]}
    )
    shown = Report(
        normalised(only_shipped), [], [], WEIGHTS, [], {}, None, "make report", model_levers=tuple(loaded)
    )
    text = document.levers(shown)
    assert text is not None
    assert text.startswith(
        "## Levers\n\n### Levers per model\n\nPer model, from `make levers MODEL=…` "
        "(`levers-breast_cancer-20261202T090000Z.json`, `levers-loan-20261201T090000Z.json`)"
    )
    assert "| breast_cancer | compiled runtime (ONNX) | 3.00× (2.95–3.05) | gain |" in text


def test_make_report_finds_each_models_levers_beside_the_results_and_keeps_them(tmp_path: Path) -> None:
    from report.__main__ import main

    (tmp_path / "20261202T100000Z.json").write_text(sample_results().model_dump_json(), encoding="utf-8")
    levers_file = tmp_path / "levers-diabetes-20261202T090000Z.json"
    run = model_run("diabetes", "regression", [1200.0, 1300.0, 1400.0])
    levers_file.write_text(run.model_dump_json(), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["--results", str(tmp_path / "20261202T100000Z.json"), "--out", str(out)]) == 0
    text = (out / "report.md").read_text(encoding="utf-8")
    assert "### Levers per model" in text
    assert "| diabetes | adaptive batching | 1.30× (1.26–1.33) | gain |" in text
    assert (out / levers_file.name).read_bytes() == levers_file.read_bytes()  # a rebuild from out/ finds it


def test_an_infinite_relative_gap_is_written_and_read_back(tmp_path: Path) -> None:
    # A forest's unanimous class has probability 0 in scikit-learn and a float32 crumb in onnxruntime.
    infinite = ONNX.model_copy(update={"max_rel": float("inf"), "max_abs": 6.6e-7})
    run = lever_run(onnx=[2900.0, 3000.0, 3100.0], batched=None).model_copy(update={"exactness": [infinite]})
    path = tmp_path / "levers-breast_cancer-20261202T081906Z.json"
    path.write_text(run.model_dump_json(), encoding="utf-8")
    assert '"max_rel":"Infinity"' in path.read_text(encoding="utf-8")
    assert load_results(path).exactness[0].max_rel == float("inf")
