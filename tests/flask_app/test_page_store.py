"""The Flask page for a model with stored features, beside a real Redis: the form sends the key, never a stored
feature; the answer is the API's; an unknown key is said beside its field; no CSV batch is offered yet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from flask_app.app import create_app
from shared_model import load_model, load_settings
from shared_model.store_server import RunningStore, running_store
from tests.flask_app.page_html import PageView

MODEL = "loan_store"
SENT = {"account_id": "17", "age": "35", "loan_amount": "15000.0", "home_ownership": "rent"}
UNKNOWN = "99999999"  # within the key's bounds, never written by `make models`


@pytest.fixture(scope="module")
def store() -> Iterator[RunningStore]:
    with running_store(MODEL) as started:
        yield started


@pytest.fixture(scope="module")
def client(store: RunningStore) -> FlaskClient:
    settings = load_settings(
        {"SERVEBENCH_MODEL": MODEL, "SERVEBENCH_STORE_URL": store.url, "SERVEBENCH_STORE_TIMEOUT_MS": "1000"}
    )
    return create_app(load_model(MODEL), settings).test_client()


def post(client: FlaskClient, form: dict[str, str], path: str = "/") -> tuple[int, PageView]:
    token = PageView(client.get("/").get_data(as_text=True)).token()
    response = client.post(path, data={"csrf_token": token, **form})
    return response.status_code, PageView(response.get_data(as_text=True))


def test_the_form_asks_for_the_key_and_the_sent_features_only(client: FlaskClient) -> None:
    page = PageView(client.get("/").get_data(as_text=True))
    asked = [name for name in [*page.named("input"), *page.named("select")] if name != "csrf_token"]
    assert sorted(asked) == sorted(SENT)
    assert "batch-file" not in {str(a.get("id")) for _, a in page.controls}


def test_the_answer_is_the_api_s_for_the_looked_up_row(client: FlaskClient) -> None:
    status, page = post(client, SENT)
    assert status == 200
    record = {"account_id": 17, "age": 35, "loan_amount": 15000.0, "home_ownership": "rent"}
    api = client.post("/v1/predict", json=record)
    assert api.status_code == 200
    assert page.text["prediction_result"].encode() == api.data


def test_an_unknown_key_is_said_beside_it(client: FlaskClient) -> None:
    status, page = post(client, {**SENT, "account_id": UNKNOWN})
    assert status == 404
    assert page.text["error-account_id"] == f"No stored features for account_id {UNKNOWN}"
    assert "prediction_result" not in page.text


def test_no_csv_batch_is_offered_yet(client: FlaskClient) -> None:
    status, page = post(client, {}, path="/batch")
    assert status == 422
    assert page.text["batch_error"].startswith("A CSV batch is not offered for a model with stored features")
