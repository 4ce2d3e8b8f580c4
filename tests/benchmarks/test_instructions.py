"""Instruction counts: the counting arithmetic, every in-process call path, and a real callgrind count that repeats."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks import callgrind
from benchmarks.app_calls import TARGETS
from benchmarks.in_process import IN_PROCESS
from benchmarks.instructions import (
    ProbeFailed,
    count_instructions,
    instruction_count,
    layer_cost,
    per_request,
    probe_env,
)

DUMP = "events: Ir\ndesc: Trigger: Client Request: {label}\nsummary: 1\nfn=(1) f\n0 1\n\ntotals: {count}\n"


def test_dumps_are_read_by_label_and_the_dump_at_exit_is_left_out(tmp_path) -> None:
    (tmp_path / "callgrind.out.7").write_text("desc: Trigger: Program termination\ntotals: 99\n")
    (tmp_path / "callgrind.out.7.1").write_text(DUMP.format(label="flask_app 20", count=1_000))
    (tmp_path / "callgrind.out.7.2").write_text(DUMP.format(label="flask_app 40", count=1_900))
    counts = callgrind.read_dumps(tmp_path)
    assert counts == {"flask_app 20": 1_000, "flask_app 40": 1_900}
    # What does not repeat per call (100 here) cancels in the difference: 900 over 20 calls.
    assert per_request(counts, "flask_app", (20, 40)) == 45.0
    with pytest.raises(ProbeFailed, match="wsgi-floor 40"):
        per_request(counts, "wsgi-floor", (20, 40))


def test_spread_is_the_range_over_the_median_and_the_layer_is_over_its_floor() -> None:
    flask = instruction_count("flask_app", (20, 40), [110.0, 100.0, 105.0])
    assert flask.calls == [20, 40]
    assert flask.per_request.repeats == [110.0, 100.0, 105.0]
    assert flask.spread == pytest.approx(10 / 105)
    floor = instruction_count("wsgi-floor", (20, 40), [84.0, 84.0])
    assert floor.spread == 0.0
    assert layer_cost([flask, floor], "flask_app", "wsgi-floor") == pytest.approx((21.0, 0.2))
    assert layer_cost([flask], "fastapi_app", "asgi-floor") is None


def test_client_requests_are_no_ops_outside_valgrind() -> None:
    assert not callgrind.running_on_valgrind()
    callgrind.start_instrumentation()
    callgrind.dump_stats("nothing")
    callgrind.stop_instrumentation()


def test_bad_calls_and_targets_are_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="increasing"):
        count_instructions("loan", calls=(20, 20))
    with pytest.raises(ValueError, match="unknown targets"):
        count_instructions("loan", targets=("django",))


def test_every_target_answers_its_predictions_in_process(tmp_path) -> None:
    # Natively the probe makes the same calls and counts nothing; a call that is not a 200 prediction fails it.
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.instruction_probe", "--calls=2,4", *TARGETS],
        env=probe_env("loan", tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.splitlines() == [
        "started; natively: nothing is counted",
        *(f"{target}: 2 and 4 calls counted" for target in TARGETS),
    ]
    assert sorted(path.name.split("_")[0] for path in tmp_path.iterdir()) == ["counter", "gauge", "histogram"]


def test_callgrind_counts_predict_the_same_in_two_runs() -> None:
    lines: list[str] = []
    [count] = count_instructions("loan", targets=(IN_PROCESS,), calls=(3, 6), runs=2, progress=lines.append)
    assert count.target == IN_PROCESS
    assert "run 1: in-process: 3 and 6 calls counted" in lines
    # A one-row predict_proba through the loan pipeline is millions of instructions, not thousands or billions.
    assert 1e6 < count.per_request.min <= count.per_request.max < 1e8
    assert count.spread < 0.01
