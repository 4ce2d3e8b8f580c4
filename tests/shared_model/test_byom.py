"""Bring your own model, end to end: a DataFrame-fitted pipeline becomes servable with one command."""

from __future__ import annotations

from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from shared_model import FeatureType, Task, Validator, load_model, load_settings
from shared_model.byom import main as byom

NUMERIC = [f"sensor_{index}" for index in range(10)]


@pytest.fixture(scope="module")
def user_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, pd.DataFrame, Pipeline]:
    """A user's pipeline fitted on a DataFrame: string classes, ten numeric features, an integer and a category."""
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(300, 10)), columns=NUMERIC)
    frame["machine age"] = rng.integers(0, 30, size=300)
    frame["site"] = rng.choice(["north", "south", "east"], size=300)
    labels = np.where(frame["sensor_0"] + (frame["site"] == "north") > 0.5, "fault", "healthy")
    pipeline = Pipeline(
        [
            (
                "prepare",
                ColumnTransformer(
                    [
                        ("numbers", StandardScaler(), [*NUMERIC, "machine age"]),
                        ("site", OneHotEncoder(), ["site"]),
                    ]
                ),
            ),
            ("forest", RandomForestClassifier(n_estimators=20, random_state=0, n_jobs=1)),
        ]
    ).fit(frame, labels)
    folder = tmp_path_factory.mktemp("user")
    artifact, sample = folder / "pumps.joblib", folder / "sample.csv"
    joblib.dump(pipeline, artifact)
    frame.to_csv(sample, index=False)
    return artifact, sample, frame, pipeline


def test_byom_writes_a_spec_and_manifest_that_serve_the_model(user_model, capsys) -> None:
    artifact, sample, frame, pipeline = user_model
    assert byom([str(artifact), "--sample", str(sample)]) == 0
    printed = capsys.readouterr().out
    assert "Review before serving" in printed
    assert "SERVEBENCH_MODEL=" in printed

    settings = load_settings({"SERVEBENCH_MODEL": str(artifact)})
    predictor = load_model(settings.MODEL)
    spec = predictor.spec
    assert (spec.name, spec.task, predictor.classes) == ("pumps", Task.CLASSIFICATION, ("fault", "healthy"))
    assert spec.feature_names == (*NUMERIC, "machine age", "site")
    assert spec.feature("site").type is FeatureType.CATEGORY
    assert spec.feature("site").enum == (
        "east",
        "north",
        "south",
    )
    assert spec.feature("machine age").type is FeatureType.INTEGER
    assert spec.feature("sensor_3").type is FeatureType.NUMBER
    assert spec.feature("sensor_3").minimum == float(frame["sensor_3"].min())

    records = frame.head(50).to_dict(orient="records")
    rows = Validator(spec, max_batch=100).validate_records(
        [
            {key: (value.item() if hasattr(value, "item") else value) for key, value in r.items()}
            for r in records
        ]
    )
    predictions = predictor.predict(rows)
    expected = pipeline.predict_proba(frame.head(50))
    got = np.array([[p.probabilities["fault"], p.probabilities["healthy"]] for p in predictions])  # type: ignore[index]
    assert got.tobytes() == expected.tobytes()
    assert [p.prediction for p in predictions] == pipeline.predict(frame.head(50)).tolist()


def test_byom_without_a_sample_types_everything_as_numbers(user_model, tmp_path: Path) -> None:
    artifact = tmp_path / "bare.joblib"
    artifact.write_bytes(user_model[0].read_bytes())
    assert byom([str(artifact)]) == 0
    spec_text = (tmp_path / "bare.spec.toml").read_text()
    assert spec_text.count('type = "number"') == 12
    assert "minimum" not in spec_text


def test_byom_reports_a_missing_file(tmp_path: Path) -> None:
    assert byom([str(tmp_path / "absent.joblib")]) == 2
