"""Open Inference Protocol v2 in shared_model: paths, the error body, metadata, and tensors to rows and back."""

from __future__ import annotations

import pytest

from shared_model import ValidationFailed, Validator, load_model
from shared_model.admission import is_limited
from shared_model.errors import NotFound, PayloadTooLarge
from shared_model.oip import (
    DATATYPES,
    check_model,
    error_body_for,
    error_text,
    is_json_body,
    is_oip_path,
    model_metadata,
)
from shared_model.oip_tensors import infer_body, read_request
from shared_model.proxy import ProxyPlan, nginx_config
from shared_model.settings import load_settings


@pytest.fixture(scope="module")
def loan():
    return load_model("loan")


def _request(rows: list[dict[str, object]], spec) -> dict[str, object]:
    return {
        "inputs": [
            {
                "name": f.name,
                "shape": [len(rows)],
                "datatype": DATATYPES[f.type][0],
                "data": [row[f.name] for row in rows],
            }
            for f in spec.features
        ]
    }


@pytest.mark.parametrize(
    ("path", "oip", "limited"),
    [
        ("/v2", True, False),
        ("/v2/models/loan/infer", True, True),
        ("/v2/models/any-name/infer", True, True),
        ("/v2/models/a/b/infer", True, False),
        ("/v2/models/loan", True, False),
        ("/v2x", False, False),
        ("/v1/predict", False, True),
    ],
)
def test_paths(path: str, oip: bool, limited: bool) -> None:
    assert (is_oip_path(path), is_limited(path)) == (oip, limited)


def test_error_body_by_path_keeps_code_and_places() -> None:
    error = ValidationFailed(
        details=[{"loc": ["inputs", 0, "data", 2], "msg": "Input should be 1", "type": "x"}]
    )
    assert error_body_for("/v2/models/loan/infer", error) == {
        "error": "validation_error: The request does not match the model's feature spec. "
        "[inputs.0.data.2: Input should be 1]"
    }
    assert error_body_for("/v1/predict", error) == error.body()
    assert (
        error_text(PayloadTooLarge.over(10)) == "payload_too_large: The request body is larger than 10 bytes."
    )


def test_untyped_body_is_json_typed_must_be_json() -> None:
    assert is_json_body(None)
    assert is_json_body("")
    assert is_json_body("application/json; charset=utf-8")
    assert not is_json_body("text/plain")
    assert not is_json_body("application/octet-stream")


def test_metadata_from_the_spec(loan) -> None:
    metadata = model_metadata(loan)
    assert [(i["name"], i["datatype"], i["shape"]) for i in metadata["inputs"]] == [
        ("age", "INT64", [-1]),
        ("income", "FP64", [-1]),
        ("credit_score", "INT64", [-1]),
        ("employment_years", "FP64", [-1]),
        ("loan_amount", "FP64", [-1]),
        ("home_ownership", "BYTES", [-1]),
    ]
    assert metadata["outputs"] == [
        {"name": "predict", "datatype": "BYTES", "shape": [-1, 1]},
        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]},
    ]
    with pytest.raises(NotFound):
        check_model(loan, "diabetes")


def test_tensors_to_rows_and_back_exactly(loan) -> None:
    example = dict(loan.spec.example_record())
    rows = [example, {**example, "age": 60, "home_ownership": "own"}]
    validator = Validator(loan.spec, 10)
    inference = read_request(_request(rows, loan.spec), loan, validator)
    assert inference.rows == validator.validate_records(rows)
    predictions = loan.predict(inference.rows)
    body = infer_body(loan, inference, predictions)
    assert body["outputs"][0]["data"] == [p.prediction for p in predictions]
    assert body["outputs"][1]["data"] == [v for p in predictions for v in (p.probabilities or {}).values()]
    assert body["outputs"][1]["shape"] == [2, 2]


def test_a_bad_value_is_located_in_its_tensor(loan) -> None:
    example = dict(loan.spec.example_record())
    request = _request([example, {**example, "credit_score": 900}], loan.spec)
    with pytest.raises(ValidationFailed) as refused:
        read_request(request, loan, Validator(loan.spec, 10))
    assert [detail["loc"] for detail in refused.value.details] == [["inputs", 2, "data", 1]]


def test_nginx_answers_the_protocol_in_its_shape(tmp_path) -> None:
    settings = load_settings({})
    config = nginx_config(ProxyPlan.from_settings(settings, 5000, tmp_path), as_root=False)
    assert "v2/models/[^/]+/infer" in config  # infer is a prediction: limited like /v1/predict
    assert '{"error":"overloaded: ' in config
    assert '"~^/v2(/|$)" \'{"error":"payload_too_large: ' in config  # 413 and 502 answers too
    assert '"~^/v2(/|$)" \'{"error":"server_unavailable: ' in config
    assert "if (" not in config
