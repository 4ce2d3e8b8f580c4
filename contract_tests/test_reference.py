"""The suite's own ground: the catalogue agrees with shared_model, and batch composition is a known effect."""

from __future__ import annotations

import math

import pytest

from contract_tests.cases import bad_cases, good_cases
from contract_tests.checks import ContractViolation
from contract_tests.exactness import expect_within
from contract_tests.fleet import predictor_for, settings_for
from contract_tests.golden import random_records
from contract_tests.reference import ReferenceFrontEnd
from contract_tests.test_predict import COMPOSITION_POOL, COMPOSITION_SEED
from shared_model import BUILTIN_MODELS, Validator
from shared_model.exactness import deviation

MIN_CASES = 40
# How far a row's batch-of-one floats may lie from its in-batch floats, in machine epsilons at the value's scale
# (at least 1): measured 1.0 on loan. Counted in ULPs instead, a small probability computed as 1 - p inherits
# p's rounding at p's scale and lies hundreds of its own ULPs away (256 seen on one CPU, 13 on another).
MAX_EPSILONS_APART = 16


@pytest.mark.parametrize("model", BUILTIN_MODELS)
def test_catalogue_is_what_shared_model_answers(model):
    reference = ReferenceFrontEnd(predictor_for(model), settings_for(model))
    cases = bad_cases(reference.predictor.spec, reference.settings)
    assert len(cases) >= MIN_CASES
    assert len({case.name for case in cases}) == len(cases), "case names are test ids: they must be unique"
    for case in cases:
        reply = reference.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        error = reply.json()["error"]
        locs = tuple(tuple(detail["loc"]) for detail in error["details"])
        assert (reply.status, error["code"], locs) == (case.status, case.code, case.locs), case
    for good in good_cases(reference.predictor.spec, reference.settings):
        assert reference.request("POST", good.path, good.body, good.headers).status == 200, good


@pytest.mark.parametrize("model", BUILTIN_MODELS)
def test_batch_composition_changes_only_the_last_bits(model):
    predictor = predictor_for(model)
    validator = Validator(predictor.spec, max_batch=COMPOSITION_POOL)
    rows = validator.validate_records(random_records(predictor.spec, COMPOSITION_POOL, COMPOSITION_SEED))
    in_batch = predictor.predict(rows)
    alone = [predictor.predict_one(row) for row in rows]
    apart = deviation(alone, in_batch)
    assert apart.labels_differing == 0
    assert apart.max_epsilons <= MAX_EPSILONS_APART
    if model == "loan":
        # The effect the contract documents: the same row, other floats, depending on its batch. A front end
        # that predicts a batch row by row is caught by test_batch_is_one_call_with_its_own_composition.
        assert apart.max_epsilons > 0
    else:
        assert apart.identical  # gradient-boosted trees add per-row constants: no BLAS, no effect


def test_exactness_fails_a_missing_float_or_another_label_and_counts_rows_one_ulp_off():
    want = [
        {"prediction": "yes", "probabilities": {"no": 0.25, "yes": 0.75}},
        {"prediction": "no", "probabilities": {"no": 0.75, "yes": 0.25}},
    ]
    nudged = [want[0], {**want[1], "probabilities": {"yes": 0.25, "no": math.nextafter(0.75, 1.0)}}]
    found = expect_within(nudged, want, 1.0, "one ULP off")  # keyed by class, whatever the order
    assert (found.rows_differing, found.measured.max_ulps, found.label_mismatches) == (1, 1, ())
    with pytest.raises(ContractViolation, match="past the bound"):
        expect_within(nudged, want, 0.0, "no ULP allowed")
    with pytest.raises(ContractViolation, match="past the bound"):
        expect_within([want[0], {"prediction": "no", "probabilities": {"no": 0.75}}], want, 16.0, "missing")
    with pytest.raises(ContractViolation, match=r"record 1: 'yes' != 'no'"):
        expect_within([want[0], {**want[1], "prediction": "yes"}], want, 16.0, "label")
    regressor = expect_within([{"prediction": 150}], [{"prediction": 150.0}], 0.0, "an integral value")
    assert regressor.measured.identical
