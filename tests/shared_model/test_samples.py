"""Generated records are valid, reproducible, and reach each feature's bounds."""

from __future__ import annotations

from shared_model import Predictor, Validator
from shared_model.samples import sample_records


def test_generated_records_are_valid_and_reproducible(predictor: Predictor) -> None:
    records = sample_records(predictor.spec, 300, seed=4)
    assert records == sample_records(predictor.spec, 300, seed=4)
    assert records != sample_records(predictor.spec, 300, seed=5)
    Validator(predictor.spec, max_batch=300).validate_records(records)
    for feature in predictor.spec.features:
        values = [record[feature.name] for record in records]
        if feature.minimum is not None:
            assert min(values) == feature.minimum
        if feature.maximum is not None:
            assert max(values) == feature.maximum
        if feature.enum is not None:
            assert set(values) == set(feature.enum)


def test_an_open_ended_feature_stays_near_its_example(loan: Predictor) -> None:
    open_ended = [f for f in loan.spec.features if f.maximum is None and f.exclusive_maximum is None]
    open_ended = [f for f in open_ended if isinstance(f.example, int | float)]
    assert open_ended, "the loan spec has open-ended numeric features"
    records = sample_records(loan.spec, 200, seed=1)
    for feature in open_ended:
        assert isinstance(feature.example, int | float)
        values = [float(record[feature.name]) for record in records]
        assert max(values) <= max(2 * abs(feature.example), 1.0) + abs(feature.example) + 1
