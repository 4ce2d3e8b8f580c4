"""Artifacts on disk: writing a model with its spec and manifest, and loading it back only when verified."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn

from shared_model.errors import ModelUnavailable
from shared_model.manifest import Manifest
from shared_model.predictor import Predictor
from shared_model.spec import SPEC_SUFFIX, ModelSpec, SpecError, Task, load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = REPO_ROOT / "artifacts"
BUILTIN_MODELS = ("loan", "diabetes")
# Built-in models whose spec looks features up in the feature store: trained with the others, served beside a Redis.
STORE_MODELS = ("loan_store",)
MANIFEST_SUFFIX = ".manifest.json"
STORE_ROWS_SUFFIX = ".store.jsonl"
ARTIFACT_SUFFIX = ".joblib"
RETRAIN_HINT = (
    "retrain it with `make models` (built-in) or re-export it and run `python -m shared_model.byom`"
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArtifactPaths:
    """The three files of one model: `<stem>.joblib`, `<stem>.spec.toml`, `<stem>.manifest.json`."""

    directory: Path
    stem: str

    @property
    def artifact(self) -> Path:
        return self.directory / f"{self.stem}{ARTIFACT_SUFFIX}"

    @property
    def spec(self) -> Path:
        return self.directory / f"{self.stem}{SPEC_SUFFIX}"

    @property
    def manifest(self) -> Path:
        return self.directory / f"{self.stem}{MANIFEST_SUFFIX}"

    @property
    def store_rows(self) -> Path:
        """A store-backed model's rows for the feature store: one JSON object per entity."""
        return self.directory / f"{self.stem}{STORE_ROWS_SUFFIX}"


def resolve(name_or_path: str | Path, artifacts_dir: Path = ARTIFACTS_DIR) -> ArtifactPaths:
    """A built-in name (`loan`) → `artifacts/loan/loan.*`; a path to a `.joblib` → the files beside it."""
    text = str(name_or_path)
    if text.endswith(ARTIFACT_SUFFIX) or "/" in text or "\\" in text:
        path = Path(text).expanduser().resolve()
        return ArtifactPaths(path.parent, path.name.removesuffix(ARTIFACT_SUFFIX))
    return ArtifactPaths(artifacts_dir / text, text)


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of `data`."""
    return hashlib.sha256(data).hexdigest()


def write_artifacts(
    model: Any,
    spec: ModelSpec,
    paths: ArtifactPaths,
    *,
    spec_text: str | None = None,
    metrics: dict[str, float] | None = None,
    training: dict[str, Any] | None = None,
) -> Manifest:
    """Dump the model, write its spec and a manifest holding the artifact's sha256; return the manifest."""
    paths.directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    paths.artifact.write_bytes(buffer.getvalue())
    paths.spec.write_text(spec_text if spec_text is not None else spec.to_toml(), encoding="utf-8")
    return write_manifest(model, spec, paths, metrics=metrics, training=training)


def write_manifest(
    model: Any,
    spec: ModelSpec,
    paths: ArtifactPaths,
    *,
    metrics: dict[str, float] | None = None,
    training: dict[str, Any] | None = None,
) -> Manifest:
    """Write the manifest of the artifact already at `paths.artifact` (its sha256 taken from the file itself)."""
    classes = model.classes_.tolist() if spec.task is Task.CLASSIFICATION else None
    manifest = Manifest(
        name=spec.name,
        version=spec.version,
        task=spec.task.value,
        artifact=paths.artifact.name,
        sha256=sha256_of(paths.artifact.read_bytes()),
        sklearn_version=sklearn.__version__,
        classes=classes,
        metrics=metrics or {},
        training=training or {},
    )
    manifest.write(paths.manifest)
    return manifest


def load_model(name_or_path: str | Path, artifacts_dir: Path = ARTIFACTS_DIR) -> Predictor:
    """Load a model only after its sha256 and scikit-learn version check out; ModelUnavailable otherwise."""
    paths = resolve(name_or_path, artifacts_dir)
    manifest = _read_manifest(paths)
    spec = _read_spec(paths, manifest)
    if manifest.sklearn_version != sklearn.__version__:
        raise ModelUnavailable(
            f"Model {spec.name!r} was built with scikit-learn {manifest.sklearn_version}, but "
            f"{sklearn.__version__} is installed; {RETRAIN_HINT}."
        )
    try:
        data = paths.artifact.read_bytes()
    except OSError as error:
        raise ModelUnavailable(f"Cannot read model file {paths.artifact.name}: {error.strerror}.") from None
    # Verify before unpickling: a tampered or truncated file must never reach pickle.
    if sha256_of(data) != manifest.sha256:
        raise ModelUnavailable(
            f"Model file {paths.artifact.name} does not match the sha256 in its manifest (tampered or truncated); "
            f"{RETRAIN_HINT}."
        )
    # Unpickle the very bytes that were checked, so the file cannot change between check and load.
    model = joblib.load(io.BytesIO(data))
    _check_interface(model, spec)
    logger.info("loaded model %s %s (sha256 %s)", spec.name, spec.version, manifest.sha256[:12])
    return Predictor(model, spec, manifest)


def _read_manifest(paths: ArtifactPaths) -> Manifest:
    try:
        text = paths.manifest.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = (
            "train it with `make models`" if paths.stem in (*BUILTIN_MODELS, *STORE_MODELS) else RETRAIN_HINT
        )
        raise ModelUnavailable(f"No model manifest at {paths.manifest}; {hint}.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ModelUnavailable(f"Cannot read manifest {paths.manifest.name}: {error}.") from None
    try:
        return Manifest.from_json(text)
    except (ValueError, TypeError, KeyError) as error:
        raise ModelUnavailable(f"Manifest {paths.manifest.name} is malformed: {error}.") from None


def _read_spec(paths: ArtifactPaths, manifest: Manifest) -> ModelSpec:
    try:
        spec = load_spec(paths.spec)
    except SpecError as error:
        raise ModelUnavailable(f"Feature spec: {error}") from None
    if (spec.name, spec.version, spec.task.value) != (manifest.name, manifest.version, manifest.task):
        raise ModelUnavailable(
            f"Spec {spec.name} {spec.version} ({spec.task.value}) does not match manifest "
            f"{manifest.name} {manifest.version} ({manifest.task}); {RETRAIN_HINT}."
        )
    return spec


def _check_interface(model: Any, spec: ModelSpec) -> None:
    if spec.task is Task.CLASSIFICATION and not (
        hasattr(model, "predict_proba") and hasattr(model, "classes_")
    ):
        raise ModelUnavailable(
            f"Model {spec.name!r} is a classification model without predict_proba/classes_."
        )
    if not hasattr(model, "predict"):
        raise ModelUnavailable(f"Model {spec.name!r} has no predict method.")
    expected = getattr(model, "n_features_in_", len(spec.features))
    if expected != len(spec.features):
        raise ModelUnavailable(
            f"Model {spec.name!r} expects {expected} features; its spec lists {len(spec.features)}."
        )
    names = getattr(model, "feature_names_in_", None)
    if names is not None and tuple(names.tolist()) != spec.feature_names:
        raise ModelUnavailable(
            f"Model {spec.name!r} was fitted on columns {names.tolist()}, not the spec's features."
        )
