"""The one blueprint: each view translates the request, calls shared_model, and translates the answer back."""

# file concern: routing

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g

from flask_app.body import read_json_object
from flask_app.metrics import METRICS
from flask_app.service import Service, service
from shared_model.http import JSON_MEDIA_TYPE, LIVE_BODY, batch_body, json_bytes, prediction_body, ready_body
from shared_model.timing import Timings

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
    timings, serving, record = _parsed()
    predictor, validator = serving.model.require()
    with timings.measure("validate"):
        row = validator.validate_record(record)
    # concern: feature_store
    if serving.store is not None:
        with timings.measure("lookup"):
            row = serving.store.complete([row])[0]
    with timings.measure("predict"):
        prediction = serving.batcher.predict(row) if serving.batcher else predictor.predict_one(row)
    return _serialized(prediction_body(predictor, prediction), timings)


@blueprint.post("/v1/predict/batch")
def predict_batch() -> Response:
    """`{"instances": [...]}` → one prediction per record, in one call to the model."""
    timings, serving, batch = _parsed()
    predictor, validator = serving.model.require()
    with timings.measure("validate"):
        rows = validator.validate_batch(batch)
    # concern: feature_store
    if serving.store is not None:
        with timings.measure("lookup"):
            rows = serving.store.complete(rows, batch=True)
    with timings.measure("predict"):
        predictions = predictor.predict(rows)
    return _serialized(batch_body(predictor, predictions), timings)


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


def _parsed() -> tuple[Timings, Service, JsonBody]:
    # Each read of `g` or of the app goes through a context-local proxy, so each is read once, here.
    timings: Timings = g.timings
    serving = service()
    with timings.measure("parse"):
        return timings, serving, read_json_object(serving.settings.MAX_BODY_BYTES)


def _serialized(payload: JsonBody, timings: Timings) -> Response:
    # Serialised here rather than by Flask after the view, so that Server-Timing can show it apart.
    with timings.measure("serialize"):
        return Response(json_bytes(payload), mimetype=JSON_MEDIA_TYPE)
