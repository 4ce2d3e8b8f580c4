"""The HTTP contract as an OpenAPI 3.1 document, built from a ModelSpec: every front end serves this one."""

from __future__ import annotations

from typing import Any, NamedTuple

from shared_model.errors import ERROR_TYPES, ServeError
from shared_model.oip_openapi import oip_paths, oip_responses, oip_schemas
from shared_model.openapi_schema import closed_object, schema_ref
from shared_model.spec import FEATURE_KEYS, ModelSpec, Task

OPENAPI_VERSION = "3.1.0"
JSON = "application/json"
COMMON_ERRORS = (405, 500)  # any route can be asked with the wrong method, and any route can fail
MODEL_ERRORS = (503,)  # every route that needs the loaded model
BODY_ERRORS = (415, 413, 400, 422)  # in the order the checks run


class Route(NamedTuple):
    """One operation of the contract: where, what it answers, what it reads, and which errors it can add."""

    path: str
    method: str
    operation_id: str
    summary: str
    response: str | None  # a component schema name; None for the text exposition of /metrics
    request: str | None = None
    errors: tuple[int, ...] = ()


ROUTES: tuple[Route, ...] = (
    Route("/health/live", "get", "live", "The process is serving.", "Live"),
    Route(
        "/health/ready",
        "get",
        "ready",
        "The model is loaded; the server is ready.",
        "Ready",
        None,
        MODEL_ERRORS,
    ),
    Route("/health", "get", "health", "Alias of /health/ready.", "Ready", None, MODEL_ERRORS),
    Route("/v1/model", "get", "model_card", "The model card.", "ModelCard", None, MODEL_ERRORS),
    Route(
        "/v1/predict",
        "post",
        "predict",
        "Predict one record.",
        "PredictResponse",
        "Record",
        BODY_ERRORS + MODEL_ERRORS,
    ),
    Route(
        "/v1/predict/batch",
        "post",
        "predict_batch",
        "Predict a batch of records in one vectorised call.",
        "BatchResponse",
        "Batch",
        BODY_ERRORS + MODEL_ERRORS,
    ),
    Route("/openapi.json", "get", "openapi", "This document.", "OpenApiDocument", None, MODEL_ERRORS),
    Route("/metrics", "get", "metrics", "Prometheus metrics (text exposition format).", None),
)
TRACE_HEADERS = {
    "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
    "Server-Timing": {"$ref": "#/components/headers/Server-Timing"},
}


def openapi_document(spec: ModelSpec, max_batch: int) -> dict[str, Any]:
    """The whole OpenAPI 3.1 document of the contract for `spec`, with batches of 1 to `max_batch` records."""
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"servebench: {spec.name}",
            "version": spec.version,
            "description": spec.description or f"Predictions of the {spec.name} model.",
        },
        "paths": {
            **{route.path: {route.method: _operation(route)} for route in ROUTES},
            **oip_paths(spec, TRACE_HEADERS),
        },
        "components": {
            "schemas": {**_schemas(spec, max_batch), **oip_schemas(spec, max_batch)},
            "responses": {
                **{error.code: _error_response(error) for error in ERROR_TYPES},
                **oip_responses(TRACE_HEADERS),
            },
            "headers": {
                "X-Request-ID": {
                    "description": "The client's X-Request-ID when it is a sane token, else a new one.",
                    "schema": {"type": "string"},
                },
                "Server-Timing": {
                    "description": "Durations of the request's segments (parse, validate, predict, serialize).",
                    "schema": {"type": "string"},
                },
            },
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    if route.response is not None:
        content: dict[str, Any] = {JSON: {"schema": schema_ref(route.response)}}
    else:
        content = {"text/plain": {"schema": {"type": "string"}}}
    responses: dict[str, Any] = {"200": {"description": "OK", "headers": TRACE_HEADERS, "content": content}}
    for status in sorted((*route.errors, *COMMON_ERRORS)):
        responses[str(status)] = {"$ref": f"#/components/responses/{_code(status)}"}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.summary,
        "responses": responses,
    }
    if route.request is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": schema_ref(route.request)}},
        }
    return operation


def _schemas(spec: ModelSpec, max_batch: int) -> dict[str, Any]:
    record = spec.json_schema()
    prediction: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if spec.task is Task.CLASSIFICATION:
        probabilities = {
            "type": "object",
            "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
        }
        prediction["properties"] = {
            "prediction": {"type": ["string", "number", "boolean"]},
            "probabilities": probabilities,
        }
        prediction["required"] = ["prediction", "probabilities"]
    else:
        prediction["properties"] = {"prediction": {"type": "number"}}
        prediction["required"] = ["prediction"]
    identity = {
        "model": {"type": "string", "const": spec.name},
        "version": {"type": "string", "const": spec.version},
    }
    return {
        "Record": record,
        "Batch": closed_object(
            {
                "instances": {
                    "type": "array",
                    "items": schema_ref("Record"),
                    "minItems": 1,
                    "maxItems": max_batch,
                    "description": f"1 to {max_batch} records",
                }
            },
            examples=[{"instances": [spec.example_record()]}],
        ),
        "Prediction": prediction,
        "PredictResponse": {
            **prediction,
            "properties": {**prediction["properties"], **identity},
            "required": [*prediction["required"], "model", "version"],
        },
        "BatchResponse": closed_object(
            {"predictions": {"type": "array", "items": schema_ref("Prediction")}, **identity}
        ),
        "Live": closed_object({"status": {"type": "string", "const": "live"}}),
        "Ready": closed_object({"status": {"type": "string", "const": "ok"}, **identity}),
        "ModelCard": _model_card(spec),
        "Feature": closed_object({key: {} for key in FEATURE_KEYS}, required=["name", "type", "required"]),
        "OpenApiDocument": {"type": "object"},
        "FieldError": closed_object(
            {
                "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                "msg": {"type": "string"},
                "type": {"type": "string"},
            }
        ),
        "Error": closed_object(
            {
                "error": closed_object(
                    {
                        "code": {"type": "string", "enum": [error.code for error in ERROR_TYPES]},
                        "message": {"type": "string"},
                        "details": {"type": "array", "items": schema_ref("FieldError")},
                    }
                )
            }
        ),
    }


def _model_card(spec: ModelSpec) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": {"type": "string", "const": spec.name},
        "version": {"type": "string", "const": spec.version},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "task": {"type": "string", "const": spec.task.value},
        "runtime": {"type": "string", "enum": ["sklearn", "onnx"]},
        "classes": {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        "metrics": {"type": "object", "additionalProperties": {"type": "number"}},
        "features": {"type": "array", "items": schema_ref("Feature")},
    }
    required = [key for key in properties if key != "classes" or spec.task is Task.CLASSIFICATION]
    if spec.task is not Task.CLASSIFICATION:
        del properties["classes"]
    if spec.entity is not None:
        properties["entity"] = schema_ref("Feature")
        required.append("entity")
    return closed_object(properties, required=required)


def _error_response(error: type[ServeError]) -> dict[str, Any]:
    example = error().body()
    return {
        "description": f"{error.status} {error.code}: {error.default_message}",
        "headers": TRACE_HEADERS,
        "content": {JSON: {"schema": schema_ref("Error"), "example": example}},
    }


def _code(status: int) -> str:
    return next(error.code for error in ERROR_TYPES if error.status == status)
