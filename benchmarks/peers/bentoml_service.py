"""The BentoML peer: a `@bentoml.service` whose API takes the same JSON record as our `POST /v1/predict`.

Run by the BentoML venv's interpreter, never imported by servebench (BentoML is not installed there). It reads the
model's description (`peer-model.json`, written by `benchmarks.peers.staging`) from its working folder.
`python bentoml_service.py` saves the verified artifact into the model store with `bentoml.sklearn.save_model`;
`bentoml serve bentoml_service:PeerModel` then loads it back with `bentoml.sklearn.load_model`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bentoml
import joblib
import numpy as np
import pandas as pd
from pydantic import ConfigDict, create_model

DESCRIPTION = json.loads((Path(__file__).resolve().parent / "peer-model.json").read_text(encoding="utf-8"))
FEATURES: list[str] = DESCRIPTION["features"]
PYTHON_TYPES = {"integer": int, "number": float, "boolean": bool, "category": str}
TAG = f"{DESCRIPTION['name']}:{DESCRIPTION['sha256'][:16]}"


class RecordBase(bentoml.IODescriptor):
    """A request body that is the record itself, as for /v1/predict: one field per feature, nothing else."""

    model_config = ConfigDict(extra="forbid")


Record = create_model(  # type: ignore[call-overload]
    "Record",
    __base__=RecordBase,
    **{name: (PYTHON_TYPES[kind], ...) for name, kind in zip(FEATURES, DESCRIPTION["types"], strict=True)},
)


@bentoml.service(workers=1)  # one worker process, as our front ends are measured against it
class PeerModel:
    """The artifact behind one API; the answer is the same body as /v1/predict's."""

    def __init__(self) -> None:
        self.model = bentoml.sklearn.load_model(TAG)
        self.classes = self.model.classes_.tolist() if DESCRIPTION["classifier"] else []
        self.frame = hasattr(self.model, "feature_names_in_")

    @bentoml.api(route="/v1/predict", input_spec=Record)
    def predict(self, **record: Any) -> dict[str, Any]:
        """One record's prediction (and a classifier's probabilities), with the model's name and version."""
        row = [[record[name] for name in FEATURES]]
        matrix = pd.DataFrame(row, columns=FEATURES) if self.frame else np.array(row, dtype=object)
        answer: dict[str, Any]
        if DESCRIPTION["classifier"]:
            probabilities = self.model.predict_proba(matrix)[0].tolist()
            winner = self.classes[int(np.argmax(probabilities))]
            keys = [str(label) for label in self.classes]
            answer = {"prediction": winner, "probabilities": dict(zip(keys, probabilities, strict=True))}
        else:
            answer = {"prediction": self.model.predict(matrix).tolist()[0]}
        return {**answer, "model": DESCRIPTION["name"], "version": DESCRIPTION["version"]}


if __name__ == "__main__":
    # The artifact's copy was verified by sha256 before this runs; the store keeps it under a tag of that sha.
    bentoml.sklearn.save_model(TAG, joblib.load(DESCRIPTION["artifact"]))
