"""CSV batches: typing cells per the spec, every file, column and row problem, and an exact CSV answer."""

from __future__ import annotations

import csv
import io
import struct

import pytest

from shared_model import Predictor, Validator
from shared_model.errors import FieldError, problem_place
from shared_model.spec import parse_spec
from shared_model.tabular import (
    PredictionTable,
    check_csv,
    prediction_table,
    predictions_csv,
    problems_frame,
    read_csv,
)
from tests.conftest import LOAN_RECORD

HEADER = "age,income,credit_score,employment_years,loan_amount,home_ownership"
GOOD_LINE = "35,58000.0,690,4.5,15000.0,rent"


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


def test_cells_are_typed_per_feature_with_round_trip_floats(loan: Predictor) -> None:
    data = csv_bytes(
        HEADER, "35,73512.123456789,690,0.1,5e-324,own", "18,1e5,850,60,1.7976931348623157e308,mortgage"
    )
    table = read_csv(data, loan.spec, max_rows=10)
    assert table.problems == []
    assert table.records == [
        {
            "age": 35,
            "income": 73512.123456789,
            "credit_score": 690,
            "employment_years": 0.1,
            "loan_amount": 5e-324,
            "home_ownership": "own",
        },
        {
            "age": 18,
            "income": 100000.0,
            "credit_score": 850,
            "employment_years": 60.0,
            "loan_amount": 1.7976931348623157e308,
            "home_ownership": "mortgage",
        },
    ]
    first = table.records[0]
    assert first is not None
    assert bits(first["income"]) == bits(float("73512.123456789"))  # type: ignore[arg-type]
    assert isinstance(first["age"], int)
    assert isinstance(table.records[1]["employment_years"], float)  # type: ignore[index]


def test_a_utf8_bom_and_crlf_line_ends_are_read(loan: Predictor) -> None:
    data = ("\ufeff" + HEADER + "\r\n" + GOOD_LINE + "\r\n").encode()
    assert read_csv(data, loan.spec, max_rows=10).records == [LOAN_RECORD]  # GOOD_LINE is that record


@pytest.mark.parametrize(
    ("data", "problems"),
    [
        (
            b"\xff\xfe",
            [{"loc": ["file"], "msg": "The file is not UTF-8 text (byte 0).", "type": "csv_encoding"}],
        ),
        (
            b"\n\n",
            [
                {
                    "loc": ["file"],
                    "msg": "The file is empty; it needs a header row of feature names.",
                    "type": "csv_empty",
                }
            ],
        ),
        (
            csv_bytes(HEADER),
            [{"loc": ["file"], "msg": "The file has a header but no rows.", "type": "too_short"}],
        ),
        (
            csv_bytes(HEADER, GOOD_LINE, GOOD_LINE, GOOD_LINE),
            [
                {
                    "loc": ["file"],
                    "msg": "The file has 3 rows; at most 2 are predicted at once.",
                    "type": "too_long",
                }
            ],
        ),
        (
            csv_bytes(HEADER, '35,"58000.0"x,690,4.5,15000.0,rent'),
            [
                {
                    "loc": ["file"],
                    "msg": "The file is not valid CSV (line 2): ',' expected after '\"'.",
                    "type": "csv_syntax",
                }
            ],
        ),
    ],
)
def test_file_problems(loan: Predictor, data: bytes, problems: list[dict[str, object]]) -> None:
    table = read_csv(data, loan.spec, max_rows=2)
    assert table.problems == problems
    assert table.records == []


def test_good_rows_are_kept_and_every_bad_row_and_column_is_reported(loan_validator: Validator) -> None:
    data = csv_bytes(
        HEADER,
        GOOD_LINE,  # row 0: good
        "17,58000.0,690,4.5,15000.0,rent",  # row 1: out of range
        "35,lots,690,4.5,15000.0,rent",  # row 2: wrong type
        "35,58000.0,690,4.5,15000.0,Rent",  # row 3: unknown category (case matters)
        "35,,690,4.5,15000.0,rent",  # row 4: empty cell = missing
        "35,58000.0,690,4.5",  # row 5: too few cells
        "35.0,nan,700,1_0,0,own",  # row 6: integer written as float, NaN, underscores, exclusive bound
        "40,0.30000000000000004,300,0,1e-300,mortgage",  # row 7: good, at the bounds
    )
    checked = check_csv(data, loan_validator)
    assert checked.total == 8
    assert checked.rejected == 6
    assert checked.row_numbers == [0, 7]
    assert checked.rows == [
        (35, 58000.0, 690, 4.5, 15000.0, "rent"),
        (40, 0.30000000000000004, 300, 0.0, 1e-300, "mortgage"),
    ]
    assert checked.problems == [
        {
            "loc": ["row", 1, "age"],
            "msg": "Input should be greater than or equal to 18",
            "type": "greater_than_equal",
        },
        {"loc": ["row", 2, "income"], "msg": "Input should be a valid number", "type": "float_type"},
        {
            "loc": ["row", 3, "home_ownership"],
            "msg": "Input should be 'rent', 'own' or 'mortgage'",
            "type": "literal_error",
        },
        {"loc": ["row", 4, "income"], "msg": "Field required", "type": "missing"},
        {"loc": ["row", 5], "msg": "The row has 4 cells; the header has 6.", "type": "row_length"},
        {"loc": ["row", 6, "age"], "msg": "Input should be a valid integer", "type": "int_type"},
        {"loc": ["row", 6, "income"], "msg": "Input should be a valid number", "type": "float_type"},
        {
            "loc": ["row", 6, "employment_years"],
            "msg": "Input should be a valid number",
            "type": "float_type",
        },
        {"loc": ["row", 6, "loan_amount"], "msg": "Input should be greater than 0", "type": "greater_than"},
    ]


def test_column_problems_are_reported_once_and_spoil_every_row(loan_validator: Validator) -> None:
    header = "age,income,credit_score,employment_years,loan_amount,age,applicant_id"
    data = csv_bytes(header, "35,58000.0,690,4.5,15000.0,35,a1", "17,58000.0,690,4.5,15000.0,17,a2")
    checked = check_csv(data, loan_validator)
    assert (checked.total, checked.rows, checked.row_numbers) == (2, [], [])
    # Each row's own problems are still listed (the last `age` column wins), so one upload shows them all.
    assert checked.problems == [
        {"loc": ["column", "age"], "msg": "The column appears more than once.", "type": "duplicate_column"},
        {
            "loc": ["column", "applicant_id"],
            "msg": "Unknown column; the model's features are: age, income, credit_score, employment_years, "
            "loan_amount, home_ownership.",
            "type": "extra_forbidden",
        },
        {"loc": ["column", "home_ownership"], "msg": "Column required", "type": "missing"},
        # Row problems other than the missing column are still reported, so one upload shows them all.
        {
            "loc": ["row", 1, "age"],
            "msg": "Input should be greater than or equal to 18",
            "type": "greater_than_equal",
        },
    ]


def test_booleans_optional_features_and_odd_names() -> None:
    spec = parse_spec(
        {
            "name": "odd",
            "version": "1",
            "task": "regression",
            "features": [
                {"name": "sepal length, cm", "type": "number"},
                {"name": "flag", "type": "boolean"},
                {"name": "extra", "type": "number", "required": False},
            ],
        }
    )
    data = csv_bytes('"sepal length, cm",flag,extra', "1.5,true,", "2,FALSE,3", "2,yes,3")
    checked = check_csv(data, Validator(spec, max_batch=10))
    assert checked.rows == [(1.5, True, None), (2.0, False, 3.0)]
    assert checked.problems == [
        {"loc": ["row", 2, "flag"], "msg": "Input should be a valid boolean", "type": "bool_type"}
    ]


def test_predictions_csv_round_trips_every_float_exactly(loan: Predictor, loan_validator: Validator) -> None:
    data = csv_bytes(HEADER, "35,73512.123456789,690,0.1,5e-324,own", "bad,1,1,1,1,own", GOOD_LINE)
    checked = check_csv(data, loan_validator)
    predictions = loan.predict(checked.rows)
    table = prediction_table(loan.spec, checked, predictions, loan.classes)
    assert table.columns == (
        "age",
        "income",
        "credit_score",
        "employment_years",
        "loan_amount",
        "home_ownership",
        "prediction",
        "probability_approved",
        "probability_denied",
    )
    assert table.row_numbers == [0, 2]
    text = predictions_csv(table).decode()
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == list(table.columns)
    assert len(lines) == 3
    for line, row, prediction in zip(lines[1:], checked.rows, predictions, strict=True):
        assert line[:6] == [str(value) if not isinstance(value, float) else repr(value) for value in row]
        assert line[6] == prediction.prediction
        assert prediction.probabilities is not None
        read_back = [float(cell) for cell in line[7:]]
        expected = [prediction.probabilities["approved"], prediction.probabilities["denied"]]
        assert [bits(value) for value in read_back] == [bits(value) for value in expected]
    frame = table.frame()
    assert list(frame.index) == [0, 2]
    assert [bits(value) for value in frame["probability_approved"]] == [
        bits(p.probabilities["approved"])  # type: ignore[index]
        for p in predictions
    ]


def test_predictions_csv_writes_floats_with_repr_and_regressors_have_no_probabilities() -> None:
    awkward = [0.1 + 0.2, 5e-324, 1.7976931348623157e308, -0.0, 1e-05, 123456789.12345679]
    table = PredictionTable(
        ("x", "flag", "note", "prediction"),
        [0, 1],
        [(awkward[0], True, "a,b", 2.5), (None, False, 'q"', awkward[1])],
    )
    text = predictions_csv(table)
    assert text == b'x,flag,note,prediction\n0.30000000000000004,true,"a,b",2.5\n,false,"q""",5e-324\n'
    for value in awkward:
        one = PredictionTable(("prediction",), [0], [(value,)])
        cell = predictions_csv(one).decode().splitlines()[1]
        assert bits(float(cell)) == bits(value)


def test_regressor_table_has_inputs_and_prediction_only(diabetes: Predictor) -> None:
    record = diabetes.spec.example_record()
    line = ",".join(str(record[name]) for name in diabetes.spec.feature_names)
    checked = check_csv(csv_bytes(",".join(diabetes.spec.feature_names), line), Validator(diabetes.spec, 10))
    predictions = diabetes.predict(checked.rows)
    table = prediction_table(diabetes.spec, checked, predictions, diabetes.classes)
    assert table.columns == (*diabetes.spec.feature_names, "prediction")
    assert table.lines == [(*checked.rows[0], predictions[0].prediction)]


@pytest.mark.parametrize(
    ("loc", "place"),
    [
        (["age"], "age"),
        (["file"], "file"),
        (["column", "income"], "column income"),
        (["row", 3], "row 3"),
        (["row", 3, "age"], "row 3 · age"),
    ],
)
def test_a_problem_s_place_in_words(loc: list[str | int], place: str) -> None:
    assert problem_place(FieldError(loc=loc, msg="m", type="t")) == place


def test_the_problems_table_lists_where_what_and_type() -> None:
    problems = [FieldError(loc=["row", 0, "age"], msg="Field required", type="missing")]
    assert problems_frame(problems).to_dict("list") == {
        "where": ["row 0 · age"],
        "problem": ["Field required"],
        "type": ["missing"],
    }
