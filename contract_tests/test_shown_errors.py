"""Streamlit has no status codes: an invalid record or CSV row must be refused with the validator's own messages."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from contract_tests.checks import expect
from contract_tests.fleet import predictor_for
from shared_model import FieldError, ModelSpec, ValidationFailed, Validator


@pytest.mark.clause("errors.shown")
def test_missing_feature_is_shown_with_the_validator_message(client):
    spec = predictor_for(client.model).spec
    record = dict(spec.example_record())
    first = spec.features[0].name
    del record[first]
    reply = client.predict(record)
    expect(reply.status == 422, "a record without a required feature was predicted", reply)
    for detail in _details(spec, record):
        expect(
            f"`{first}`" in reply.content.decode() and detail["msg"] in reply.content.decode(),
            f"{detail} not shown",
            reply,
        )


@pytest.mark.clause("errors.shown")
def test_bad_csv_row_is_shown(client):
    spec = predictor_for(client.model).spec
    good = dict(spec.example_record())
    bad = {key: value for key, value in good.items() if key != spec.features[0].name}
    reply = client.predict_batch([good, bad, good])
    expect(reply.status == 422, "a CSV with a bad row was shown without an error", reply)
    expect("1 of 3 rows rejected" in reply.content.decode(), "the rejected row is not counted", reply)


def _details(spec: ModelSpec, record: Mapping[str, object]) -> list[FieldError]:
    try:
        Validator(spec, max_batch=1).validate_record(record)
    except ValidationFailed as failure:
        return failure.details
    raise AssertionError("the record should be invalid")
