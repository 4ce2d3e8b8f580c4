"""The compiled runtime arm as a benchmark target: opt-in (ONNX=1), FastAPI serving onnxruntime, verified against it."""

from __future__ import annotations

import dataclasses
import json
import urllib.request

from benchmarks import plan
from benchmarks.records import generated_records
from benchmarks.targets import ONNX_VARIANT, Server, front_end, running
from benchmarks.verify import check_answers, expected_answer
from shared_model import Validator, load_model

WITH_ONNX = dataclasses.replace(plan.FULL, onnx=True)


def test_the_onnx_arm_is_opt_in_and_measures_capacity_and_c1_only() -> None:
    assert not [target for target in plan.targets(plan.FULL) if target.variant == ONNX_VARIANT]
    added = [target for target in plan.targets(WITH_ONNX) if target.variant == ONNX_VARIANT]
    assert [(target.label, target.runtime) for target in added] == [("fastapi_app (onnx, 1w)", "onnx")]
    assert [str(s) for s in plan.scenarios(WITH_ONNX, added[0])] == ["c=1", "capacity at p99 ≤ 50 ms"]
    # Not the shipped FastAPI: never paired with a floor, never the framework comparison, no cold starts.
    assert all(added[0] not in pair for pair in plan.pairs(plan.targets(WITH_ONNX)))
    assert all(added[0] not in pair for pair in plan.front_end_pairs(plan.targets(WITH_ONNX)))
    assert not plan.measures_cold_start(WITH_ONNX, added[0])
    # What it costs: under a minute of the full plan, which stays within its 20 minutes without it.
    assert plan.estimate_s(plan.FULL) < 20 * 60
    assert 0 < plan.estimate_s(WITH_ONNX) - plan.estimate_s(plan.FULL) < 60
    assert plan.describe(WITH_ONNX).onnx


def test_the_onnx_target_serves_onnxruntimes_answers() -> None:
    target = front_end("fastapi_app", ONNX_VARIANT)
    compiled = load_model("loan", runtime="onnx")
    validator = Validator(compiled.spec, max_batch=1000)
    records = generated_records(compiled.spec)[:5]
    expected = [expected_answer(compiled, validator, record) for record in records]
    with running(target, "loan") as server:
        with urllib.request.urlopen(f"{server.base_url}/v1/model", timeout=10) as answer:
            assert json.load(answer)["runtime"] == "onnx"
        assert check_answers(target, server, compiled, validator, records=records, expected=expected) == []
        # scikit-learn's answers are not what it serves: the check would tell them apart.
        reference = load_model("loan")
        sklearn_answers = [expected_answer(reference, validator, record) for record in records]
        assert sklearn_answers != expected
        assert isinstance(server, Server)
