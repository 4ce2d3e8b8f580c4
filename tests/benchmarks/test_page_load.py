"""The pages' load drivers: the Flask page's form posts (CSRF included, live), and Streamlit's floor app."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from benchmarks.page_load import form_fields, run_people, shown_answer
from benchmarks.pages import FLOOR_APP
from benchmarks.servers import running_server
from benchmarks.verify import expected_answer
from shared_model import Predictor, Validator

pytestmark = [pytest.mark.live]


def test_form_fields_are_the_texts_a_browser_posts() -> None:
    fields = form_fields({"age": 35, "income": 0.1 + 0.2, "owner": True, "home": "rent"}, "tok")
    assert fields == {
        "csrf_token": "tok",
        "age": "35",
        "income": "0.30000000000000004",
        "owner": "true",
        "home": "rent",
    }


def test_the_answer_is_read_whole_from_the_page() -> None:
    page = '<main><pre id="prediction_result">{&#34;label&#34;: &#34;a&#34;, &#34;p&#34;: 0.1}</pre></main>'
    assert shown_answer(page) == {"label": "a", "p": 0.1}
    assert shown_answer("<main></main>") is None


def test_people_post_the_flask_page_and_a_wrong_answer_counts(
    loan: Predictor, loan_validator: Validator
) -> None:
    records = [{**loan.spec.example_record(), "age": age} for age in (30, 40, 50)]
    expected = [expected_answer(loan, loan_validator, record) for record in records]
    with running_server("flask_app", model="loan") as server:
        right = run_people(server.base_url, records, expected, people=2, warmup_s=0.2, measure_s=1.0)
        wrong = run_people(
            server.base_url, records, [{"label": "no"}] * 3, people=1, warmup_s=0.0, measure_s=0.5
        )
    assert right.requests > 0
    assert (right.non_200, right.errors, right.refused) == (0, 0, 0)
    assert wrong.requests > 0
    assert wrong.non_200 == wrong.requests


def test_streamlit_floor_app_answers_exactly(loan: Predictor, loan_validator: Validator) -> None:
    app = AppTest.from_file(str(FLOOR_APP), default_timeout=60).run()
    assert not app.json  # no answer before a submit
    app.number_input(key="age").set_value(44)
    app.form_submit_button[0].click().run()
    shown = json.loads(app.json[0].value)
    assert shown == expected_answer(loan, loan_validator, {**loan.spec.example_record(), "age": 44})
