"""Every endpoint of the contract, in process, for both front ends and both built-in models; whole bodies."""

from __future__ import annotations

import json

import pytest

from shared_model import Predictor, Validator

OK_HEADERS = ("x-request-id", "server-timing")


def payload(record: object) -> bytes:
    return json.dumps(record).encode()


def test_live(client):
    answer = client.request("GET", "/health/live")
    assert (answer.status, answer.json()) == (200, {"status": "live"})


@pytest.mark.parametrize("path", ["/health/ready", "/health"])
def test_ready(client, predictor: Predictor, path):
    answer = client.request("GET", path)
    assert answer.status == 200
    assert answer.json() == {"status": "ok", "model": predictor.name, "version": predictor.version}


def test_model_card(client, predictor: Predictor):
    answer = client.request("GET", "/v1/model")
    assert answer.status == 200
    card = answer.json()
    expected = {
        "name": predictor.name,
        "version": predictor.version,
        "sha256": predictor.manifest.sha256,
        "task": predictor.spec.task.value,
        "runtime": "sklearn",
        **({"classes": list(predictor.classes)} if predictor.is_classifier else {}),
        "metrics": predictor.manifest.metrics,
        "features": predictor.spec.card_features(),
    }
    assert card == expected
    assert list(card) == list(expected)  # the contract's key order
    assert [feature["name"] for feature in card["features"]] == list(predictor.spec.feature_names)


def test_predict_one_record(client, predictor: Predictor):
    record = predictor.spec.example_record()
    answer = client.request("POST", "/v1/predict", body=payload(record))
    assert answer.status == 200, answer
    row = Validator(predictor.spec, 5).validate_record(record)
    expected = {**predictor.predict_one(row).as_dict(), "model": predictor.name, "version": predictor.version}
    assert answer.json() == expected  # floats parse back bit for bit
    assert all(answer.header(name) for name in OK_HEADERS)


def test_predict_batch(client, predictor: Predictor):
    record = predictor.spec.example_record()
    records = [record, record, record]
    answer = client.request("POST", "/v1/predict/batch", body=payload({"instances": records}))
    assert answer.status == 200, answer
    rows = Validator(predictor.spec, 5).validate_records(records)
    expected = [prediction.as_dict() for prediction in predictor.predict(rows)]
    assert answer.json() == {"predictions": expected, "model": predictor.name, "version": predictor.version}


def test_predict_vendor_json_media_type(client, predictor: Predictor):
    body = payload(predictor.spec.example_record())
    answer = client.request("POST", "/v1/predict", body=body, content_type="application/vnd.api+json")
    assert answer.status == 200, answer


def test_openapi_document_is_served(client, predictor: Predictor):
    from shared_model.openapi import openapi_document

    answer = client.request("GET", "/openapi.json")
    assert answer.status == 200
    assert answer.json() == openapi_document(predictor.spec, 5)


def test_metrics(loan_client):
    loan_client.request("GET", "/health/live")
    answer = loan_client.request("GET", "/metrics")
    assert answer.status == 200
    assert answer.header("content-type").startswith("text/plain")
    text = answer.body.decode()
    for name in (
        "servebench_http_requests_total",
        "servebench_http_request_duration_seconds_bucket",
        "servebench_prediction_duration_seconds",
        "servebench_model_info",
    ):
        assert name in text
    assert 'route="/health/live"' in text


def test_request_id_echoes_a_sane_token(loan_client):
    answer = loan_client.request("GET", "/health/live", headers={"X-Request-ID": "abc-123.x:y_z"})
    assert answer.header("x-request-id") == "abc-123.x:y_z"


@pytest.mark.parametrize("value", ["has space", "x" * 200, "<script>", ""])
def test_request_id_replaces_an_insane_token(loan_client, value):
    answer = loan_client.request("GET", "/health/live", headers={"X-Request-ID": value})
    assert answer.header("x-request-id") not in (None, value)
    assert len(answer.header("x-request-id")) == 32


def test_server_timing_names_each_segment(loan_client, loan: Predictor):
    answer = loan_client.request("POST", "/v1/predict", body=payload(loan.spec.example_record()))
    names = [segment.split(";")[0] for segment in answer.header("server-timing").split(", ")]
    assert names == ["parse", "validate", "predict", "serialize", "total"]


def test_head_of_a_get_route(loan_client):
    answer = loan_client.request("HEAD", "/health/live", content_type=None)
    assert (answer.status, answer.body) == (200, b"")


def test_cors_is_off_by_default(loan_client):
    answer = loan_client.request("GET", "/health/live", headers={"Origin": "https://example.org"})
    assert answer.header("access-control-allow-origin") is None
