"""Prediction: one vectorised call, values equal to scikit-learn's bit for bit, safe from many threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from shared_model import Predictor, Row, Validator
from shared_model.samples import sample_records


def raw_output(predictor: Predictor, rows: list[Row]) -> np.ndarray:
    """What the scikit-learn pipeline itself returns for these rows."""
    matrix = predictor._matrix(rows)
    method = predictor.model.predict_proba if predictor.is_classifier else predictor.model.predict
    return np.asarray(method(matrix))


def test_batch_prediction_equals_the_raw_pipeline_bit_for_bit(predictor: Predictor) -> None:
    validator = Validator(predictor.spec, max_batch=1000)
    rows = validator.validate_records(sample_records(predictor.spec, 200))
    predictions = predictor.predict(rows)
    expected = raw_output(predictor, rows)
    if predictor.is_classifier:
        got = np.array([[p.probabilities[str(c)] for c in predictor.classes] for p in predictions])  # type: ignore[index]
        labels = np.asarray(predictor.model.classes_)[expected.argmax(axis=1)].tolist()
        assert [p.prediction for p in predictions] == labels
    else:
        got = np.array([p.prediction for p in predictions])
    assert got.tobytes() == expected.tobytes()


def test_single_row_is_a_batch_of_one(predictor: Predictor) -> None:
    row = Validator(predictor.spec, 1).validate_record(predictor.spec.example_record())
    single = predictor.predict_one(row)
    expected = raw_output(predictor, [row])[0]
    if predictor.is_classifier:
        assert single.probabilities is not None
        assert np.array(list(single.probabilities.values())).tobytes() == expected.tobytes()
        assert list(single.probabilities) == [str(label) for label in predictor.classes]
    else:
        assert np.float64(single.prediction).tobytes() == np.float64(expected).tobytes()
        assert single.as_dict() == {"prediction": single.prediction}


def test_classifier_answers_are_plain_python_values(loan: Predictor) -> None:
    row = Validator(loan.spec, 1).validate_record(loan.spec.example_record())
    answer = loan.predict_one(row).as_dict()
    assert type(answer["prediction"]) is str
    assert all(type(p) is float for p in answer["probabilities"].values())
    assert abs(sum(answer["probabilities"].values()) - 1) < 1e-12


def test_eight_threads_predict_exactly_as_one(predictor: Predictor) -> None:
    validator = Validator(predictor.spec, max_batch=1000)
    rows = validator.validate_records(sample_records(predictor.spec, 64, seed=2))
    serial = [predictor.predict([row]) for row in rows] + [
        predictor.predict(rows[i : i + 8]) for i in range(0, 64, 8)
    ]
    jobs = [[row] for row in rows] + [rows[i : i + 8] for i in range(0, 64, 8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(3):
            assert list(pool.map(predictor.predict, jobs)) == serial


def test_model_card_has_the_contract_keys(loan: Predictor, diabetes: Predictor) -> None:
    card = loan.model_card()
    assert list(card) == ["name", "version", "sha256", "task", "runtime", "classes", "metrics", "features"]
    assert card["runtime"] == "sklearn"
    assert (card["name"], card["version"], card["task"], card["classes"]) == (
        "loan",
        "1.0.0",
        "classification",
        ["approved", "denied"],
    )
    assert card["sha256"] == loan.manifest.sha256
    assert len(card["sha256"]) == 64
    assert card["features"] == loan.spec.card_features()
    assert "classes" not in diabetes.model_card()
