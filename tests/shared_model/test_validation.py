"""Validation generated from the spec: every rule, for single records and batches, with exact error lists."""

from __future__ import annotations

from typing import Any

import pytest

from shared_model import ValidationFailed, Validator
from shared_model.spec import parse_spec
from tests.conftest import LOAN_RECORD as GOOD


def errors_of(call: Any, *args: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationFailed) as caught:
        call(*args)
    assert caught.value.status == 422
    assert caught.value.code == "validation_error"
    return caught.value.details


def test_a_good_record_becomes_a_row_in_spec_order(loan_validator: Validator) -> None:
    record = dict(reversed(GOOD.items()))
    assert loan_validator.validate_record(record) == (35, 58000.0, 690, 4.5, 15000.0, "rent")


def test_integers_are_accepted_for_number_fields_as_floats(loan_validator: Validator) -> None:
    row = loan_validator.validate_record({**GOOD, "income": 58000, "loan_amount": 1})
    assert row[1] == 58000.0
    assert isinstance(row[1], float)


def test_a_float_without_fraction_is_an_integer(loan_validator: Validator) -> None:
    row = loan_validator.validate_record({**GOOD, "age": 35.0, "credit_score": 690.0})
    assert row[0] == 35
    assert type(row[0]) is int
    assert type(row[2]) is int


def test_bounds_are_inclusive_unless_exclusive(loan_validator: Validator) -> None:
    assert loan_validator.validate_record({**GOOD, "age": 18, "credit_score": 850, "employment_years": 0})
    assert loan_validator.validate_record({**GOOD, "loan_amount": 5e-324})


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("age", 17, ("greater_than_equal", "Input should be greater than or equal to 18")),
        ("age", 101, ("less_than_equal", "Input should be less than or equal to 100")),
        ("age", 35.5, ("int_type", "Input should be a valid integer")),
        ("age", float("inf"), ("int_type", "Input should be a valid integer")),
        ("age", "35", ("int_type", "Input should be a valid integer")),
        ("age", True, ("int_type", "Input should be a valid integer")),
        ("age", None, ("int_type", "Input should be a valid integer")),
        ("income", -0.01, ("greater_than_equal", "Input should be greater than or equal to 0")),
        ("income", "58000", ("float_type", "Input should be a valid number")),
        ("income", False, ("float_type", "Input should be a valid number")),
        ("income", None, ("float_type", "Input should be a valid number")),
        ("income", float("nan"), ("finite_number", "Input should be a finite number")),
        ("income", float("inf"), ("finite_number", "Input should be a finite number")),
        ("income", float("-inf"), ("finite_number", "Input should be a finite number")),
        ("income", [1.0], ("float_type", "Input should be a valid number")),
        ("loan_amount", 0, ("greater_than", "Input should be greater than 0")),
        ("loan_amount", -5.0, ("greater_than", "Input should be greater than 0")),
        ("employment_years", 60.5, ("less_than_equal", "Input should be less than or equal to 60")),
        ("home_ownership", "Rent", ("literal_error", "Input should be 'rent', 'own' or 'mortgage'")),
        ("home_ownership", "rent ", ("literal_error", "Input should be 'rent', 'own' or 'mortgage'")),
        ("home_ownership", "renṫ", ("literal_error", "Input should be 'rent', 'own' or 'mortgage'")),
        ("home_ownership", 1, ("literal_error", "Input should be 'rent', 'own' or 'mortgage'")),
    ],
)
def test_each_rule_gives_one_exact_error(
    loan_validator: Validator, field: str, value: Any, error: Any
) -> None:
    kind, message = error
    expected = [{"loc": [field], "msg": message, "type": kind}]
    assert errors_of(loan_validator.validate_record, {**GOOD, field: value}) == expected
    batch = {"instances": [GOOD, GOOD, GOOD, {**GOOD, field: value}]}
    assert errors_of(loan_validator.validate_batch, batch) == [
        {**expected[0], "loc": ["instances", 3, field]}
    ]


def test_missing_and_unknown_fields_are_listed_together(loan_validator: Validator) -> None:
    record = {key: value for key, value in GOOD.items() if key != "age"} | {"colour": "red"}
    assert errors_of(loan_validator.validate_record, record) == [
        {"loc": ["age"], "msg": "Field required", "type": "missing"},
        {"loc": ["colour"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"},
    ]


def test_a_record_must_be_an_object(loan_validator: Validator) -> None:
    assert errors_of(loan_validator.validate_record, [GOOD]) == [
        {"loc": [], "msg": "Input should be an object", "type": "model_type"}
    ]


def test_every_bad_record_of_a_batch_is_reported(loan_validator: Validator) -> None:
    batch = {"instances": [{**GOOD, "age": 10}, GOOD, {**GOOD, "income": "x"}]}
    assert [error["loc"] for error in errors_of(loan_validator.validate_batch, batch)] == [
        ["instances", 0, "age"],
        ["instances", 2, "income"],
    ]


@pytest.mark.parametrize(
    ("batch", "error"),
    [
        ({"instances": []}, ("too_short", "List should have at least 1 item after validation, not 0")),
        ({"instances": [GOOD] * 4}, ("too_long", "List should have at most 3 items after validation, not 4")),
        ({}, ("missing", "Field required")),
        ({"instances": GOOD}, ("list_type", "Input should be a valid list")),
        ({"instances": None}, ("list_type", "Input should be a valid list")),
        ({"instances": "[]"}, ("list_type", "Input should be a valid list")),
    ],
)
def test_batch_shape_errors_point_at_instances(loan_validator: Validator, batch: Any, error: Any) -> None:
    small = Validator(loan_validator.spec, max_batch=3)
    kind, message = error
    assert errors_of(small.validate_batch, batch) == [{"loc": ["instances"], "msg": message, "type": kind}]


def test_unknown_top_level_batch_keys_are_rejected(loan_validator: Validator) -> None:
    assert errors_of(loan_validator.validate_batch, {"instances": [GOOD], "extra": 1}) == [
        {"loc": ["extra"], "msg": "Extra inputs are not permitted", "type": "extra_forbidden"}
    ]


def test_a_good_batch_gives_rows_in_order(loan_validator: Validator) -> None:
    second = {**GOOD, "age": 60, "home_ownership": "own"}
    rows = loan_validator.validate_batch({"instances": [GOOD, second]})
    assert rows == [(35, 58000.0, 690, 4.5, 15000.0, "rent"), (60, 58000.0, 690, 4.5, 15000.0, "own")]
    assert loan_validator.validate_records([GOOD, second]) == rows


def test_booleans_optional_fields_and_awkward_names() -> None:
    spec = parse_spec(
        {
            "name": "odd",
            "version": "1",
            "task": "regression",
            "features": [
                {"name": "sepal length (cm)", "type": "number"},
                {"name": "model_flag", "type": "boolean"},
                {"name": "extra", "type": "number", "required": False},
            ],
        }
    )
    validator = Validator(spec, max_batch=10)
    assert validator.validate_record({"sepal length (cm)": 1.5, "model_flag": True}) == (1.5, True, None)
    assert errors_of(
        validator.validate_record, {"sepal length (cm)": 1.5, "model_flag": 1, "extra": None}
    ) == [
        {"loc": ["model_flag"], "msg": "Input should be a valid boolean", "type": "bool_type"},
        {"loc": ["extra"], "msg": "Input should be a valid number", "type": "float_type"},
    ]
