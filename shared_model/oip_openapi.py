"""The Open Inference Protocol v2 routes in the OpenAPI document: paths, schemas and OIP's error responses."""

from __future__ import annotations

from typing import Any

from shared_model.errors import ERROR_TYPES, ModelUnavailable, NotFound, ServeError
from shared_model.oip import DATATYPES, PREDICT_OUTPUT, PREFIX, PROBA_OUTPUT, error_body
from shared_model.openapi_schema import closed_object, schema_ref
from shared_model.spec import ModelSpec

JSON = "application/json"
NAME_PARAMETER = "name"
COMMON_ERRORS = (405, 500)
BODY_ERRORS = (400, 413, 415, 422)
# (path, method, operationId, summary, response schema or None for an empty body, request schema, errors)
OPERATIONS: tuple[tuple[str, str, str, str, str | None, str | None, tuple[int, ...]], ...] = (
    ("", "get", "oip_server_metadata", "OIP v2: server metadata.", "OipServerMetadata", None, ()),
    ("/health/live", "get", "oip_live", "OIP v2: the process is serving (empty body).", None, None, ()),
    ("/health/ready", "get", "oip_ready", "OIP v2: the model is loaded (empty body).", None, None, (503,)),
    (
        "/models/{name}",
        "get",
        "oip_model_metadata",
        "OIP v2: the model's inputs (one per feature) and outputs.",
        "OipModelMetadata",
        None,
        (404, 503),
    ),
    (
        "/models/{name}/ready",
        "get",
        "oip_model_ready",
        "OIP v2: this model is loaded.",
        None,
        None,
        (404, 503),
    ),
    (
        "/models/{name}/infer",
        "post",
        "oip_infer",
        "OIP v2: per-feature input tensors to the predict (and predict_proba) outputs, in one call.",
        "OipInferenceResponse",
        "OipInferenceRequest",
        (*BODY_ERRORS, 404, 503),
    ),
)
OUTPUTS = (PREDICT_OUTPUT, PROBA_OUTPUT)
SCALAR = ["number", "string", "boolean"]
# A value of a tensor's data: a scalar, or (shape [n, 1] written nested) a list of one scalar.
VALUE = {"type": [*SCALAR, "array"], "items": {"type": SCALAR}, "minItems": 1, "maxItems": 1}
# The status each documented error answers with, by the error it stands for (404 is a route or model not found).
ERROR_BY_STATUS: dict[int, type[ServeError]] = {
    **{error.status: error for error in reversed(ERROR_TYPES)},
    404: NotFound,
    503: ModelUnavailable,
}


def oip_paths(spec: ModelSpec, trace_headers: dict[str, Any]) -> dict[str, Any]:
    """The protocol's operations, keyed by path; the model's name is the only value its `{name}` takes."""
    paths: dict[str, Any] = {}
    for path, method, operation_id, summary, response, request, errors in OPERATIONS:
        ok: dict[str, Any] = {"description": "OK", "headers": trace_headers}
        if response is not None:
            ok["content"] = {JSON: {"schema": schema_ref(response)}}
        operation: dict[str, Any] = {
            "operationId": operation_id,
            "summary": summary,
            "responses": {
                "200": ok,
                **{str(status): _error_ref(status) for status in sorted((*errors, *COMMON_ERRORS))},
            },
        }
        if "{name}" in path:
            operation["parameters"] = [
                {
                    "name": NAME_PARAMETER,
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": [spec.name]},
                }
            ]
        if request is not None:
            operation["requestBody"] = {"required": True, "content": {JSON: {"schema": schema_ref(request)}}}
        paths[PREFIX + path] = {method: operation}
    return paths


def oip_responses(trace_headers: dict[str, Any]) -> dict[str, Any]:
    """OIP's error body for every error of the catalogue, as `oip_CODE` components."""
    return {
        f"oip_{error.code}": {
            "description": f"{error.status} {error.code}, in OIP's error shape",
            "headers": trace_headers,
            "content": {JSON: {"schema": schema_ref("OipError"), "example": error_body(error())}},
        }
        for error in ERROR_TYPES
    }


def oip_schemas(spec: ModelSpec, max_batch: int) -> dict[str, Any]:
    """The protocol's request and answer bodies (cross-field rules, such as one `n` for all inputs, in prose)."""
    parameters = {"type": "object", "additionalProperties": {"type": ["boolean", "number", "string"]}}
    tensor_metadata = closed_object(
        {"name": {"type": "string"}, "datatype": {"type": "string"}, "shape": _integers()}
    )
    datatypes = sorted({datatype for admitted in DATATYPES.values() for datatype in admitted})
    return {
        "OipServerMetadata": closed_object(
            {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "extensions": {"type": "array", "items": {"type": "string"}},
            }
        ),
        "OipModelMetadata": closed_object(
            {
                "name": {"type": "string", "const": spec.name},
                "versions": {"type": "array", "items": {"type": "string"}},
                "platform": {"type": "string"},
                "inputs": {"type": "array", "items": tensor_metadata},
                "outputs": {"type": "array", "items": tensor_metadata},
            }
        ),
        "OipInferenceRequest": closed_object(
            {
                "id": {"type": "string"},
                "parameters": parameters,
                "inputs": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": len(spec.features),
                    "items": closed_object(
                        {
                            "name": {"type": "string", "enum": list(spec.feature_names)},
                            "shape": {**_integers(minimum=0), "minItems": 1, "maxItems": 2},
                            "datatype": {"type": "string", "enum": datatypes},
                            "parameters": parameters,
                            "data": {"type": "array", "maxItems": max_batch, "items": VALUE},
                        },
                        required=["name", "shape", "datatype", "data"],
                    ),
                    "description": "One input per feature, shape [n] or [n, 1], the same n for all, 1 to MAX_BATCH.",
                },
                "outputs": {
                    "type": "array",
                    "items": closed_object(
                        {"name": {"type": "string", "enum": list(OUTPUTS)}, "parameters": parameters},
                        required=["name"],
                    ),
                },
            },
            required=["inputs"],
        ),
        "OipInferenceResponse": closed_object(
            {
                "model_name": {"type": "string", "const": spec.name},
                "model_version": {"type": "string", "const": spec.version},
                "id": {"type": "string"},
                "outputs": {
                    "type": "array",
                    "items": closed_object({**tensor_metadata["properties"], "data": {"type": "array"}}),
                },
            },
            required=["model_name", "model_version", "outputs"],
        ),
        "OipError": closed_object({"error": {"type": "string"}}),
    }


def _error_ref(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/oip_{ERROR_BY_STATUS[status].code}"}


def _integers(**bounds: int) -> dict[str, Any]:
    return {"type": "array", "items": {"type": "integer", **bounds}}
