"""ServedModel: what every server process holds, a loaded model or the reason it is not loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared_model import ModelUnavailable, Predictor, ServedModel, Validator


def test_a_loaded_model_comes_with_its_validator_and_document(loan: Predictor) -> None:
    served = ServedModel.load("loan", 7, loan)
    predictor, validator = served.require()
    assert predictor is loan
    assert validator.max_batch == 7
    assert served.openapi is not None
    assert served.openapi["paths"].keys() >= {"/v1/predict", "/v1/predict/batch"}
    assert served.load_error is None


def test_a_missing_model_is_kept_as_the_reason_and_raised_on_use(tmp_path: Path) -> None:
    served = ServedModel.load(str(tmp_path / "absent"), 10)
    assert served.predictor is None
    assert served.load_error
    with pytest.raises(ModelUnavailable) as raised:
        served.require()
    assert raised.value.message == served.load_error


def test_a_fitting_validator_is_kept_and_an_unfitting_one_replaced(loan: Predictor) -> None:
    fitting = Validator(loan.spec, 10)
    assert ServedModel.load("loan", 10, loan, fitting).validator is fitting
    replaced = ServedModel.load("loan", 20, loan, fitting).validator
    assert replaced is not fitting
    assert replaced is not None
    assert replaced.max_batch == 20
