"""A peer's model folder: a copy of our artifact, verified by sha256 before any peer may read it."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared_model.artifacts import resolve, sha256_of
from shared_model.predictor import Predictor

ARTIFACT_NAME = "model.joblib"  # one of MLServer's well-known names; BentoML is given the path
DESCRIPTION_NAME = "peer-model.json"


class StagingFailed(RuntimeError):
    """The copy of the artifact does not match the sha256 in its manifest."""


@dataclass(frozen=True, slots=True)
class StagedModel:
    """The verified copy of the artifact, and what a peer needs to know of the spec."""

    folder: Path
    artifact: Path
    sha256: str


def stage(predictor: Predictor, model: str, folder: Path) -> StagedModel:
    """Copy `model`'s artifact into `folder`, check the copy's sha256 against the manifest, describe the spec."""
    spec = predictor.spec
    artifact = folder / ARTIFACT_NAME
    shutil.copyfile(resolve(model).artifact, artifact)
    digest = sha256_of(artifact.read_bytes())
    if digest != predictor.manifest.sha256:
        raise StagingFailed(
            f"the copy of {spec.name!r} has sha256 {digest}, its manifest says {predictor.manifest.sha256}"
        )
    (folder / DESCRIPTION_NAME).write_text(json.dumps(description(predictor, artifact)), encoding="utf-8")
    return StagedModel(folder, artifact, digest)


def description(predictor: Predictor, artifact: Path) -> dict[str, Any]:
    """What a peer's service reads: the artifact, the features in the model's column order, the task."""
    return {
        "name": predictor.name,
        "version": predictor.version,
        "artifact": str(artifact),
        "sha256": predictor.manifest.sha256,
        "features": list(predictor.spec.feature_names),
        "types": [feature.type.value for feature in predictor.spec.features],
        "classifier": predictor.is_classifier,
    }
