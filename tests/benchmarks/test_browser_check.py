"""The benchmark's browser cross-check: real clicks in Chromium, timed, and each shown answer checked whole."""

from __future__ import annotations

import pytest

from benchmarks import browser
from benchmarks.servers import running_server
from benchmarks.verify import expected_answer
from shared_model import Predictor, Validator

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_each_submit_is_timed_and_a_wrong_answer_is_caught(
    loan: Predictor, loan_validator: Validator
) -> None:
    feature = browser.varied_feature(loan.spec)
    assert feature.name == "age"  # the loan spec's first integer feature
    records = [{**loan.spec.example_record(), "age": age} for age in (30, 31, 40, 41, 50)]
    expected = [expected_answer(loan, loan_validator, record) for record in records]
    expected[-1] = {**expected[-1], "label": "not what the model says"}
    with running_server("streamlit_app", model="loan") as server:
        sample = browser.submit_times(server.base_url, records, expected, "age", cores=[])
    assert len(sample.submit_ms) == len(records) - browser.WARMUP_SUBMITS
    assert all(0 < ms < browser.TIMEOUT_MS for ms in sample.submit_ms)
    assert len(sample.wrong) == 1
    assert sample.wrong[0].startswith("age=50: shown {")
