"""The Streamlit app in-process (AppTest), for both built-in models: widgets from the spec, exact results, CSV batch."""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import shared_model.serving
from shared_model import BUILTIN_MODELS, Feature, FeatureType, ModelSpec, Predictor, Validator, load_model
from shared_model.tabular import check_csv, prediction_table
from streamlit_app import serving
from streamlit_app.app import INVALID_INPUT, RESULT_KEY

APP = Path(serving.__file__).with_name("app.py")
LOAN_HEADER = "age,income,credit_score,employment_years,loan_amount,home_ownership"


def run_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    assert not at.exception, [item.value for item in at.exception]
    return at


@pytest.fixture
def app_for(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], AppTest]]:
    """A fresh session of the app serving the named model (settings are cached per process, so they are reset)."""

    def start(model: str) -> AppTest:
        monkeypatch.setenv("SERVEBENCH_MODEL", model)
        serving.served_settings.clear()
        return run_app()

    yield start
    serving.served_settings.clear()


@pytest.fixture(params=BUILTIN_MODELS)
def model(request: pytest.FixtureRequest) -> Predictor:
    return load_model(request.param)


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


def awkward_record(spec: ModelSpec, fraction: float) -> dict[str, object]:
    """A valid record away from the examples, with many significant digits in every float."""
    record: dict[str, object] = {}
    for feature in spec.features:
        if feature.type is FeatureType.CATEGORY:
            assert feature.enum is not None
            record[feature.name] = feature.enum[int(fraction * 10) % len(feature.enum)]
        elif feature.type is FeatureType.BOOLEAN:
            record[feature.name] = feature.example is not True
        else:
            low = feature.minimum if feature.minimum is not None else 0.0
            high = feature.maximum if feature.maximum is not None else 2.0 * float(feature.example or 1.0)
            value = low + (high - low) * fraction
            record[feature.name] = round(value) if feature.type is FeatureType.INTEGER else value
    return record


def set_record(at: AppTest, spec: ModelSpec, record: dict[str, object]) -> None:
    for feature in spec.features:
        value = record.get(feature.name)
        if feature.type is FeatureType.CATEGORY:
            at.selectbox(key=feature.name).set_value(value)
        elif feature.type is FeatureType.BOOLEAN:
            at.checkbox(key=feature.name).set_value(value is True)
        else:
            at.number_input(key=feature.name).set_value(value)  # type: ignore[arg-type]


def submit(at: AppTest) -> None:
    at.form_submit_button[0].click().run()
    assert not at.exception, [item.value for item in at.exception]


def expected_bounds(feature: Feature) -> tuple[float | None, float | None]:
    """The closed interval equivalent to the spec's bounds, written out independently of the app."""
    low, high = feature.minimum, feature.maximum
    if feature.exclusive_minimum is not None:
        low = math.nextafter(feature.exclusive_minimum, math.inf)
    if feature.exclusive_maximum is not None:
        high = math.nextafter(feature.exclusive_maximum, -math.inf)
    return low, high


def test_every_widget_matches_its_feature(app_for: Callable[[str], AppTest], model: Predictor) -> None:
    at = app_for(model.name)
    assert at.form_submit_button[0].label == "Predict"
    for feature in model.spec.features:
        if feature.type is FeatureType.CATEGORY:
            widget = at.selectbox(key=feature.name)
            assert (widget.options, widget.value) == (list(feature.enum or ()), feature.example)
        else:
            number = at.number_input(key=feature.name)
            assert (number.min, number.max) == expected_bounds(feature), feature.name
            if feature.type is FeatureType.INTEGER:
                assert number.step == 1
            else:  # a power of ten, so the +/- buttons keep round numbers round
                assert math.log10(number.step) == round(math.log10(number.step))
            assert number.value == feature.example
            assert type(number.value) is (int if feature.type is FeatureType.INTEGER else float)
            widget = number  # type: ignore[assignment]
        assert widget.help == feature.description
        assert widget.label.startswith(feature.name)


def test_the_loan_widgets_offer_the_spec_s_exact_bounds(app_for: Callable[[str], AppTest]) -> None:
    at = app_for("loan")
    bounds = {
        name: (at.number_input(key=name).min, at.number_input(key=name).max)
        for name in ("age", "loan_amount")
    }
    assert bounds == {"age": (18, 100), "loan_amount": (5e-324, None)}
    assert [at.number_input(key=name).step for name in ("income", "employment_years")] == [100.0, 0.1]
    assert at.selectbox(key="home_ownership").options == ["rent", "own", "mortgage"]


def test_results_equal_shared_model_bit_for_bit(app_for: Callable[[str], AppTest], model: Predictor) -> None:
    at = app_for(model.name)
    validator = Validator(model.spec, max_batch=1000)
    for fraction in (0.1234567891234, 0.5, 0.987654321):
        record = awkward_record(model.spec, fraction)
        set_record(at, model.spec, record)
        submit(at)
        expected = model.predict_one(validator.validate_record(record))
        body = {**expected.as_dict(), "model": model.name, "version": model.version}
        shown = at.container(RESULT_KEY).json[0].value
        assert shown == json.dumps(body)
        parsed = json.loads(shown)
        if model.is_classifier:
            assert expected.probabilities is not None
            assert [bits(p) for p in parsed["probabilities"].values()] == [
                bits(p) for p in expected.probabilities.values()
            ]
        else:
            assert bits(parsed["prediction"]) == bits(expected.prediction)  # type: ignore[arg-type]
        assert not at.error


def test_a_cleared_field_shows_the_validator_s_message(
    app_for: Callable[[str], AppTest], model: Predictor
) -> None:
    at = app_for(model.name)
    first, last = model.spec.features[0].name, model.spec.features[-1].name
    at.number_input(key=first).set_value(None)
    if model.spec.features[-1].type is FeatureType.CATEGORY:
        at.selectbox(key=last).set_value(None)
    else:
        at.number_input(key=last).set_value(None)
    submit(at)
    assert [error.value for error in at.error] == [
        f"{INVALID_INPUT}\n\n- `{first}`: Field required\n- `{last}`: Field required"
    ]
    with pytest.raises(KeyError):
        at.container(RESULT_KEY)


def test_the_model_card_shows_the_manifest(app_for: Callable[[str], AppTest], model: Predictor) -> None:
    at = app_for(model.name)
    card = at.sidebar
    facts = card.markdown[0].value
    assert f"**version** {model.version}" in facts
    assert f"**sha256** `{model.manifest.sha256[:12]}`" in facts
    assert f"**task** {model.spec.task.value}" in facts
    assert card.header[0].value == f"Model {model.name}"
    metrics = card.dataframe[0].value["value"].to_dict()
    assert metrics == model.manifest.metrics


def upload(at: AppTest, data: bytes) -> None:
    at.file_uploader(key="batch_csv").set_value(("batch.csv", data, "text/csv")).run()
    assert not at.exception, [item.value for item in at.exception]


def frame_by_key(at: AppTest, key: str) -> pd.DataFrame:
    frames = at.container(key).dataframe
    assert len(frames) == 1, key
    return frames[0].value


def test_a_csv_batch_predicts_good_rows_and_reports_bad_ones(
    app_for: Callable[[str], AppTest], loan: Predictor, loan_validator: Validator
) -> None:
    at = app_for("loan")
    data = (
        f"{LOAN_HEADER}\n"
        "35,73512.123456789,690,4.5,15000.0,rent\n"
        "17,58000.0,690,4.5,15000.0,rent\n"  # out of range
        "35,58000.0,six hundred,4.5,15000.0,rent\n"  # wrong type
        "35,58000.0,690,4.5,15000.0,castle\n"  # unknown category
        "61,0.1,849,59.99999999999999,1e-300,mortgage\n"
    ).encode()
    upload(at, data)
    assert [error.value for error in at.error] == [
        "3 of 5 rows rejected; 3 problems, listed below (row 0 is the first row under the header)."
    ]
    assert frame_by_key(at, "batch_problems").to_dict("list") == {
        "where": ["row 1 · age", "row 2 · credit_score", "row 3 · home_ownership"],
        "problem": [
            "Input should be greater than or equal to 18",
            "Input should be a valid integer",
            "Input should be 'rent', 'own' or 'mortgage'",
        ],
        "type": ["greater_than_equal", "int_type", "literal_error"],
    }
    checked = check_csv(data, loan_validator)
    expected = prediction_table(loan.spec, checked, loan.predict(checked.rows), loan.classes).frame()
    shown = frame_by_key(at, "batch_predictions")
    assert list(shown.index) == [0, 4]
    assert list(shown.columns) == [
        *loan.spec.feature_names,
        "prediction",
        "probability_approved",
        "probability_denied",
    ]
    for column in shown.columns:
        assert shown[column].tolist() == expected[column].tolist(), column
    for column in ("income", "employment_years", "loan_amount", "probability_approved", "probability_denied"):
        assert [bits(value) for value in shown[column]] == [bits(value) for value in expected[column]]
    assert [success.value for success in at.success] == ["2 of 5 rows predicted."]
    assert at.download_button(key="batch_download").label == "Download predictions"


def test_a_csv_without_a_required_column_predicts_nothing_and_says_why(
    app_for: Callable[[str], AppTest],
) -> None:
    at = app_for("loan")
    upload(at, b"age,income,credit_score,employment_years,loan_amount\n35,58000.0,690,4.5,15000.0\n")
    assert [error.value for error in at.error] == [
        "1 of 1 rows rejected; 1 problems, listed below (row 0 is the first row under the header)."
    ]
    assert frame_by_key(at, "batch_problems").to_dict("list") == {
        "where": ["column home_ownership"],
        "problem": ["Column required"],
        "type": ["missing"],
    }
    assert len(at.main.dataframe) == 1
    with pytest.raises(KeyError):
        at.container("batch_predictions")
    assert not at.download_button


def test_a_regressor_batch_has_no_probability_columns(
    app_for: Callable[[str], AppTest], diabetes: Predictor
) -> None:
    at = app_for("diabetes")
    record = diabetes.spec.example_record()
    header = ",".join(diabetes.spec.feature_names)
    upload(at, f"{header}\n{','.join(str(record[name]) for name in diabetes.spec.feature_names)}\n".encode())
    shown = frame_by_key(at, "batch_predictions")
    assert list(shown.columns) == [*diabetes.spec.feature_names, "prediction"]
    validator = Validator(diabetes.spec, max_batch=10)
    expected = diabetes.predict_one(validator.validate_record(record)).prediction
    assert bits(shown["prediction"].iloc[0]) == bits(expected)  # type: ignore[arg-type]
    assert not at.error


def test_an_unavailable_model_is_a_clear_message_not_a_traceback(
    app_for: Callable[[str], AppTest], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.joblib"
    at = app_for(str(missing))
    assert [error.value for error in at.error] == [
        f"The model is not available: No model manifest at {tmp_path / 'nowhere.manifest.json'}; "
        "retrain it with `make models` (built-in) or re-export it and run `python -m shared_model.byom`."
    ]
    assert not at.form_submit_button
    assert not at.exception


def test_the_model_is_loaded_once_per_process(
    app_for: Callable[[str], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[str] = []

    def counting_load(name: str, **options: Any) -> Predictor:
        loads.append(name)
        return load_model(name, **options)

    serving.served_model.clear()
    monkeypatch.setattr(shared_model.serving, "load_model", counting_load)
    first = app_for("loan")
    submit(first)
    second = run_app()  # another session in the same process
    submit(second)
    assert loads == ["loan"]
    serving.served_model.clear()


def test_a_bad_setting_is_a_clear_message_naming_the_variable(
    app_for: Callable[[str], AppTest], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SERVEBENCH_MAX_BATCH", "0")
    at = app_for("loan")
    assert [error.value for error in at.error] == [
        "The server's settings are invalid: SERVEBENCH_MAX_BATCH='0': Input should be greater than or equal to 1"
    ]
    assert not at.form_submit_button
