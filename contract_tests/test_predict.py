"""Predictions: every front end answers exactly what shared_model answers, single and batch, bit for bit."""

from __future__ import annotations

import pytest
from hypothesis import given

from contract_tests.checks import check_batch, check_prediction
from contract_tests.fleet import predictor_for
from contract_tests.golden import batch_strategy, edge_records, fixed_records, random_records, record_strategy

COMPOSITION_POOL = 200  # rows in one batch: enough that some row's floats differ from its batch-of-one answer
COMPOSITION_SEED = 5


@pytest.mark.clause("predict.fixed")
def test_fixed_records(client, reference):
    spec = predictor_for(client.model).spec
    records = fixed_records(spec) if client.mode == "live" else fixed_records(spec) + edge_records(spec)
    for record in records:
        check_prediction(client, reference, record)


@pytest.mark.clause("predict.golden")
def test_golden_records(client, reference, golden_settings):
    @golden_settings
    @given(record=record_strategy(predictor_for(client.model).spec))
    def predicts_exactly(record):
        check_prediction(client, reference, record)

    predicts_exactly()


@pytest.mark.clause("predict.batch")
def test_golden_batches(client, reference, golden_settings):
    @golden_settings
    @given(records=batch_strategy(predictor_for(client.model).spec))
    def predicts_batch_exactly(records):
        check_batch(client, reference, records)

    predicts_batch_exactly()


@pytest.mark.clause("predict.batch")
def test_batch_is_one_call_with_its_own_composition(client, reference):
    # In a 200-row batch some loan rows get floats a few ULP away from their batch-of-one answer (BLAS picks
    # other kernels); a front end must return the batch's own floats, and the single answers for singles.
    records = random_records(predictor_for(client.model).spec, COMPOSITION_POOL, COMPOSITION_SEED)
    check_batch(client, reference, records)
    for record in records[:3]:
        check_prediction(client, reference, record)
