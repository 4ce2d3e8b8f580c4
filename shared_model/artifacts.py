"""Artifacts on disk: writing a model with its spec and manifest, and loading it back only when verified."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import sklearn

from shared_model import secure_format
from shared_model.compiled import ONNX_SUFFIX, ConversionRefused, OnnxModel, convert
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
# The model file's format is its suffix: joblib (pickle, runs code when loaded) or skops (rebuilt from trusted types).
MODEL_SUFFIXES = (ARTIFACT_SUFFIX, secure_format.SKOPS_SUFFIX)
RUNTIMES = ("sklearn", "onnx")
RETRAIN_HINT = (
    "retrain it with `make models` (built-in) or re-export it and run `python -m shared_model.byom`"
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ArtifactPaths:
    """The files of one model: `<stem>.joblib` (or `.skops`), `<stem>.spec.toml`, `<stem>.manifest.json`."""

    directory: Path
    stem: str
    suffix: str = field(default=ARTIFACT_SUFFIX)

    @property
    def artifact(self) -> Path:
        return self.directory / f"{self.stem}{self.suffix}"

    @property
    def skops(self) -> Path:
        return self.directory / f"{self.stem}{secure_format.SKOPS_SUFFIX}"

    @property
    def onnx(self) -> Path:
        return self.directory / f"{self.stem}{ONNX_SUFFIX}"

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
    """A built-in name (`loan`) → `artifacts/loan/loan.*`; a path to a `.joblib` or `.skops` → the files beside it."""
    text = str(name_or_path)
    if text.endswith(MODEL_SUFFIXES) or "/" in text or "\\" in text:
        path = Path(text).expanduser().resolve()
        suffix = (
            secure_format.SKOPS_SUFFIX if path.name.endswith(secure_format.SKOPS_SUFFIX) else ARTIFACT_SUFFIX
        )
        return ArtifactPaths(path.parent, path.name.removesuffix(suffix), suffix)
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
    """Dump the model (joblib and skops), its ONNX conversion, its spec and a manifest of sha256s; return it."""
    paths.directory.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    paths.artifact.write_bytes(buffer.getvalue())
    paths.skops.write_bytes(secure_format.dumps(model))
    paths.spec.write_text(spec_text if spec_text is not None else spec.to_toml(), encoding="utf-8")
    return write_manifest(model, spec, paths, metrics=metrics, training=training, beside=(paths.skops,))


def write_onnx(model: Any, spec: ModelSpec, paths: ArtifactPaths) -> dict[str, str]:
    """Convert the model to `<stem>.onnx`; the manifest's `onnx` entry: what was written, or why nothing was."""
    try:
        conversion = convert(model, spec)
    except ConversionRefused as error:
        paths.onnx.unlink(missing_ok=True)
        return {"refused": str(error)}
    paths.onnx.write_bytes(conversion.data)
    return {"artifact": paths.onnx.name, "precision": conversion.precision}


def write_manifest(
    model: Any,
    spec: ModelSpec,
    paths: ArtifactPaths,
    *,
    metrics: dict[str, float] | None = None,
    training: dict[str, Any] | None = None,
    beside: tuple[Path, ...] = (),
) -> Manifest:
    """Write the manifest of `paths.artifact` and the files `beside` it, converting the model to ONNX on the way.

    Every sha256 is taken from the file itself.
    """
    classes = model.classes_.tolist() if spec.task is Task.CLASSIFICATION else None
    onnx = write_onnx(model, spec, paths)
    others = (*beside, paths.onnx) if "artifact" in onnx else beside
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
        files={path.name: sha256_of(path.read_bytes()) for path in others},
        onnx=onnx,
    )
    manifest.write(paths.manifest)
    return manifest


def load_model(
    name_or_path: str | Path,
    artifacts_dir: Path = ARTIFACTS_DIR,
    *,
    runtime: str = "sklearn",
    trusted: Iterable[str] = (),
) -> Predictor:
    """Load a model only after its sha256 and scikit-learn version check out; ModelUnavailable otherwise.

    `runtime="onnx"` serves the model's ONNX conversion, or scikit-learn (logged) when it has none; `trusted`
    adds types a `.skops` file may construct.
    """
    paths = resolve(name_or_path, artifacts_dir)
    manifest = _read_manifest(paths)
    spec = _read_spec(paths, manifest)
    if manifest.sklearn_version != sklearn.__version__:
        raise ModelUnavailable(
            f"Model {spec.name!r} was built with scikit-learn {manifest.sklearn_version}, but "
            f"{sklearn.__version__} is installed; {RETRAIN_HINT}."
        )
    if runtime == "onnx":
        compiled = _load_onnx(paths, manifest, spec)
        if compiled is not None:
            return compiled
    data = _verified_bytes(paths.artifact, manifest)
    # Load the very bytes that were checked, so the file cannot change between check and load.
    if paths.suffix == secure_format.SKOPS_SUFFIX:
        model = secure_format.loads(data, trusted)
    else:
        model = joblib.load(io.BytesIO(data))
    _check_interface(model, spec)
    logger.info("loaded model %s %s (sha256 %s)", spec.name, spec.version, manifest.sha256[:12])
    return Predictor(model, spec, manifest)


def _verified_bytes(path: Path, manifest: Manifest) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ModelUnavailable(f"Cannot read model file {path.name}: {error.strerror}.") from None
    # Verify before loading: a tampered or truncated file must never reach pickle, skops or onnxruntime.
    if sha256_of(data) != manifest.sha256_for(path.name):
        raise ModelUnavailable(
            f"Model file {path.name} does not match the sha256 in its manifest (tampered or truncated); "
            f"{RETRAIN_HINT}."
        )
    return data


def _load_onnx(paths: ArtifactPaths, manifest: Manifest, spec: ModelSpec) -> Predictor | None:
    if "artifact" not in manifest.onnx:
        reason = manifest.onnx.get("refused", "the manifest records no ONNX conversion")
        logger.warning(
            "model %s cannot run on onnxruntime (%s); serving it with scikit-learn", spec.name, reason
        )
        return None
    data = _verified_bytes(paths.directory / manifest.onnx["artifact"], manifest)
    try:
        model = OnnxModel(data, spec, manifest.onnx.get("precision", "double"), manifest.classes or [])
    except Exception as error:  # onnxruntime's own errors; the server must start and say why
        raise ModelUnavailable(f"onnxruntime cannot load {manifest.onnx['artifact']}: {error}.") from None
    logger.info("loaded model %s %s on onnxruntime (%s)", spec.name, spec.version, model.precision)
    return Predictor(model, spec, manifest, runtime="onnx")


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
