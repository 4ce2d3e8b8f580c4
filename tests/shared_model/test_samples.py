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
