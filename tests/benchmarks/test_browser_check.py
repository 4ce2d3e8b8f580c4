"""The benchmark's browser cross-check: real clicks in Chromium on each page, timed, each shown answer checked whole."""

from __future__ import annotations

from contextlib import ExitStack

import pytest

from benchmarks import browser
from benchmarks.servers import running_server
from benchmarks.targets import front_end, over_oip
from benchmarks.verify import expected_answer
from shared_model import Predictor, Validator

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_both_pages_are_clicked_in_turn_each_submit_timed_in_parts_and_a_wrong_answer_caught(
    loan: Predictor, loan_validator: Validator
) -> None:
    feature = browser.varied_feature(loan.spec)
    assert feature.name == "age"  # the loan spec's first integer feature
    records = [{**loan.spec.example_record(), "age": age} for age in (30, 31, 40, 41, 50)]
    expected = [expected_answer(loan, loan_validator, record) for record in records]
    expected[-1] = {**expected[-1], "label": "not what the model says"}
    names = sorted(browser.PAGES)
    submitted = 0

    def count() -> None:
        nonlocal submitted
        submitted += 1

    with ExitStack() as stack:
        servers = [stack.enter_context(running_server(name, model="loan")) for name in names]
        pages = [(server.base_url, browser.PAGES[name]) for server, name in zip(servers, names, strict=True)]
        samples = browser.submit_times(pages, records, expected, "age", cores=[], on_submit=count)
    assert submitted == len(records)  # one call a record, after every page took it
    measured = len(records) - browser.WARMUP_SUBMITS
    for sample in samples:
        assert {part: len(times) for part, times in sample.parts_ms.items()} == dict.fromkeys(
            browser.PARTS, measured
        )
        # Each submit's parts come in the order they happen, all after the click and within the timeout.
        for first_byte, last_byte, in_dom, rendered in zip(*sample.parts_ms.values(), strict=True):
            assert 0 < first_byte <= last_byte <= in_dom <= rendered < browser.TIMEOUT_MS
        assert len(sample.wrong) == 1
        assert sample.wrong[0].startswith("age=50: shown {")


def test_the_benchmark_clicks_through_each_page_as_shipped_at_one_worker() -> None:
    assert browser.measures_page(front_end("streamlit_app"))
    assert browser.measures_page(front_end("flask_app"))
    assert not browser.measures_page(front_end("streamlit_app", "default"))
    assert not browser.measures_page(front_end("flask_app", workers=2))
    assert not browser.measures_page(front_end("fastapi_app"))
    assert not browser.measures_page(over_oip("flask_app"))  # the same page: clicked through once
