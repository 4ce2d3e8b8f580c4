"""CSV batches: a file read against the spec, checked row by row by the shared validator, and answered as a table."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from shared_model.errors import FieldError, ValidationFailed, problem_place
from shared_model.parsing import MAX_NUMBER_CHARS
from shared_model.predictor import Prediction, Predictor
from shared_model.spec import FeatureType, ModelSpec, Scalar
from shared_model.validation import Row, Validator

# Cells are typed only when they are exactly a number (or boolean) as Python and JSON both write it; anything
# else ("1_000", " 5", "nan", "0x10") stays a string, so the shared validator rejects it with its own message.
INTEGER_CELL = re.compile(r"[+-]?[0-9]+")
NUMBER_CELL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BOOLEAN_CELLS = {"true": True, "false": False}
PREDICTION_COLUMN = "prediction"
PROBABILITY_PREFIX = "probability_"
PROBLEM_COLUMNS = ("where", "problem", "type")

Cell = Scalar | None
Record = dict[str, object]


@dataclass(frozen=True, slots=True)
class Table:
    """A CSV file read against a spec: one typed record per data row (None where the row is malformed)."""

    records: list[Record | None]
    problems: list[FieldError]


@dataclass(frozen=True, slots=True)
class CheckedTable:
    """The rows that passed validation, with their positions among the data rows, and every problem found."""

    row_numbers: list[int]
    rows: list[Row]
    problems: list[FieldError]
    total: int

    @property
    def rejected(self) -> int:
        return self.total - len(self.rows)


@dataclass(frozen=True, slots=True)
class PredictionTable:
    """Inputs, `prediction`, then `probability_<class>` per class (classifiers), one line per predicted row."""

    columns: tuple[str, ...]
    row_numbers: list[int]
    lines: list[tuple[Cell, ...]]

    def frame(self) -> pd.DataFrame:
        """The table as a DataFrame indexed by row number (the first data row under the header is row 0)."""
        return pd.DataFrame(
            self.lines, columns=list(self.columns), index=pd.Index(self.row_numbers, name="row")
        )


def problem_rows(problems: Sequence[FieldError]) -> list[tuple[str, str, str]]:
    """The problems as rows a reader can scan: where (in words), what, and its machine-readable type."""
    return [(problem_place(problem), problem["msg"], problem["type"]) for problem in problems]


def problems_frame(problems: list[FieldError]) -> pd.DataFrame:
    """The problems as a table a reader can scan and sort: PROBLEM_COLUMNS, one row per problem."""
    return pd.DataFrame(problem_rows(problems), columns=list(PROBLEM_COLUMNS))


def read_csv(data: bytes, spec: ModelSpec, max_rows: int) -> Table:
    """CSV bytes with a header row → typed records; file, column and row problems as field errors."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Table(
            [], [_problem(["file"], f"The file is not UTF-8 text (byte {error.start}).", "csv_encoding")]
        )
    # strict: a stray or unterminated quote is an error, not a silently merged cell.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        lines = [line for line in reader if line]
    except csv.Error as error:
        message = f"The file is not valid CSV (line {reader.line_num}): {error}."
        return Table([], [_problem(["file"], message, "csv_syntax")])
    if not lines:
        return Table(
            [],
            [_problem(["file"], "The file is empty; it needs a header row of feature names.", "csv_empty")],
        )
    header, body = lines[0], lines[1:]
    problems = _column_problems(header, spec)
    if not body:
        problems.append(_problem(["file"], "The file has a header but no rows.", "too_short"))
    elif len(body) > max_rows:
        message = f"The file has {len(body)} rows; at most {max_rows} are predicted at once."
        return Table([], [*problems, _problem(["file"], message, "too_long")])
    records: list[Record | None] = []
    for number, line in enumerate(body):
        if len(line) != len(header):
            message = f"The row has {len(line)} cells; the header has {len(header)}."
            problems.append(_problem(["row", number], message, "row_length"))
            records.append(None)
            continue
        records.append(text_record(spec, dict(zip(header, line, strict=True))))
    return Table(records, problems)


def text_record(spec: ModelSpec, texts: Mapping[str, str]) -> Record:
    """A record from text values by the name of each feature a request sends (a CSV row, a submitted form).

    Other names are ignored. An empty text is an omitted feature: the validator then reports a required one as missing.
    """
    return {
        feature.name: _typed(text, feature.type)
        for feature in spec.request_features
        if (text := texts.get(feature.name, "")) != ""
    }


def check_csv(data: bytes, validator: Validator) -> CheckedTable:
    """Read a CSV batch and validate each row; the good rows are kept, every bad row and column is reported."""
    table = read_csv(data, validator.spec, validator.max_batch)
    problems = list(table.problems)
    # A missing column is reported once, not again on every row; any column problem spoils every row.
    missing = {str(problem["loc"][1]) for problem in problems if problem["type"] == "missing"}
    spoiled = any(problem["loc"][0] in ("column", "file") for problem in problems)
    row_numbers: list[int] = []
    rows: list[Row] = []
    for number, record in enumerate(table.records):
        if record is None:
            continue
        try:
            row = validator.validate_record(record)
        except ValidationFailed as failure:
            problems += [
                _problem(["row", number, *error["loc"]], error["msg"], error["type"])
                for error in failure.details
                if not (error["loc"] and error["loc"][0] in missing)
            ]
            continue
        if not spoiled:
            row_numbers.append(number)
            rows.append(row)
    return CheckedTable(row_numbers, rows, sorted(problems, key=_problem_order), len(table.records))


def prediction_table(
    spec: ModelSpec, checked: CheckedTable, predictions: Sequence[Prediction], classes: Sequence[Any]
) -> PredictionTable:
    """The answer to a checked batch: each row's inputs, its prediction and (classifiers) each class's probability."""
    keys = [str(label) for label in classes]
    columns = (*spec.feature_names, PREDICTION_COLUMN, *(PROBABILITY_PREFIX + key for key in keys))
    lines = [
        (
            *row,
            prediction.prediction,
            *(prediction.probabilities[key] for key in keys if prediction.probabilities),
        )
        for row, prediction in zip(checked.rows, predictions, strict=True)
    ]
    return PredictionTable(columns, list(checked.row_numbers), lines)


def predict_csv(
    data: bytes, predictor: Predictor, validator: Validator
) -> tuple[CheckedTable, PredictionTable | None]:
    """A CSV batch checked row by row, and the good rows predicted in one call (None when no row is good)."""
    checked = check_csv(data, validator)
    if not checked.rows:
        return checked, None
    return checked, prediction_table(
        predictor.spec, checked, predictor.predict(checked.rows), predictor.classes
    )


def predictions_file_name(spec: ModelSpec) -> str:
    """The download's file name: the model's name and version."""
    return f"{spec.name}-{spec.version}-predictions.csv"


def predictions_csv(table: PredictionTable) -> bytes:
    """The prediction table as UTF-8 CSV; floats written with repr, so reading them back gives the same bits."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows([cell_text(value) for value in line] for line in table.lines)
    return buffer.getvalue().encode("utf-8")


def _column_problems(header: Sequence[str], spec: ModelSpec) -> list[FieldError]:
    problems: list[FieldError] = []
    for index, name in enumerate(header):
        if name in header[:index]:
            problems.append(
                _problem(["column", name], "The column appears more than once.", "duplicate_column")
            )
        elif name not in spec.feature_names:
            message = f"Unknown column; the model's features are: {', '.join(spec.feature_names)}."
            problems.append(_problem(["column", name], message, "extra_forbidden"))
    problems += [
        _problem(["column", feature.name], "Column required", "missing")
        for feature in spec.features
        if feature.required and feature.name not in header
    ]
    return problems


def _typed(cell: str, kind: FeatureType) -> object:
    if kind is FeatureType.CATEGORY or len(cell) > MAX_NUMBER_CHARS:
        return cell
    if kind is FeatureType.BOOLEAN:
        return BOOLEAN_CELLS.get(cell.lower(), cell)
    if kind is FeatureType.INTEGER:
        return int(cell) if INTEGER_CELL.fullmatch(cell) else cell
    # float() of the decimal text is correctly rounded: the same double json.loads gives for the same digits.
    return float(cell) if NUMBER_CELL.fullmatch(cell) else cell


def cell_text(value: Cell) -> str:
    """A value as a CSV cell or form input writes it: floats by repr (exact), booleans as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _problem(loc: list[str | int], msg: str, kind: str) -> FieldError:
    return {"loc": loc, "msg": msg, "type": kind}


def _problem_order(problem: FieldError) -> tuple[int, int]:
    # File, then columns, then rows in file order: the order a reader fixes them in.
    scope = ["file", "column", "row"].index(str(problem["loc"][0]))
    return scope, problem["loc"][1] if scope == 2 and isinstance(problem["loc"][1], int) else -1
