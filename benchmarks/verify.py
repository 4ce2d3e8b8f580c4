"""Verify before measuring: the live contract catalogue, and the harness's own whole-body answer check."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.load import sequential
from benchmarks.results import ContractRow
from benchmarks.streamlit_ws import StreamlitSession
from benchmarks.targets import Server, TargetSpec
from shared_model import Predictor, Validator

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTRACT_RESULTS = REPO_ROOT / "contract_tests" / "results" / "latest.json"
CONTRACT_NAMES = {
    "flask_app": "flask",
    "fastapi_app": "fastapi",
    "streamlit_app": "streamlit",
    "flask_app:batched": "flask-batched",  # a variant with a contract of its own: front end:variant
    "fastapi_app:batched": "fastapi-batched",
}
CONTRACT_TIMEOUT_S = 600
CHECKED_RECORDS = 5


def expected_answer(predictor: Predictor, validator: Validator, record: dict[str, Any]) -> dict[str, Any]:
    """The contract's predict body for `record`, computed in-process."""
    prediction = predictor.predict_one(validator.validate_record(record))
    return {**prediction.as_dict(), "model": predictor.name, "version": predictor.version}


def check_answers(
    target: TargetSpec,
    server: Server,
    predictor: Predictor,
    validator: Validator,
    *,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
) -> list[str]:
    """Compare whole answers with `expected` (`expected_answer` of each record); return every mismatch."""
    chosen = list(records[:CHECKED_RECORDS])
    expected = list(expected[:CHECKED_RECORDS])
    if not target.is_http:
        got = asyncio.run(_streamlit_answers(server.base_url, chosen))
        return [
            f"record {i}: {g!r} != {e!r}"
            for i, (g, e) in enumerate(zip(got, expected, strict=True))
            if g != e
        ]
    if target.kind == "generator_ceiling":
        return []
    failures = []
    bodies = [json.dumps(record).encode() for record in chosen]
    for index, answer in enumerate(sequential(f"{server.base_url}/v1/predict", bodies, len(bodies))):
        got = json.loads(answer.body)
        if answer.status != 200 or got != expected[index]:
            failures.append(
                f"POST /v1/predict record {index}: {answer.status} {got!r} != {expected[index]!r}"
            )
    batch = json.dumps({"instances": chosen}).encode()
    answer = sequential(f"{server.base_url}/v1/predict/batch", [batch], 1)[0]
    # A batch is one vectorised call, whose floats may differ in the last bit from one-row calls.
    batch_predictions = predictor.predict(validator.validate_records(chosen))
    want = {
        "predictions": [p.as_dict() for p in batch_predictions],
        "model": predictor.name,
        "version": predictor.version,
    }
    if answer.status != 200 or json.loads(answer.body) != want:
        failures.append(f"POST /v1/predict/batch: {answer.status} {answer.body[:300]!r}")
    return failures


async def _streamlit_answers(base_url: str, records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    async with StreamlitSession(base_url) as session:
        return [await session.submit(record) for record in records]


def run_contract(
    front_ends: Sequence[str], model: str, timeout_s: float = CONTRACT_TIMEOUT_S
) -> list[ContractRow]:
    """Run the live contract catalogue on `model` through pytest and read its verdict per front end."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contract_tests",
        "--mode",
        "live",
        "--models",
        model,
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        output = done.stdout[-3000:]
    except subprocess.TimeoutExpired:
        return [
            ContractRow(front_end=f, passed=False, source="contract_tests", checks=0, failures=["timed out"])
            for f in front_ends
        ]
    return contract_rows(front_ends, output)


def contract_rows(front_ends: Sequence[str], output: str = "") -> list[ContractRow]:
    """One row per front end from `contract_tests/results/latest.json` (schema servebench.contract/1)."""
    try:
        table = json.loads(CONTRACT_RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        failure = f"no contract results at {CONTRACT_RESULTS}; pytest said: {output[-500:]}"
        return [
            ContractRow(front_end=f, passed=False, source="contract_tests", checks=0, failures=[failure])
            for f in front_ends
        ]
    rows = []
    for name in front_ends:
        key = CONTRACT_NAMES.get(name, name)
        cells = [c for c in table.get("cells", []) if c.get("front_end") == key and c.get("mode") == "live"]
        failed = [
            f"{c['clause']}: {c['failed']} of {c['tests']} failed" for c in cells if c.get("status") == "fail"
        ]
        verdict = table.get("verdict", {}).get(key, "not run")
        checks = sum(int(c.get("tests", 0)) for c in cells)
        rows.append(
            ContractRow(
                front_end=name,
                passed=verdict == "pass" and not failed,
                source=f"contract_tests ({table.get('schema', '?')}, live, {verdict})",
                checks=checks,
                failures=failed or ([] if verdict == "pass" else [f"verdict: {verdict}"]),
            )
        )
    return rows
