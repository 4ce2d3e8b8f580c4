"""Verified loading: a model is unpickled only when its sha256 and scikit-learn version check out."""

from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import joblib
import pytest

from shared_model import ModelUnavailable, load_model
from shared_model.artifacts import ARTIFACTS_DIR, ArtifactPaths, resolve
from shared_model.train import train


class LeavesATrace:
    """Unpickling this object creates a file: the proof that a pickle was (or was not) loaded."""

    def __init__(self, trace: Path) -> None:
        self.trace = trace

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (Path.touch, (str(self.trace),))


@pytest.fixture
def loan_copy(tmp_path: Path) -> ArtifactPaths:
    """A private copy of the built loan artifacts that a test may damage."""
    shutil.copytree(ARTIFACTS_DIR / "loan", tmp_path / "loan")
    return ArtifactPaths(tmp_path / "loan", "loan")


def test_training_twice_gives_identical_artifacts(tmp_path: Path) -> None:
    for name in ("loan", "diabetes"):
        first = train(name, tmp_path / "first")
        second = train(name, tmp_path / "second")
        for suffix in (".joblib", ".skops", ".onnx", ".spec.toml", ".manifest.json"):
            left = first.with_name(f"{name}{suffix}").read_bytes()
            right = second.with_name(f"{name}{suffix}").read_bytes()
            assert left == right, f"{name}{suffix} differs between two builds"


def test_manifest_records_checksum_versions_and_metrics_but_no_time(loan_copy: ArtifactPaths) -> None:
    manifest = json.loads(loan_copy.manifest.read_text())
    assert set(manifest) == {
        "artifact",
        "classes",
        "files",
        "format",
        "metrics",
        "name",
        "onnx",
        "sha256",
        "sklearn_version",
        "task",
        "training",
        "version",
    }
    assert manifest["classes"] == ["approved", "denied"]
    assert set(manifest["metrics"]) == {"accuracy", "roc_auc", "log_loss"}
    assert manifest["metrics"]["roc_auc"] > 0.8
    assert set(manifest["files"]) == {"loan.skops", "loan.onnx"}
    assert manifest["onnx"] == {"artifact": "loan.onnx", "precision": "double"}


def test_a_tampered_artifact_is_refused_and_never_unpickled(loan_copy: ArtifactPaths, tmp_path: Path) -> None:
    trace = tmp_path / "unpickled"
    loan_copy.artifact.write_bytes(pickle.dumps(LeavesATrace(trace)))
    with pytest.raises(ModelUnavailable, match="does not match the sha256 in its manifest") as caught:
        load_model(loan_copy.artifact)
    assert caught.value.status == 503
    assert not trace.exists()
    joblib.load(loan_copy.artifact)  # the control: loading this file does leave the trace
    assert trace.exists()


def test_a_truncated_artifact_is_refused(loan_copy: ArtifactPaths) -> None:
    data = loan_copy.artifact.read_bytes()
    loan_copy.artifact.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelUnavailable, match="tampered or truncated"):
        load_model(loan_copy.artifact)


def test_another_scikit_learn_version_is_refused_with_how_to_retrain(loan_copy: ArtifactPaths) -> None:
    manifest = json.loads(loan_copy.manifest.read_text())
    manifest["sklearn_version"] = "0.24.2"
    loan_copy.manifest.write_text(json.dumps(manifest))
    with pytest.raises(
        ModelUnavailable, match=r"built with scikit-learn 0\.24\.2.*retrain it with `make models`"
    ):
        load_model(loan_copy.artifact)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda paths: paths.manifest.unlink(), "No model manifest"),
        (lambda paths: paths.manifest.write_text("{not json"), "is malformed"),
        (lambda paths: paths.manifest.write_text("[]"), "is malformed"),
        (lambda paths: paths.spec.unlink(), "spec file not found"),
        (lambda paths: paths.artifact.unlink(), "Cannot read model file loan.joblib"),
        (
            lambda paths: paths.spec.write_text(paths.spec.read_text().replace('"1.0.0"', '"2.0.0"')),
            "does not match manifest",
        ),
    ],
)
def test_missing_or_inconsistent_files_are_model_unavailable(
    loan_copy: ArtifactPaths, damage, message
) -> None:
    damage(loan_copy)
    with pytest.raises(ModelUnavailable, match=message):
        load_model(loan_copy.artifact)


def test_an_unknown_built_in_name_says_how_to_build() -> None:
    with pytest.raises(ModelUnavailable, match="No model manifest"):
        load_model("no_such_model")


def test_names_and_paths_resolve_to_the_three_files(tmp_path: Path) -> None:
    assert resolve("loan") == ArtifactPaths(ARTIFACTS_DIR / "loan", "loan")
    paths = resolve(tmp_path / "mine.joblib")
    assert (paths.artifact, paths.spec, paths.manifest) == (
        tmp_path / "mine.joblib",
        tmp_path / "mine.spec.toml",
        tmp_path / "mine.manifest.json",
    )
