"""`python -m benchmarks --smoke --peers`: the results file is well formed and every server answered correctly,
the peers (MLServer, BentoML; built by `make peers`) and the front ends over OIP included."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks.results import read_results

pytestmark = pytest.mark.live
FRONT_ENDS = {"flask_app", "fastapi_app", "streamlit_app"}
PEERS_AND_OIP = {
    ("mlserver", "default", "oip"),
    ("bentoml", "default", "v1"),
    ("flask_app", "gthread", "oip"),
    ("fastapi_app", "async", "oip"),
}


def test_smoke_run_writes_a_valid_results_file(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--peers", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=480,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    files = list(tmp_path.glob("*.json"))
    assert [path.name for path in files] == [done.stdout.strip().rsplit("/", 1)[-1]]
    results = read_results(files[0])  # validates against the schema
    assert (results.mode, results.smoke, results.quick) == ("smoke", True, False)
    failures = {target.name: target.failure for target in results.targets if not target.verified}
    assert failures == {}
    beside = {
        (t.name, t.variant, t.protocol): t for t in results.targets if t.kind == "peer" or t.protocol == "oip"
    }
    assert set(beside) == PEERS_AND_OIP
    assert {t.verification for t in beside.values()} == {
        "20 records: labels equal, probabilities bit-identical to scikit-learn in-process"
    }
    assert results.plan.peers
    assert {row.front_end for row in results.contract if row.passed} == FRONT_ENDS
    floor = next(target for target in results.targets if target.name == "in-process")
    assert [m.params["batch_size"] for m in floor.measurements] == results.plan.batch_sizes
    assert all(m.figures["samples"].min > 0 for m in floor.measurements)
    for target in results.targets:
        if target is floor:
            continue
        loads = [m for m in target.measurements if "throughput_rps" in m.figures]
        assert loads, f"{target.name} has no load figures"
        for measurement in loads:
            assert measurement.figures["samples"].min > 0, (target.name, measurement.params)
            assert measurement.figures["errors"].max == 0, (target.name, measurement.params)
            assert measurement.figures["non_200"].max == 0, (target.name, measurement.params)
    trials = [
        trial for t in results.targets for m in t.measurements if m.scenario == "server" for trial in m.trials
    ]
    # Each trial carries the server's CPU per request over it: the host's speed as the server saw it.
    assert trials
    assert all((trial.cpu_us_per_request or 0.0) > 0.0 for trial in trials)
    assert {row.front_end for row in results.boilerplate} == FRONT_ENDS
    assert all(row.logical_lines == sum(row.lines_per_concern.values()) for row in results.boilerplate)
    assert results.environment.git_revision != "unknown"
