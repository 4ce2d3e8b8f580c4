"""The ONNX arm: converted at build time, verified before loading, measured against scikit-learn, or refused."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from benchmarks.records import generated_records
from shared_model import BUILTIN_MODELS, ModelUnavailable, Predictor, Validator, load_model
from shared_model.artifacts import ARTIFACTS_DIR, ArtifactPaths, write_manifest
from shared_model.byom import infer_spec
from shared_model.exactness import Deviation, deviation, ulps_apart
from shared_model.validation import Row

# The largest deviation of the ONNX arm from scikit-learn over the benchmark's 200 records, pinned with headroom.
# Measured (batch of 200 and one row at a time alike): loan max_abs 3.9e-16, max_rel 1.2e-11, 79,190 ULPs (a
# probability near 0 computed as 1 - p), 1.75 epsilons; diabetes (float32 tree sums, as scikit-learn's trees
# compare in float32) max_abs 8.9e-5, max_rel 4.6e-7, 2.6e9 ULPs. No label differed.
ONNX_LIMITS = {
    "loan": Deviation(
        rows=0, labels_differing=0, max_abs=2e-15, max_rel=1e-10, max_ulps=10**6, max_epsilons=8
    ),
    "diabetes": Deviation(
        rows=0, labels_differing=0, max_abs=5e-4, max_rel=2e-6, max_ulps=10**10, max_epsilons=1e10
    ),
}


@pytest.fixture(scope="module")
def runtimes() -> dict[str, tuple[Predictor, Predictor, list[Row]]]:
    """Each built-in model on both runtimes, with the benchmark's records validated."""
    loaded = {}
    for name in BUILTIN_MODELS:
        sklearn_arm, onnx_arm = load_model(name), load_model(name, runtime="onnx")
        rows = Validator(sklearn_arm.spec, 1000).validate_records(generated_records(sklearn_arm.spec))
        loaded[name] = (sklearn_arm, onnx_arm, rows)
    return loaded


@pytest.mark.parametrize("name", BUILTIN_MODELS)
def test_onnx_arm_agrees_with_scikit_learn_within_the_pinned_bounds(runtimes, name) -> None:
    sklearn_arm, onnx_arm, rows = runtimes[name]
    assert (onnx_arm.runtime, onnx_arm.model.precision) == ("onnx", "double")
    batched = deviation(sklearn_arm.predict(rows), onnx_arm.predict(rows))
    singles = deviation(
        [sklearn_arm.predict_one(row) for row in rows], [onnx_arm.predict_one(row) for row in rows]
    )
    print(f"{name}: batch {batched}\n{name}: singles {singles}")
    for measured in (batched, singles):
        assert measured.rows == len(rows) == 200
        assert measured.within(ONNX_LIMITS[name]), measured
        # Not bit for bit: the arm is a different computation, and the contract says so rather than hiding it.
        assert not measured.identical


def test_the_model_card_names_the_runtime_that_serves(runtimes) -> None:
    sklearn_arm, onnx_arm, _ = runtimes["loan"]
    assert sklearn_arm.model_card()["runtime"] == "sklearn"
    assert onnx_arm.model_card()["runtime"] == "onnx"
    assert {**onnx_arm.model_card(), "runtime": "sklearn"} == sklearn_arm.model_card()


def test_a_tampered_onnx_file_is_refused_before_onnxruntime_sees_it(tmp_path: Path) -> None:
    shutil.copytree(ARTIFACTS_DIR / "loan", tmp_path / "loan")
    paths = ArtifactPaths(tmp_path / "loan", "loan")
    data = bytearray(paths.onnx.read_bytes())
    data[-1] ^= 1
    paths.onnx.write_bytes(bytes(data))
    with pytest.raises(ModelUnavailable, match=r"loan\.onnx does not match the sha256"):
        load_model(paths.artifact, runtime="onnx")
    assert (
        load_model(paths.artifact).runtime == "sklearn"
    )  # scikit-learn's file is untouched and still serves


def test_a_model_skl2onnx_cannot_convert_falls_back_to_scikit_learn_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A user's model with a Python function inside: skl2onnx has no converter for it.
    features = np.random.default_rng(3).uniform(0, 5, size=(60, 2))
    model = Pipeline([("log", FunctionTransformer(np.log1p)), ("classifier", LogisticRegression())])
    model.fit(features, features[:, 0] > features[:, 1])
    paths = ArtifactPaths(tmp_path, "users_model")
    joblib.dump(model, paths.artifact)
    spec = infer_spec(model, "users_model").spec
    paths.spec.write_text(spec.to_toml(), encoding="utf-8")
    manifest = write_manifest(model, spec, paths)
    assert "FunctionTransformer" in manifest.onnx["refused"]
    assert not paths.onnx.exists()
    assert json.loads(paths.manifest.read_text())["files"] == {}
    with caplog.at_level(logging.WARNING, logger="shared_model.artifacts"):
        predictor = load_model(paths.artifact, runtime="onnx")
    assert predictor.model_card()["runtime"] == "sklearn"
    assert "cannot run on onnxruntime" in caplog.text
    assert "FunctionTransformer" in caplog.text


def test_ulps_count_representable_values_between() -> None:
    one = 1.0
    after = np.nextafter(one, 2.0)
    assert list(
        ulps_apart([one, one, 0.0, -0.0, -1.0], [one, after, -0.0, 0.0, np.nextafter(-1.0, 0.0)])
    ) == [
        0,
        1,
        0,
        0,
        1,
    ]
    assert ulps_apart([np.nextafter(0.0, -1.0)], [np.nextafter(0.0, 1.0)])[0] == 2
    assert ulps_apart([1.0], [0.5])[0] == 1 << 52  # a binade apart: 2**52 doubles


def test_a_users_forest_converts_and_differs_only_at_ties(tmp_path: Path) -> None:
    # A name skl2onnx must rename ("machine age"), a category, and a forest whose votes can tie at 0.5.
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "machine age"])
    frame["site"] = rng.choice(["north", "south", "east"], size=300)
    labels = np.where(frame["a"] + (frame["site"] == "north") > 0.5, "fault", "healthy")
    prepare = ColumnTransformer(
        [("numbers", StandardScaler(), ["a", "b", "machine age"]), ("site", OneHotEncoder(), ["site"])]
    )
    model = Pipeline(
        [("prepare", prepare), ("forest", RandomForestClassifier(n_estimators=20, random_state=0))]
    )
    model.fit(frame, labels)
    paths = ArtifactPaths(tmp_path, "pumps")
    joblib.dump(model, paths.artifact)
    spec = infer_spec(model, "pumps", frame).spec
    paths.spec.write_text(spec.to_toml(), encoding="utf-8")
    assert write_manifest(model, spec, paths).onnx == {"artifact": "pumps.onnx", "precision": "double"}
    sklearn_arm, onnx_arm = load_model(paths.artifact), load_model(paths.artifact, runtime="onnx")
    rows = Validator(spec, 1000).validate_records(generated_records(spec))
    want, got = [sklearn_arm.predict_one(row) for row in rows], [onnx_arm.predict_one(row) for row in rows]
    measured = deviation(want, got)
    print(measured)
    # Every split as scikit-learn's (thresholds rounded down, inputs fed as float32): only the float32 average of
    # the trees' votes differs, so a label differs only where two classes tie (none here; 2 of 200 rows at 0.5
    # with test_byom's twelve-feature forest).
    assert measured.max_abs < 1e-6
    for alone, compiled in zip(want, got, strict=True):
        if alone.prediction != compiled.prediction:
            assert alone.probabilities is not None
            assert sorted(alone.probabilities.values())[-2:] == [0.5, 0.5]
