"""The interleaved page comparison: which page a name means, how the floor app puts parts back, the paired summary."""

from __future__ import annotations

import json
from typing import Any, cast

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.pages import FLOOR_APP
from benchmarks.servers import RunningServer
from benchmarks.streamlit_paint import FLOOR_PARTS, MEASURES, OpenPage, page_url, summary
from benchmarks.verify import expected_answer
from shared_model import Predictor, Validator
from streamlit_app.app import RESULT_KEY


class _Server:
    def __init__(self, url: str) -> None:
        self.base_url = url


SERVERS = cast(
    dict[str, RunningServer],
    {"shipped": _Server("http://127.0.0.1:1"), "floor": _Server("http://127.0.0.1:2")},
)


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("shipped", "http://127.0.0.1:1"),
        ("floor", "http://127.0.0.1:2"),
        ("floor+fragment+card", "http://127.0.0.1:2/?with=fragment,card"),
    ],
)
def test_a_page_name_is_the_shipped_app_or_the_floor_with_parts(name: str, url: str) -> None:
    assert page_url(name, SERVERS) == url


@pytest.mark.parametrize("name", ["floor+chart", "shipped+card", "flask"])
def test_an_unknown_page_or_part_is_refused_by_name(name: str) -> None:
    with pytest.raises(ValueError, match=name.replace("+", r"\+")):
        page_url(name, SERVERS)


def test_the_summary_pairs_each_round_with_the_first_page() -> None:
    first = OpenPage("shipped", cast(Any, None), cast(Any, None))
    other = OpenPage("floor", cast(Any, None), cast(Any, None), wrong=1)
    for measure in MEASURES:
        first.times[measure] = [50.0, 60.0, 70.0]
        other.times[measure] = [40.0, 65.0, 55.0]
    rows = summary([first, other])
    assert rows["floor"]["rendered_ms"] == 55.0
    assert rows["floor"]["rendered_minus_shipped_ms"] == -10.0  # of -10, +5, -15
    assert (rows["floor"]["rounds_faster"], rows["floor"]["wrong"]) == (2, 1)
    assert rows["shipped"]["rendered_minus_shipped_ms"] == 0.0


def _submitted(parts: str, age: int) -> AppTest:
    app = AppTest.from_file(str(FLOOR_APP), default_timeout=60)
    if parts:
        app.query_params["with"] = parts
    app.run()
    app.number_input(key="age").set_value(age)
    app.form_submit_button[0].click().run()
    return app


def test_the_floor_app_alone_shows_only_the_exact_answer(loan: Predictor, loan_validator: Validator) -> None:
    app = _submitted("", 41)
    want = expected_answer(loan, loan_validator, {**loan.spec.example_record(), "age": 41})
    assert json.loads(app.container(RESULT_KEY).json[0].value) == want
    assert (len(app.metric), len(app.sidebar), len(app.get("progress")), len(app.get("file_uploader"))) == (
        0,
        0,
        0,
        0,
    )


def test_the_floor_app_puts_every_part_of_the_shipped_page_back(
    loan: Predictor, loan_validator: Validator
) -> None:
    app = _submitted(",".join(FLOOR_PARTS), 42)
    want = expected_answer(loan, loan_validator, {**loan.spec.example_record(), "age": 42})
    assert json.loads(app.container(RESULT_KEY).json[0].value) == want
    assert app.metric[0].value == want["prediction"]
    assert len(app.get("progress")) == len(want["probabilities"])
    assert app.sidebar.container(key="model_card").header[0].value == f"Model {loan.name}"
    assert len(app.get("file_uploader")) == 1
