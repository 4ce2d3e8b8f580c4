"""The framework-free request handler both baseline apps wrap: shared parse, validation and prediction only."""

from __future__ import annotations

import json
from typing import Any

from shared_model import (
    InvalidJson,
    NotFound,
    PayloadTooLarge,
    Predictor,
    ServeError,
    UnsupportedMediaType,
    Validator,
    load_model,
    load_settings,
    parse_json_object,
)

Answer = tuple[int, bytes]
JSON_TYPE = "application/json"


class Floor:
    """The least any front end must do per request; the figures of a front end are read as a ratio over this."""

    def __init__(self, predictor: Predictor | None = None) -> None:
        settings = load_settings()
        self.max_body_bytes = settings.MAX_BODY_BYTES
        self.predictor = predictor or load_model(settings.MODEL)
        self.validator = Validator(self.predictor.spec, settings.MAX_BATCH)
        self.identity = {"model": self.predictor.name, "version": self.predictor.version}

    def handle(self, method: str, path: str, content_type: str, body: bytes) -> Answer:
        """Answer one request as (status, JSON bytes)."""
        try:
            return 200, _dump(self._answer(method, path, content_type, body))
        except ServeError as error:
            return error.status, _dump(error.body())

    def _answer(self, method: str, path: str, content_type: str, body: bytes) -> dict[str, Any]:
        if method == "GET" and path in ("/health/ready", "/health"):
            return {"status": "ok", **self.identity}
        if method != "POST" or path not in ("/v1/predict", "/v1/predict/batch"):
            raise NotFound()
        if not content_type.startswith(JSON_TYPE):
            raise UnsupportedMediaType()
        if len(body) > self.max_body_bytes:
            raise PayloadTooLarge()
        data = parse_json_object(body)
        if path == "/v1/predict":
            prediction = self.predictor.predict_one(self.validator.validate_record(data))
            return {**prediction.as_dict(), **self.identity}
        predictions = self.predictor.predict(self.validator.validate_batch(data))
        return {"predictions": [p.as_dict() for p in predictions], **self.identity}


def _dump(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


__all__ = ["JSON_TYPE", "Answer", "Floor", "InvalidJson"]
