"""The one blueprint: each view translates the request, calls shared_model, and translates the answer back."""

# file concern: routing

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g

from flask_app.body import read_json_object
from flask_app.metrics import METRICS
from flask_app.service import service
from shared_model.http import JSON_MEDIA_TYPE, LIVE_BODY, batch_body, json_bytes, prediction_body, ready_body

blueprint = Blueprint("contract", __name__)
JsonBody = dict[str, Any]


@blueprint.get("/health/live")
def live() -> JsonBody:
    """The process is serving."""
    return LIVE_BODY


@blueprint.get("/health/ready")
@blueprint.get("/health")
def ready() -> JsonBody:
    """The model is loaded."""
    predictor, _ = service().model.require()
    return ready_body(predictor)


@blueprint.get("/v1/model")
def model_card() -> JsonBody:
    """The model card."""
    predictor, _ = service().model.require()
    return predictor.model_card()


@blueprint.post("/v1/predict")
def predict() -> Response:
    """One record → one prediction."""
    with g.timings.measure("parse"):
        record = read_json_object(service().settings.MAX_BODY_BYTES)
    predictor, validator = service().model.require()
    with g.timings.measure("validate"):
        row = validator.validate_record(record)
    # concern: feature_store
    if (store := service().store) is not None:
        with g.timings.measure("lookup"):
            row = store.complete([row])[0]
    batcher = service().batcher
    with g.timings.measure("predict"):
        prediction = batcher.predict(row) if batcher else predictor.predict_one(row)
    return _serialized(prediction_body(predictor, prediction))


@blueprint.post("/v1/predict/batch")
def predict_batch() -> Response:
    """`{"instances": [...]}` → one prediction per record, in one call to the model."""
    with g.timings.measure("parse"):
        batch = read_json_object(service().settings.MAX_BODY_BYTES)
    predictor, validator = service().model.require()
    with g.timings.measure("validate"):
        rows = validator.validate_batch(batch)
    # concern: feature_store
    if (store := service().store) is not None:
        with g.timings.measure("lookup"):
            rows = store.complete(rows, batch=True)
    with g.timings.measure("predict"):
        predictions = predictor.predict(rows)
    return _serialized(batch_body(predictor, predictions))


# concern: docs
@blueprint.get("/openapi.json")
def openapi() -> JsonBody:
    """The OpenAPI 3.1 document, generated from the model's spec."""
    service().model.require()
    document = service().model.openapi
    assert document is not None
    return document


# concern: observability
@blueprint.get("/metrics")
def metrics() -> Response:
    """Prometheus metrics of every worker of this server."""
    payload, content_type = METRICS.exposition()
    return Response(payload, content_type=content_type)


def _serialized(payload: JsonBody) -> Response:
    # Serialised here rather than by Flask after the view, so that Server-Timing can show it apart.
    with g.timings.measure("serialize"):
        return current_app.response_class(json_bytes(payload), mimetype=JSON_MEDIA_TYPE)
