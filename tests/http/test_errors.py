"""Every error of the contract, in process, for both front ends: status, code, whole body, headers."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from shared_model import Predictor, load_settings
from shared_model.http import CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS
from tests.conftest import LOAN_RECORD as LOAN
from tests.http.conftest import FRONT_ENDS, TEST_SETTINGS, Client, open_client

MESSAGES = {
    "not_found": "No such resource.",
    "method_not_allowed": "Method not allowed.",
    "unsupported_media_type": "The request body must be sent as application/json.",
    "validation_error": "The request does not match the model's feature spec.",
}


def error(code: str, message: str | None = None, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message or MESSAGES[code], "details": details or []}}


def check(answer, status: int, body: dict[str, Any]) -> None:
    assert (answer.status, answer.json()) == (status, body), answer
    assert answer.header("x-request-id")
    assert answer.header("server-timing")


def test_unknown_path_is_404(loan_client):
    check(loan_client.request("GET", "/nope"), 404, error("not_found"))
    check(loan_client.request("GET", "/v1/model/"), 404, error("not_found"))


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v1/predict", "POST"),
        ("GET", "/v1/predict/batch", "POST"),
        ("POST", "/health/live", "GET, HEAD"),
        ("OPTIONS", "/v1/model", "GET, HEAD"),
        ("DELETE", "/openapi.json", "GET, HEAD"),
    ],
)
def test_wrong_method_is_405_with_allow(loan_client, method, path, allow):
    answer = loan_client.request(method, path)
    check(answer, 405, error("method_not_allowed"))
    assert answer.header("allow") == allow


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded", "json"])
def test_non_json_content_type_is_415(loan_client, content_type):
    answer = loan_client.request(
        "POST", "/v1/predict", body=json.dumps(LOAN).encode(), content_type=content_type
    )
    check(answer, 415, error("unsupported_media_type"))


TOO_LARGE = error(
    "payload_too_large", f"The request body is larger than {TEST_SETTINGS.MAX_BODY_BYTES} bytes."
)


def big_body() -> bytes:
    return json.dumps({"instances": [LOAN] * 40}).encode()  # > 4096 bytes


def test_body_over_the_limit_is_413(loan_client):
    check(loan_client.request("POST", "/v1/predict/batch", body=big_body()), 413, TOO_LARGE)


def test_chunked_body_over_the_limit_is_413(loan_client):
    body = big_body()
    chunks = [body[i : i + 1000] for i in range(0, len(body), 1000)]
    check(loan_client.request("POST", "/v1/predict/batch", body=chunks), 413, TOO_LARGE)


def test_chunked_body_within_the_limit_is_read_whole(loan_client):
    body = json.dumps({"instances": [LOAN, LOAN]}).encode()
    answer = loan_client.request("POST", "/v1/predict/batch", body=[body[:50], body[50:]])
    assert answer.status == 200, answer
    assert len(answer.json()["predictions"]) == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The request body is empty; send one JSON object."),
        (b'{"age": NaN}', "NaN is not a JSON number; send finite numbers only."),
        (b'{"age": Infinity}', "Infinity is not a JSON number; send finite numbers only."),
        (b'{"home_ownership": "\xff"}', "The request body is not valid UTF-8 (byte 20)."),
        (b'{"age": 35, "age": 36}', "The key 'age' appears more than once in one object."),
        (b'{"age": ' + b"1" * 41 + b"}", "A number has more than 40 characters."),
        (b"[1, 2]", "The request body must be a JSON object, not an array."),
        (b'"text"', "The request body must be a JSON object, not a string."),
        (b'{"a": ' + b"[" * 40 + b"]" * 40 + b"}", "The request body is nested more than 32 levels deep."),
        (b'{"a": ' + b"[" * 100000 + b"]" * 100000 + b"}", None),  # over the limit → 413 first
        (b'{"age": 35', "The request body is not valid JSON: Expecting ',' delimiter at line 1, column 11."),
    ],
)
def test_malformed_json_is_400(loan_client, body, message):
    answer = loan_client.request("POST", "/v1/predict", body=body)
    if message is None:
        check(answer, 413, TOO_LARGE)
    else:
        check(answer, 400, error("invalid_json", message))


def test_deep_nesting_within_the_limit_is_400_not_500(loan_client):
    body = b"[" * 2000 + b"]" * 2000
    answer = loan_client.request("POST", "/v1/predict", body=body)
    check(answer, 400, error("invalid_json", "The request body is nested more than 32 levels deep."))


@pytest.mark.parametrize(
    ("record", "details"),
    [
        (
            {k: v for k, v in LOAN.items() if k != "income"},
            [{"loc": ["income"], "msg": "Field required", "type": "missing"}],
        ),
        (
            {**LOAN, "age": "35"},
            [{"loc": ["age"], "msg": "Input should be a valid integer", "type": "int_type"}],
        ),
        (
            {**LOAN, "age": 17},
            [
                {
                    "loc": ["age"],
                    "msg": "Input should be greater than or equal to 18",
                    "type": "greater_than_equal",
                }
            ],
        ),
        (
            {**LOAN, "loan_amount": 0},
            [{"loc": ["loan_amount"], "msg": "Input should be greater than 0", "type": "greater_than"}],
        ),
        (
            {**LOAN, "home_ownership": "castle"},
            [
                {
                    "loc": ["home_ownership"],
                    "msg": "Input should be 'rent', 'own' or 'mortgage'",
                    "type": "literal_error",
                }
            ],
        ),
        (
            {**LOAN, "pet": "cat"},
            [{"loc": ["pet"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}],
        ),
    ],
)
def test_invalid_record_is_422(loan_client, record, details):
    answer = loan_client.request("POST", "/v1/predict", body=json.dumps(record).encode())
    check(answer, 422, error("validation_error", details=details))


@pytest.mark.parametrize(
    ("batch", "details"),
    [
        ({}, [{"loc": ["instances"], "msg": "Field required", "type": "missing"}]),
        (
            {"instances": {}},
            [{"loc": ["instances"], "msg": "Input should be a valid list", "type": "list_type"}],
        ),
        (
            {"instances": []},
            [
                {
                    "loc": ["instances"],
                    "msg": "List should have at least 1 item after validation, not 0",
                    "type": "too_short",
                }
            ],
        ),
        (
            {"instances": [LOAN] * 6},
            [
                {
                    "loc": ["instances"],
                    "msg": "List should have at most 5 items after validation, not 6",
                    "type": "too_long",
                }
            ],
        ),
        (
            {"instances": [LOAN, {**LOAN, "credit_score": 900}]},
            [
                {
                    "loc": ["instances", 1, "credit_score"],
                    "msg": "Input should be less than or equal to 850",
                    "type": "less_than_equal",
                }
            ],
        ),
    ],
)
def test_invalid_batch_is_422(loan_client, batch, details):
    answer = loan_client.request("POST", "/v1/predict/batch", body=json.dumps(batch).encode())
    check(answer, 422, error("validation_error", details=details))


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type_and_status"),
    [
        ("POST", "/nope", b"x" * 10000, ("text/plain", 404)),  # 404 before 405, 415, 413
        ("PUT", "/v1/predict", b"x" * 10000, ("text/plain", 405)),  # 405 before 415, 413
        ("POST", "/v1/predict", b"x" * 10000, ("text/plain", 415)),  # 415 before 413
        ("POST", "/v1/predict", b"[" * 10000, ("application/json", 413)),  # 413 before 400
        ("POST", "/v1/predict", b'{"age": 1, "age": 2}', ("application/json", 400)),  # 400 before 422
    ],
)
def test_order_of_checks(loan_client, method, path, body, content_type_and_status):
    content_type, status = content_type_and_status
    assert loan_client.request(method, path, body=body, content_type=content_type).status == status


@pytest.fixture(scope="module", params=FRONT_ENDS)
def unloaded_client(request, tmp_path_factory) -> Iterator[Client]:
    """A server whose model is missing: it starts, and answers 503 wherever the model is needed."""
    missing = tmp_path_factory.mktemp("missing") / "gone.joblib"
    settings = load_settings(
        {"SERVEBENCH_MODEL": str(missing), "SERVEBENCH_MAX_BATCH": "5", "SERVEBENCH_MAX_BODY_BYTES": "4096"}
    )
    yield from open_client(request.param, None, settings)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/health/ready"),
        ("GET", "/health"),
        ("GET", "/v1/model"),
        ("GET", "/openapi.json"),
        ("POST", "/v1/predict"),
        ("POST", "/v1/predict/batch"),
    ],
)
def test_model_unavailable_is_503(unloaded_client, tmp_path_factory, method, path):
    answer = unloaded_client.request(method, path, body=json.dumps(LOAN).encode())
    assert answer.status == 503, answer
    body = answer.json()
    assert body["error"]["code"] == "model_unavailable"
    assert body["error"]["message"].startswith("No model manifest at ")
    assert body["error"]["message"].endswith(
        "gone.manifest.json; retrain it with `make models` (built-in) or re-export it and run `python -m shared_model.byom`."
    )
    assert body["error"]["details"] == []


def test_unloaded_server_is_live(unloaded_client):
    answer = unloaded_client.request("GET", "/health/live")
    assert (answer.status, answer.json()) == (200, {"status": "live"})


class ExplodingPredictor(Predictor):
    """A real model whose predict fails the way a bug would."""

    def predict(self, rows):
        raise RuntimeError("secret internals")


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_unexpected_exception_is_500_without_traceback(front_end, loan: Predictor, caplog):
    exploding = ExplodingPredictor(loan.model, loan.spec, loan.manifest)
    for client in open_client(front_end, exploding):
        answer = client.request(
            "POST", "/v1/predict", body=json.dumps(LOAN).encode(), headers={"X-Request-ID": "boom-1"}
        )
        check(answer, 500, error("internal_error", "The server failed to answer this request."))
        assert answer.header("x-request-id") == "boom-1"
        assert b"secret" not in answer.body
        assert any("boom-1" in record.getMessage() and record.exc_info for record in caplog.records)
        assert client.request("GET", "/health/live").status == 200  # the worker lives on


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_cors_when_origins_are_set(front_end, loan: Predictor):
    settings = load_settings({"SERVEBENCH_CORS_ORIGINS": "https://ok.example", "SERVEBENCH_MAX_BATCH": "5"})
    for client in open_client(front_end, loan, settings):
        allowed = client.request("GET", "/health/live", headers={"Origin": "https://ok.example"})
        assert allowed.header("access-control-allow-origin") == "https://ok.example"
        other = client.request("GET", "/health/live", headers={"Origin": "https://evil.example"})
        assert other.header("access-control-allow-origin") is None
        preflight = client.request(
            "OPTIONS",
            "/v1/predict",
            content_type=None,
            headers={"Origin": "https://ok.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status == 200
        assert "POST" in (preflight.header("access-control-allow-methods") or "")
        # The shared header lists and max age, whatever each framework adds to them.
        allowed_headers = (preflight.header("access-control-allow-headers") or "").lower().split(", ")
        assert {name.lower() for name in CORS_ALLOWED_HEADERS} <= set(allowed_headers)
        assert preflight.header("access-control-max-age") == str(CORS_MAX_AGE_SECONDS)
        exposed = (allowed.header("access-control-expose-headers") or "").lower().split(", ")
        assert exposed == [name.lower() for name in CORS_EXPOSED_HEADERS]


def test_a_lone_prediction_stamped_long_ago_is_served(loan_client):
    """nginx stamps what it hands on (`X-Request-Start`); a prediction with nothing else in flight in its worker
    waited on a slow host, not behind a queue, so it is served however late (tests/http/test_standing_queue.py: a
    late one beside others is refused)."""
    body = json.dumps(LOAN).encode()
    late = f"t={time.time() - 1:.3f}"
    assert (
        loan_client.request("POST", "/v1/predict", body=body, headers={"X-Request-Start": late}).status == 200
    )
