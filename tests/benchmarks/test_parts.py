"""Small parts of the harness: the wrk script, Server-Timing parsing, records, figures, the plans."""

from __future__ import annotations

import json

import pytest

from benchmarks import plan
from benchmarks.records import RecordsError, load_records
from benchmarks.resources import server_timing
from benchmarks.results import Figure
from benchmarks.wrk import lua_script


def test_lua_script_quotes_bodies_that_contain_long_bracket_closers() -> None:
    script = lua_script([b'{"a": "]]"}', b'{"b": "]] ]=]"}'], "/v1/predict")
    assert '[==[{"b": "]] ]=]"}]==]' in script
    assert '[=[{"a": "]]"}]=]' in script
    assert "local path = [[/v1/predict]]" in script


def test_server_timing_takes_the_median_duration_per_metric() -> None:
    headers = [
        'parse;dur=0.1, validate;dur=0.2;desc="pydantic", predict;dur=0.5',
        "parse;dur=0.3,total;dur=1",
        "",
    ]
    assert server_timing(headers) == {"parse": 0.2, "validate": 0.2, "predict": 0.5, "total": 1.0}


def test_records_file_is_validated_line_by_line(tmp_path, loan, loan_validator) -> None:
    path = tmp_path / "mine.jsonl"
    good = loan.spec.example_record()
    path.write_text(json.dumps(good) + "\n\n" + json.dumps(good) + "\n")
    assert load_records(path, loan_validator) == [good, good]
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "age": 7}) + "\n")
    with pytest.raises(RecordsError, match=r"mine\.jsonl:2"):
        load_records(path, loan_validator)


def test_figure_keeps_every_repeat_with_min_median_max() -> None:
    figure = Figure.of("ms", [3.0, 1.0, 2.0])
    assert (figure.repeats, figure.min, figure.median, figure.max) == ([3.0, 1.0, 2.0], 1.0, 2.0, 3.0)


def test_plans_cover_what_the_issue_asks() -> None:
    full = {target.label for target in plan.targets(plan.FULL)}
    assert {"flask_app (sync, 1w)", "fastapi_app (def, 1w)", "streamlit_app (default, 1w)"} <= full
    assert {"flask_app (gthread, 2w)", "fastapi_app (async, 2w)", "wsgi-floor (default, 2w)"} <= full
    batched = [target for target in plan.targets(plan.FULL) if target.variant == "batched"]
    assert [target.label for target in batched] == ["flask_app (batched, 1w)", "fastapi_app (batched, 1w)"]
    assert [str(s) for s in plan.scenarios(plan.FULL, batched[0])] == ["c=1", "capacity at p99 ≤ 50 ms"]
    assert plan.QUICK.concurrencies == (1, 8)
    assert plan.QUICK.batch_sizes == (1, 100)
    assert plan.QUICK.streamlit_sessions == (1, 8)
    assert (plan.QUICK.repeats, plan.QUICK.measure_s) == (3, 1.0)
    assert plan.estimate_s(plan.SMOKE) < plan.estimate_s(plan.QUICK) < plan.estimate_s(plan.FULL) < 20 * 60


def test_a_front_end_that_failed_the_contract_is_never_started_or_measured() -> None:
    from benchmarks.assembly import refuse_failed_contract, target
    from benchmarks.results import ContractRow
    from benchmarks.runs import Run
    from benchmarks.targets import front_end

    runs = [Run(front_end("flask_app")), Run(front_end("flask_app", "sync")), Run(front_end("fastapi_app"))]
    contract = [
        ContractRow(
            front_end="flask_app", passed=False, source="t", checks=3, failures=["nan: 1 of 3 failed"]
        ),
        ContractRow(front_end="fastapi_app", passed=True, source="t", checks=3, failures=[]),
    ]
    refuse_failed_contract(runs, contract)
    assert [run.failure for run in runs] == [
        "failed the contract: nan: 1 of 3 failed",
        "failed the contract: nan: 1 of 3 failed",
        None,
    ]
    failed = target(runs[0], {})
    assert (failed.verified, failed.measurements) == (False, [])


def test_a_batched_variant_that_failed_its_contract_is_never_started() -> None:
    from benchmarks.assembly import refuse_failed_contract
    from benchmarks.results import ContractRow
    from benchmarks.runs import Run
    from benchmarks.targets import front_end

    runs = [Run(front_end("fastapi_app")), Run(front_end("fastapi_app", "batched"))]
    contract = [
        ContractRow(front_end="fastapi_app", passed=True, source="t", checks=3, failures=[]),
        ContractRow(
            front_end="fastapi_app:batched",
            passed=False,
            source="t",
            checks=3,
            failures=["ulps: 1 of 3 failed"],
        ),
    ]
    refuse_failed_contract(runs, contract)
    assert [run.failure for run in runs] == [None, "failed the contract: ulps: 1 of 3 failed"]


def test_the_in_process_floor_reports_every_batch_size(loan) -> None:
    from benchmarks.in_process import floor_target, timed_calls
    from shared_model import Validator

    rows = Validator(loan.spec, 10).validate_records([loan.spec.example_record()] * 10)
    samples = {1: [timed_calls(loan, rows[:1], 0.05)], 10: [timed_calls(loan, rows, 0.05)]}
    target = floor_target(samples)
    assert [m.params["batch_size"] for m in target.measurements] == [1, 10]
    ten = target.measurements[1].figures
    assert ten["rows_per_s"].median == pytest.approx(10 * ten["calls_per_s"].median)
    assert ten["samples"].median == samples[10][0].requests > 0
    assert 0 < target.measurements[0].figures["p50_ms"].median < 1000
