"""skops' secure format: the built-in models load from `.skops` bit for bit; a type not trusted is named, never built."""

from __future__ import annotations

import json
import logging
import pickle
import shutil
from pathlib import Path

import joblib
import numpy as np
import pytest
import skops.io

from benchmarks.records import generated_records
from shared_model import BUILTIN_MODELS, ModelUnavailable, ServedModel, Validator, load_model
from shared_model.artifacts import ARTIFACTS_DIR, ArtifactPaths, resolve, sha256_of
from shared_model.secure_format import TRUSTED_TYPES, types_in

TROJAN = f"{__name__}.Trojan"


class Trojan:
    """Leaves a file behind when rebuilt by pickle (`__reduce__`) or from its state (`__setstate__`)."""

    def __init__(self, trace: Path) -> None:
        self.trace = str(trace)

    def __reduce__(self) -> tuple[object, tuple[Path]]:
        return (Path.touch, (Path(self.trace),))

    def __setstate__(self, state: dict[str, str]) -> None:
        Path(state["trace"]).touch()


@pytest.fixture
def loan_copy(tmp_path: Path) -> ArtifactPaths:
    shutil.copytree(ARTIFACTS_DIR / "loan", tmp_path / "loan")
    return ArtifactPaths(tmp_path / "loan", "loan")


def arrives_with_its_own_manifest(paths: ArtifactPaths, path: Path, data: bytes) -> None:
    """Replace a model file and record its sha256, as a malicious artifact shipped with its manifest would."""
    path.write_bytes(data)
    manifest = json.loads(paths.manifest.read_text())
    if path.name == manifest["artifact"]:
        manifest["sha256"] = sha256_of(data)
    else:
        manifest["files"][path.name] = sha256_of(data)
    paths.manifest.write_text(json.dumps(manifest))


@pytest.mark.parametrize("name", BUILTIN_MODELS)
def test_a_built_in_model_from_skops_predicts_as_from_joblib(name: str) -> None:
    from_joblib, from_skops = load_model(name), load_model(ARTIFACTS_DIR / name / f"{name}.skops")
    assert types_in((ARTIFACTS_DIR / name / f"{name}.skops").read_bytes()) <= TRUSTED_TYPES
    rows = Validator(from_joblib.spec, 1000).validate_records(generated_records(from_joblib.spec))
    assert from_skops.predict(rows) == from_joblib.predict(rows)  # bit for bit: the same estimator, rebuilt
    assert from_skops.model_card() == from_joblib.model_card()


def test_a_path_to_a_skops_file_selects_that_format() -> None:
    assert resolve("artifacts/loan/loan.skops").artifact.name == "loan.skops"
    assert resolve("loan").artifact.name == "loan.joblib"


def test_an_untrusted_type_is_refused_by_name_and_never_built(
    loan_copy: ArtifactPaths, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    trace = tmp_path / "code-ran"
    arrives_with_its_own_manifest(loan_copy, loan_copy.skops, skops.io.dumps(Trojan(trace)))
    with pytest.raises(ModelUnavailable, match=f"untrusted type {TROJAN};") as caught:
        load_model(loan_copy.skops)
    assert caught.value.status == 503
    with caplog.at_level(logging.ERROR, logger="shared_model.serving"):
        served = ServedModel.load(str(loan_copy.skops), 10)
    assert served.predictor is None
    assert TROJAN in (served.load_error or "")
    assert TROJAN in caplog.text
    assert not trace.exists()
    # The control: the same object as a pickle runs its code on loading, manifest or not.
    pickle.loads(pickle.dumps(Trojan(trace)))
    assert trace.exists()


def test_the_same_object_as_joblib_runs_its_code_despite_a_matching_manifest(
    loan_copy: ArtifactPaths, tmp_path: Path
) -> None:
    # Why the format matters: the sha256 proves the file is the one the manifest names, not that it is harmless.
    trace = tmp_path / "code-ran"
    buffer = tmp_path / "trojan.joblib"
    joblib.dump(Trojan(trace), buffer)
    arrives_with_its_own_manifest(loan_copy, loan_copy.artifact, buffer.read_bytes())
    with pytest.raises(ModelUnavailable):
        load_model(loan_copy.artifact)  # refused only after unpickling: it has no predict method
    assert trace.exists()


def test_a_type_the_operator_trusts_is_built(loan_copy: ArtifactPaths, tmp_path: Path) -> None:
    trace = tmp_path / "code-ran"
    arrives_with_its_own_manifest(loan_copy, loan_copy.skops, skops.io.dumps(Trojan(trace)))
    with pytest.raises(ModelUnavailable, match="without predict_proba"):
        load_model(loan_copy.skops, trusted=(TROJAN,))
    assert trace.exists()  # trusted, it was built: trust is the operator's word, SERVEBENCH_SKOPS_TRUSTED


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"not a zip", "Not a skops file"), (b"PK\x05\x06" + bytes(18), "Not a skops file")],
)
def test_a_file_that_is_not_skops_is_model_unavailable(
    loan_copy: ArtifactPaths, data: bytes, message: str
) -> None:
    arrives_with_its_own_manifest(loan_copy, loan_copy.skops, data)
    with pytest.raises(ModelUnavailable, match=message):
        load_model(loan_copy.skops)


def test_byom_describes_a_skops_file_and_refuses_an_untrusted_one(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    from sklearn.linear_model import LinearRegression

    from shared_model.byom import main as byom

    features = np.random.default_rng(5).uniform(0, 1, size=(40, 3))
    model = LinearRegression().fit(features, features.sum(axis=1))
    artifact = tmp_path / "users_model.skops"
    artifact.write_bytes(skops.io.dumps(model))
    # LinearRegression is none of the built-in models' types: the operator trusts it by name, or it is refused.
    assert byom([str(artifact)]) == 1
    assert "untrusted type sklearn.linear_model._base.LinearRegression" in capsys.readouterr().out.replace(
        "\n", ""
    )
    monkeypatch.setenv("SERVEBENCH_SKOPS_TRUSTED", "sklearn.linear_model._base.LinearRegression")
    assert byom([str(artifact)]) == 0
    manifest = json.loads((tmp_path / "users_model.manifest.json").read_text())
    assert (manifest["artifact"], manifest["sha256"]) == (artifact.name, sha256_of(artifact.read_bytes()))
    served = load_model(artifact, trusted=("sklearn.linear_model._base.LinearRegression",))
    assert served.predict(
        Validator(served.spec, 1).validate_records([dict.fromkeys(served.spec.feature_names, 0.5)])
    )
    trace = tmp_path / "code-ran"
    hostile = tmp_path / "hostile.skops"
    hostile.write_bytes(skops.io.dumps(Trojan(trace)))
    assert byom([str(hostile)]) == 1
    assert TROJAN in capsys.readouterr().out.replace("\n", "")
    assert not trace.exists()
