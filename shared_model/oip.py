"""Open Inference Protocol v2 (KServe's REST data plane): its paths, its error body, and metadata from the spec.

Light on purpose (no NumPy, no pydantic): nginx's configuration and both error translators use it. The tensors of
an inference request and answer are translated in `shared_model.oip_tensors`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from shared_model.errors import NotFound, ServeError
from shared_model.http import is_json_media_type
from shared_model.spec import FeatureType, Task

if TYPE_CHECKING:  # the launchers build nginx's configuration from this module and must not load NumPy
    from shared_model.predictor import Label, Predictor

PREFIX = "/v2"
# Infer is a prediction: it counts against the in-flight limit like /v1/predict (app and nginx alike).
INFER_PATH = re.compile(r"/v2/models/[^/]+/infer")
INFER_PATTERN = INFER_PATH.pattern.removeprefix("/")
SERVER_NAME = "servebench"
SERVER_VERSION = "0.1.0"  # pyproject's version: servebench is run from its tree, never installed
PLATFORM = "scikit-learn"
# The outputs as MLServer's scikit-learn runtime names them, so that a client of one is a client of the other.
PREDICT_OUTPUT = "predict"
PROBA_OUTPUT = "predict_proba"
# The datatype each feature type is declared with in the model's metadata; the second also admitted, as it widens
# to the first exactly (a client holding float32 or int32 arrays sends them as they are).
DATATYPES: dict[FeatureType, tuple[str, ...]] = {
    FeatureType.INTEGER: ("INT64", "INT32"),
    FeatureType.NUMBER: ("FP64", "FP32"),
    FeatureType.BOOLEAN: ("BOOL",),
    FeatureType.CATEGORY: ("BYTES",),
}
BATCH_DIMENSION = -1  # a dimension of any size, in metadata shapes

JsonBody = dict[str, Any]


def is_oip_path(path: str) -> bool:
    """Whether `path` belongs to the protocol, whose errors then take its shape (`/v2` and all below it)."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def is_json_body(content_type: str | None) -> bool:
    """An inference request's body is JSON when it says so, or says nothing (Triton's own client sends no type)."""
    return not content_type or is_json_media_type(content_type)


def is_infer_path(path: str) -> bool:
    """Whether `path` is an inference request (`/v2/models/NAME/infer`)."""
    return path.startswith("/v2/models/") and INFER_PATH.fullmatch(path) is not None


def error_text(error: ServeError) -> str:
    """One line for the protocol's error string: `code: message`, then each field error as `place: msg`."""
    text = f"{error.code}: {error.message}"
    problems = [
        f"{'.'.join(str(part) for part in detail['loc'])}: {detail['msg']}"
        for detail in error.details
        if isinstance(detail, dict) and "loc" in detail and "msg" in detail
    ]
    return f"{text} [{'; '.join(problems)}]" if problems else text


def error_body(error: ServeError) -> dict[str, str]:
    """The protocol's error body, `{"error": TEXT}`; the status stays the catalogue's."""
    return {"error": error_text(error)}


def error_body_for(path: str, error: ServeError) -> dict[str, Any]:
    """The error body a request to `path` gets: the protocol's under `/v2`, the contract's everywhere else."""
    return dict(error_body(error)) if is_oip_path(path) else dict(error.body())


def server_metadata() -> JsonBody:
    """The body of `GET /v2`."""
    return {"name": SERVER_NAME, "version": SERVER_VERSION, "extensions": []}


def check_model(predictor: Predictor, name: str) -> None:
    """Raise NotFound (404) unless `name` is the served model's name."""
    if name != predictor.name:
        raise NotFound(f"Model {name!r} is not served here; this server serves {predictor.name!r}.")


def model_metadata(predictor: Predictor) -> JsonBody:
    """The body of `GET /v2/models/NAME`: one input per feature, in spec order, and the outputs infer returns."""
    spec = predictor.spec
    inputs = [
        {"name": feature.name, "datatype": DATATYPES[feature.type][0], "shape": [BATCH_DIMENSION]}
        for feature in spec.features
    ]
    outputs = [{"name": PREDICT_OUTPUT, "datatype": label_datatype(predictor), "shape": [BATCH_DIMENSION, 1]}]
    if spec.task is Task.CLASSIFICATION:
        outputs.append(
            {"name": PROBA_OUTPUT, "datatype": "FP64", "shape": [BATCH_DIMENSION, len(predictor.classes)]}
        )
    return {
        "name": spec.name,
        "versions": [spec.version],
        "platform": PLATFORM,
        "inputs": inputs,
        "outputs": outputs,
    }


def output_names(predictor: Predictor) -> tuple[str, ...]:
    """The outputs this model answers, in the order infer returns them when none are asked for."""
    return (PREDICT_OUTPUT, PROBA_OUTPUT) if predictor.is_classifier else (PREDICT_OUTPUT,)


def label_datatype(predictor: Predictor) -> str:
    """The datatype of the `predict` output: the classes' type for a classifier, FP64 for a regressor."""
    if not predictor.is_classifier:
        return "FP64"
    return _datatype_of(predictor.classes)


def _datatype_of(labels: tuple[Label, ...]) -> str:
    if all(isinstance(label, bool) for label in labels):
        return "BOOL"
    if all(isinstance(label, int) and not isinstance(label, bool) for label in labels):
        return "INT64"
    if all(isinstance(label, float) for label in labels):
        return "FP64"
    return "BYTES"
