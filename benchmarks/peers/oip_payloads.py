"""Open Inference Protocol v2 as a client speaks it: records to an infer request, an infer answer to predictions.

One named input per feature, of shape [n], as MLServer's pandas codec reads a table (`content_type: pd`), and the
two outputs of its scikit-learn runtime: the label (`predict`) and, for a classifier, the probabilities.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from shared_model.predictor import Prediction, Predictor
from shared_model.spec import FeatureType, ModelSpec

# 64-bit types, so every JSON number reaches the model as the float or int our own parser makes of it.
DATATYPES = {
    FeatureType.INTEGER: "INT64",
    FeatureType.NUMBER: "FP64",
    FeatureType.BOOLEAN: "BOOL",
    FeatureType.CATEGORY: "BYTES",
}
PREDICT_OUTPUT = "predict"
PROBA_OUTPUT = "predict_proba"


class AnswerMismatch(ValueError):
    """An infer answer that does not have the outputs or shapes asked for."""


def infer_path(model_name: str) -> str:
    """`/v2/models/NAME/infer`."""
    return f"/v2/models/{model_name}/infer"


def infer_request(spec: ModelSpec, records: Sequence[dict[str, Any]], classifier: bool) -> dict[str, Any]:
    """The infer request for `records`: a column per feature, the label and (classifier) probabilities asked for."""
    inputs = []
    for feature in spec.features:
        tensor: dict[str, Any] = {
            "name": feature.name,
            "shape": [len(records)],
            "datatype": DATATYPES[feature.type],
            "data": [record[feature.name] for record in records],
        }
        if feature.type is FeatureType.CATEGORY:
            tensor["parameters"] = {"content_type": "str"}
        inputs.append(tensor)
    outputs = [{"name": PREDICT_OUTPUT}, *([{"name": PROBA_OUTPUT}] if classifier else [])]
    return {"parameters": {"content_type": "pd"}, "inputs": inputs, "outputs": outputs}


def infer_bodies(predictor: Predictor, records: Sequence[dict[str, Any]]) -> list[bytes]:
    """One single-record infer request per record, encoded: the load generators' bodies for an OIP target."""
    return [
        json.dumps(infer_request(predictor.spec, [record], predictor.is_classifier)).encode()
        for record in records
    ]


def predictions(answer: dict[str, Any], predictor: Predictor) -> list[Prediction]:
    """The predictions in an infer answer, probabilities keyed by class as in our own answers."""
    outputs = {output.get("name"): output for output in answer.get("outputs", [])}
    if PREDICT_OUTPUT not in outputs or (predictor.is_classifier and PROBA_OUTPUT not in outputs):
        raise AnswerMismatch(f"outputs {sorted(map(str, outputs))} lack what was asked for")
    labels = list(outputs[PREDICT_OUTPUT]["data"])
    if not predictor.is_classifier:
        return [Prediction(label) for label in labels]
    width = len(predictor.classes)
    flat = list(outputs[PROBA_OUTPUT]["data"])
    if len(flat) != width * len(labels):
        raise AnswerMismatch(f"{len(flat)} probabilities for {len(labels)} rows of {width} classes")
    keys = [str(label) for label in predictor.classes]
    return [
        Prediction(label, dict(zip(keys, flat[row * width : (row + 1) * width], strict=True)))
        for row, label in enumerate(labels)
    ]
