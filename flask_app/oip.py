"""Open Inference Protocol v2 beside the contract's API, on its one blueprint: each view routes to shared_model."""

# file concern: oip

from __future__ import annotations

from typing import Any

from flask import Response, current_app, g

from flask_app.body import read_json_object
from flask_app.service import service
from flask_app.views import _serialized, blueprint
from shared_model import oip
from shared_model.oip_tensors import infer_body, read_request
from shared_model.timing import Timings


@blueprint.get("/v2")
def oip_server_metadata() -> dict[str, Any]:
    """Server metadata."""
    return oip.server_metadata()


@blueprint.get("/v2/health/live")
def oip_live() -> Response:
    """The process is serving (200, empty body)."""
    return _empty()


@blueprint.get("/v2/health/ready")
def oip_ready() -> Response:
    """The model is loaded."""
    service().model.require()
    return _empty()


@blueprint.get("/v2/models/<name>")
def oip_model_metadata(name: str) -> dict[str, Any]:
    """The model's inputs and outputs."""
    predictor, _ = service().model.require()
    oip.check_model(predictor, name)
    return oip.model_metadata(predictor)


@blueprint.get("/v2/models/<name>/ready")
def oip_model_ready(name: str) -> Response:
    """This model is loaded."""
    predictor, _ = service().model.require()
    oip.check_model(predictor, name)
    return _empty()


@blueprint.post("/v2/models/<name>/infer")
def oip_infer(name: str) -> Response:
    """Per-feature input tensors → the label (and probability) outputs, in one call to the model."""
    timings: Timings = g.timings  # each context-local read once
    serving = service()
    with timings.measure("parse"):
        payload = read_json_object(serving.settings.MAX_BODY_BYTES, oip.is_json_body)
    predictor, validator = serving.model.require()
    with timings.measure("validate"):
        oip.check_model(predictor, name)
        inference = read_request(payload, predictor, validator)
    with timings.measure("predict"):
        predictions = predictor.predict(inference.rows)
    return _serialized(infer_body(predictor, inference, predictions), timings)


def _empty() -> Response:
    # The protocol's health answers are a status and an empty body (no content type to declare).
    response = current_app.response_class(b"", status=200)
    del response.headers["Content-Type"]
    return response
