"""`python -m benchmarks.levers`: the levers plan's targets and scenarios, its file name, and the example user model."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest

from benchmarks import plan
from benchmarks.levers import levers_path
from benchmarks.results import DEFAULT_SLO_MS
from benchmarks.scenarios import ClosedLoop, GeneratorCeiling, Server
from benchmarks.targets import front_end
from benchmarks.user_model import build
from shared_model import Validator, load_model
from tests.report.sample_results import sample_results


@pytest.mark.parametrize(("onnx", "arms"), [(True, 6), (False, 5)])
def test_the_levers_plan_runs_the_shipped_fastapi_and_each_lever_at_c1_c8_and_at_the_slo(
    onnx: bool, arms: int
) -> None:
    settings = dataclasses.replace(plan.LEVERS, onnx=onnx)
    chosen = plan.targets(settings)
    assert [target.label for target in chosen] == [
        "noop (default, 1w)",
        "fastapi_app (async, 1w)",
        "fastapi_app (async, 2w)",
        "fastapi_app (batched, 1w)",
        *(["fastapi_app (onnx, 1w)"] if onnx else []),
        "flask_app (gthread, 1w)",
    ]
    assert len(chosen) == arms
    assert plan.scenarios(settings, chosen[0]) == [ClosedLoop(8), GeneratorCeiling(plan.CEILING_SLO_MS)]
    for target in chosen[1:]:
        assert plan.scenarios(settings, target) == [ClosedLoop(1), ClosedLoop(8), Server(DEFAULT_SLO_MS)]
    assert not any(plan.measures_cold_start(settings, target) for target in chosen)
    assert plan.groups(chosen) == [[target] for target in chosen]  # no floors: each lever is its own group


def test_the_full_plan_is_not_the_levers_plan() -> None:
    assert len(plan.targets(plan.FULL)) > 6
    assert plan.scenarios(plan.FULL, front_end("fastapi_app"))[:2] == [ClosedLoop(1), ClosedLoop(8)]


def test_a_levers_file_is_named_by_model_and_time_apart_from_the_main_runs(tmp_path: Path) -> None:
    results = sample_results().model_copy(
        update={
            "model": {"name": "my model/v2", "version": "2", "sha256": "0"},
            "started_at": datetime(2026, 12, 2, 8, 1, 2, tzinfo=UTC),
        }
    )
    assert levers_path(tmp_path, results) == tmp_path / "levers-my_model_v2-20261202T080102Z.json"


def test_the_example_user_model_is_brought_through_byom_with_an_onnx_conversion(tmp_path: Path) -> None:
    artifact = build(tmp_path)
    assert artifact == tmp_path / "breast_cancer.joblib"
    reference, compiled = load_model(str(artifact)), load_model(str(artifact), runtime="onnx")
    assert (reference.name, compiled.runtime) == ("breast_cancer", "onnx")
    assert set(reference.classes or ()) == {"malignant", "benign"}
    assert len(reference.spec.features) == 30
    rows = Validator(reference.spec, max_batch=1).validate_records([reference.spec.example_record()])
    assert reference.predict(rows)[0].prediction == compiled.predict(rows)[0].prediction
