"""The Flask page in process (Flask's test client): the form from the spec, exact answers, errors, CSRF, uploads."""

from __future__ import annotations

import base64
import dataclasses
import io
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from flask_app.app import create_app
from shared_model import FeatureType, Predictor, Task, Validator, load_settings
from shared_model.form import form_fields
from shared_model.http import json_bytes, upload_limit_bytes
from shared_model.samples import sample_records
from shared_model.tabular import cell_text, predict_csv, predictions_csv
from tests.conftest import LOAN_RECORD
from tests.flask_app.page_html import PageView

SETTINGS = load_settings({"SERVEBENCH_MAX_BODY_BYTES": "4096", "SERVEBENCH_MAX_BATCH": "5"})
UPLOAD_LIMIT = upload_limit_bytes(SETTINGS.MAX_BODY_BYTES)  # 1 MiB, as Streamlit's whole-MiB limit
HEADER = b"age,income,credit_score,employment_years,loan_amount,home_ownership\n"


def texts(record: dict[str, Any]) -> dict[str, str]:
    """A record as a browser submits the form: every value as text."""
    return {name: cell_text(value) for name, value in record.items()}


def view(response: TestResponse) -> PageView:
    assert response.mimetype == "text/html", response.data[:200]
    html = response.get_data(as_text=True)
    assert "Traceback" not in html
    return PageView(html)


@pytest.fixture
def app(loan: Predictor) -> Flask:
    return create_app(loan, SETTINGS)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def submit(client: FlaskClient, form: dict[str, str], path: str = "/") -> TestResponse:
    """Load the page (its cookie and token), then post the form with the token, as a browser does."""
    token = view(client.get("/")).token()
    return client.post(path, data={"csrf_token": token, **form})


def upload(client: FlaskClient, data: bytes, name: str = "batch.csv") -> TestResponse:
    token = view(client.get("/")).token()
    form = {"csrf_token": token, "file": FileStorage(io.BytesIO(data), name, content_type="text/csv")}
    # Encoded in memory: the test client spools bodies over 500 KB to a temporary file it does not close.
    boundary, body = encode_multipart(form)
    return client.post("/batch", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def test_the_form_is_generated_from_the_spec(predictor: Predictor) -> None:
    response = create_app(predictor, SETTINGS).test_client().get("/")
    assert response.status_code == 200
    page = view(response)
    inputs, selects = page.named("input"), page.named("select")
    assert set(inputs) | set(selects) == {*predictor.spec.feature_names, "csrf_token", "file"}
    for field in form_fields(predictor.spec):
        if field.type in (FeatureType.CATEGORY, FeatureType.BOOLEAN):
            assert page.options(field.name) == (["", *field.choices], field.example or "")
            continue
        attributes = inputs[field.name]
        assert (attributes["type"], attributes["value"]) == ("number", field.example)
        assert (attributes.get("min"), attributes.get("max")) == (field.minimum, field.maximum)
        assert field.bounds in page.text[f"help-{field.name}"]
    buttons = [tag for tag, _ in page.controls if tag == "button"]
    assert len(buttons) == 2
    assert "Predict</button>" in response.get_data(as_text=True)
    assert not [tag for tag, _ in page.controls if tag == "script"]  # works with no JavaScript at all
    assert "script-src" not in response.headers["Content-Security-Policy"]  # default-src 'none' forbids any
    assert page.text["card-title"] == "Model card"


def test_the_loan_fields_read_as_the_spec_declares_them(client: FlaskClient) -> None:
    page = view(client.get("/"))
    assert page.text["help-income"] == "number, ≥ 0. Gross annual income."
    assert page.text["help-age"] == "integer, ≥ 18 and ≤ 100. Applicant's age in whole years."
    assert page.text["help-loan_amount"].startswith("number, > 0. ")
    age = page.named("input")["age"]
    assert (age["min"], age["max"], age["step"], age["value"]) == ("18", "100", "1", "35")
    assert page.options("home_ownership") == (["", "rent", "own", "mortgage"], "rent")


@pytest.mark.parametrize("seed", [0, 1])
def test_the_answer_is_the_api_s_exact_body(predictor: Predictor, seed: int) -> None:
    client = create_app(predictor, SETTINGS).test_client()
    for record in sample_records(predictor.spec, 4, seed=seed):
        response = submit(client, texts(record))
        assert response.status_code == 200
        api = client.post("/v1/predict", json=record)
        assert view(response).text["prediction_result"].encode() == api.data
        assert "prediction_errors" not in view(response).text


def test_the_submitted_values_are_kept_in_the_form(client: FlaskClient) -> None:
    form = texts({**LOAN_RECORD, "income": 73512.123456789, "home_ownership": "own"})
    page = view(submit(client, form))
    assert page.named("input")["income"]["value"] == "73512.123456789"
    assert page.options("home_ownership")[1] == "own"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", "17", "Input should be greater than or equal to 18"),
        ("age", "35.5", "Input should be a valid integer"),
        ("age", "", "Field required"),
        ("income", "-1", "Input should be greater than or equal to 0"),
        ("income", "abc", "Input should be a valid number"),
        ("income", "1e400", "Input should be a finite number"),
        ("loan_amount", "0", "Input should be greater than 0"),
        ("home_ownership", "", "Field required"),
        ("home_ownership", "castle", "Input should be 'rent', 'own' or 'mortgage'"),
    ],
)
def test_a_bad_field_shows_the_validator_s_message_beside_it(
    client: FlaskClient, field: str, value: str, message: str
) -> None:
    response = submit(client, {**texts(LOAN_RECORD), field: value})
    assert response.status_code == 422
    page = view(response)
    assert page.text[f"error-{field}"] == message
    assert page.text["prediction_errors"].split() == (
        f"The request does not match the model's feature spec. {field}: {message}".split()
    )
    assert "prediction_result" not in page.text


def test_every_bad_field_is_listed_and_marked(client: FlaskClient) -> None:
    form = {**texts(LOAN_RECORD), "age": "17", "income": "", "credit_score": "abc"}
    page = view(submit(client, form))
    assert {name for name in page.text if name.startswith("error-")} == {
        "error-age",
        "error-income",
        "error-credit_score",
    }
    assert page.named("input")["age"]["aria-invalid"] == "true"
    assert "aria-invalid" not in page.named("input")["loan_amount"]
    assert page.text["prediction_errors"].count(":") == 3


def test_a_post_without_a_token_is_refused_and_the_api_needs_none(client: FlaskClient) -> None:
    response = client.post("/", data=texts(LOAN_RECORD))
    assert response.status_code == 400
    page = view(response)
    assert page.text["page_error"].startswith("The form was refused: The CSRF token is missing.")
    assert "prediction_result" not in page.text
    assert page.token()  # the form is shown again, with a fresh token
    api = client.post("/v1/predict", json=LOAN_RECORD)
    assert api.status_code == 200
    assert "Set-Cookie" not in api.headers


@pytest.mark.parametrize(
    ("path", "opened"),
    [("/", True), ("/batch", True), ("/v1/predict", False), ("/docs", False), ("/x", False)],
)
def test_only_the_page_opens_the_session_that_holds_its_token(app: Flask, path: str, opened: bool) -> None:
    # Opening the signed session cost an API prediction ~100k instructions; only the page's forms need it.
    with app.test_request_context(path, method="POST", headers={"Cookie": "session=x"}):
        session = app.session_interface.open_session(app, request)
    assert (session is not None) == opened


def test_workers_sharing_the_secret_key_accept_each_other_s_tokens(loan: Predictor) -> None:
    shared = {"SERVEBENCH_SECRET_KEY": "k" * 40}
    first = create_app(loan, load_settings(shared)).test_client()
    second = create_app(loan, load_settings(shared)).test_client()
    other = create_app(loan, load_settings({"SERVEBENCH_SECRET_KEY": "o" * 40})).test_client()
    token = view(first.get("/")).token()
    cookie = first.get_cookie("session")
    assert cookie is not None
    for client, status in ((second, 200), (other, 400)):
        client.set_cookie("session", cookie.value)
        assert client.post("/", data={"csrf_token": token, **texts(LOAN_RECORD)}).status_code == status


def test_a_batch_reports_bad_rows_and_offers_the_exact_predictions(
    client: FlaskClient, loan: Predictor
) -> None:
    data = (
        HEADER
        + b"35,73512.123456789,690,4.5,15000.0,rent\n17,1.0,690,4.5,1.0,rent\n61,0.1,849,60,1e-300,own\n"
    )
    response = upload(client, data)
    assert response.status_code == 200
    page = view(response)
    assert page.tables["batch_problems"] == [
        ["where", "problem", "type"],
        ["row 1 · age", "Input should be greater than or equal to 18", "greater_than_equal"],
    ]
    _, table = predict_csv(data, loan, Validator(loan.spec, SETTINGS.MAX_BATCH))
    assert table is not None
    link = page.link("batch_download")
    assert link["download"] == "loan-1.0.0-predictions.csv"
    href = str(link["href"])
    assert href.startswith("data:text/csv;base64,")
    assert base64.b64decode(href.removeprefix("data:text/csv;base64,")) == predictions_csv(table)
    rows = page.tables["batch_predictions"]
    assert rows[0] == ["row", *table.columns]
    assert rows[1:] == [
        [str(number), *(cell_text(value) for value in line)]
        for number, line in zip(table.row_numbers, table.lines, strict=True)
    ]
    assert rows[1][:3] == ["0", "35", "73512.123456789"]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"\xff\xfe", ["file", "The file is not UTF-8 text (byte 0).", "csv_encoding"]),
        (b"", ["file", "The file is empty; it needs a header row of feature names.", "csv_empty"]),
        (
            HEADER + b"35,58000.0,690,4.5,15000.0,rent\n" * 6,
            ["file", "The file has 6 rows; at most 5 are predicted at once.", "too_long"],
        ),
        (b"age,income\n35,1.0\n", ["column credit_score", "Column required", "missing"]),
    ],
)
def test_a_bad_file_is_a_clear_message_and_422(client: FlaskClient, data: bytes, problem: list[str]) -> None:
    response = upload(client, data)
    assert response.status_code == 422
    page = view(response)
    assert page.tables["batch_problems"][1] == problem
    assert "batch_predictions" not in page.tables
    assert "batch_download" not in page.text


def test_no_file_chosen_is_a_message(client: FlaskClient) -> None:
    token = view(client.get("/")).token()
    response = client.post("/batch", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert view(response).text["batch_error"] == "Choose a CSV file to upload."


@pytest.mark.parametrize("size", [UPLOAD_LIMIT + 1, 3 * UPLOAD_LIMIT])
def test_a_file_over_the_upload_limit_is_refused_with_the_page(client: FlaskClient, size: int) -> None:
    response = upload(client, HEADER + b"9" * (size - len(HEADER)))
    assert response.status_code == 413
    assert view(response).text["batch_error"] == (
        f"The upload is larger than {UPLOAD_LIMIT} bytes; split the CSV into smaller files."
    )


def test_a_file_at_the_upload_limit_is_read(client: FlaskClient) -> None:
    line = b"35,58000.0,690,4.5,15000.0,rent\n"
    padding = b" " * (UPLOAD_LIMIT - len(HEADER) - len(line))  # blank-ish cells make a row problem, not a 413
    response = upload(client, HEADER + line[:-1] + padding + b"\n")
    assert response.status_code == 422
    assert "batch_problems" in view(response).text


def test_without_its_model_the_page_says_why(loan: Predictor) -> None:
    settings = load_settings({"SERVEBENCH_MODEL": "/nowhere/missing.joblib"})
    response = create_app(None, settings).test_client().get("/")
    assert response.status_code == 503
    assert view(response).text["page_error"].startswith("No model manifest at /nowhere/missing.manifest.json")


def test_a_failing_model_is_a_500_page_without_a_traceback(loan: Predictor, diabetes: Predictor) -> None:
    # A real mismatch: the diabetes regressor handed the loan spec's rows, which scikit-learn refuses.
    spec = dataclasses.replace(loan.spec, task=Task.REGRESSION)
    mismatched = Predictor(diabetes.model, spec, diabetes.manifest)
    client = create_app(mismatched, SETTINGS).test_client()
    response = submit(client, texts(LOAN_RECORD))
    assert response.status_code == 500
    page = view(response)
    assert page.text["page_error"] == "The server failed to answer this request."
    assert "ValueError" not in response.get_data(as_text=True)


def test_the_page_answers_carry_security_headers_even_when_failing(client: FlaskClient) -> None:
    for response in (client.get("/"), client.post("/", data={})):
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy
        assert "form-action 'self'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_json_bytes_is_what_the_page_shows(client: FlaskClient, loan: Predictor) -> None:
    page = view(submit(client, texts(LOAN_RECORD)))
    expected = loan.predict_one(Validator(loan.spec, 5).validate_record(LOAN_RECORD))
    body = {**expected.as_dict(), "model": "loan", "version": loan.version}
    assert page.text["prediction_result"].encode() == json_bytes(body)
