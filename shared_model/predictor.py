"""Prediction: one vectorised call into scikit-learn per batch, results as exact Python values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from shared_model.manifest import Manifest
from shared_model.spec import FeatureType, ModelSpec, Task
from shared_model.validation import Row

Label = str | int | float | bool


@dataclass(frozen=True, slots=True)
class Prediction:
    """One row's answer: the label (or value) and, for a classifier, a probability per class."""

    prediction: Label
    probabilities: dict[str, float] | None = None

    def as_dict(self) -> dict[str, Any]:
        """The contract's JSON shape; `probabilities` is omitted for a regressor."""
        if self.probabilities is None:
            return {"prediction": self.prediction}
        return {"prediction": self.prediction, "probabilities": self.probabilities}


class Predictor:
    """A loaded, verified model with its spec; read-only after construction, so safe to share across threads."""

    def __init__(self, model: Any, spec: ModelSpec, manifest: Manifest, runtime: str = "sklearn") -> None:
        self.model = model
        self.spec = spec
        self.manifest = manifest
        # Which library computes the answers: "sklearn", or "onnx" (onnxruntime on the model's ONNX conversion).
        self.runtime = runtime
        self.is_classifier = spec.task is Task.CLASSIFICATION
        self.classes: tuple[Label, ...] = tuple(model.classes_.tolist()) if self.is_classifier else ()
        self._class_keys = tuple(str(label) for label in self.classes)
        # A DataFrame costs ~3x a NumPy array per call; build one only for a model fitted on named columns.
        self._needs_frame = hasattr(model, "feature_names_in_")
        numeric = all(feature.type is not FeatureType.CATEGORY for feature in spec.features)
        self._dtype: type = np.float64 if numeric else object
        self._has_optional = any(not feature.required for feature in spec.features)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def version(self) -> str:
        return self.spec.version

    def predict(self, rows: Sequence[Row]) -> list[Prediction]:
        """Predict validated rows in one call; floats are scikit-learn's own, bit for bit."""
        matrix = self._matrix(rows)
        if not self.is_classifier:
            return [Prediction(value) for value in self.model.predict(matrix).tolist()]
        probabilities = self.model.predict_proba(matrix)
        winners = probabilities.argmax(axis=1).tolist()
        return [
            Prediction(self.classes[winner], dict(zip(self._class_keys, row, strict=True)))
            for winner, row in zip(winners, probabilities.tolist(), strict=True)
        ]

    def predict_one(self, row: Row) -> Prediction:
        """Predict a single row (a batch of one)."""
        return self.predict([row])[0]

    def model_card(self) -> dict[str, Any]:
        """The model card: identity, checksum, task, runtime, classes (classifiers only), metrics and features."""
        card: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "sha256": self.manifest.sha256,
            "task": self.spec.task.value,
            "runtime": self.runtime,
        }
        if self.is_classifier:
            card["classes"] = list(self.classes)
        card["metrics"] = dict(self.manifest.metrics)
        card["features"] = self.spec.card_features()
        if self.spec.entity is not None:
            card["entity"] = self.spec.entity.as_dict()  # what a request sends instead of the stored features
        return card

    def _matrix(self, rows: Sequence[Row]) -> Any:
        if self._has_optional:
            rows = [tuple(np.nan if value is None else value for value in row) for row in rows]
        if self._needs_frame:
            return pd.DataFrame.from_records(rows, columns=list(self.spec.feature_names))
        return np.array(rows, dtype=self._dtype)

    def __repr__(self) -> str:
        return (
            f"Predictor(name={self.name!r}, version={self.version!r}, sha256={self.manifest.sha256[:12]!r}, "
            f"runtime={self.runtime!r})"
        )
