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
from shared_model.http import batch_body, is_json_media_type, prediction_body, ready_body

Answer = tuple[int, bytes]


class Floor:
    """The least any front end must do per request; the figures of a front end are read as a ratio over this."""

    def __init__(self, predictor: Predictor | None = None) -> None:
        settings = load_settings()
        self.max_body_bytes = settings.MAX_BODY_BYTES
        self.predictor = predictor or load_model(settings.MODEL)
        self.validator = Validator(self.predictor.spec, settings.MAX_BATCH)

    def handle(self, method: str, path: str, content_type: str, body: bytes) -> Answer:
        """Answer one request as (status, JSON bytes)."""
        try:
            return 200, _dump(self._answer(method, path, content_type, body))
        except ServeError as error:
            return error.status, _dump(error.body())

    def _answer(self, method: str, path: str, content_type: str, body: bytes) -> dict[str, Any]:
        if method == "GET" and path in ("/health/ready", "/health"):
            return ready_body(self.predictor)
        if method != "POST" or path not in ("/v1/predict", "/v1/predict/batch"):
            raise NotFound()
        if not is_json_media_type(content_type):
            raise UnsupportedMediaType()
        if len(body) > self.max_body_bytes:
            raise PayloadTooLarge.over(self.max_body_bytes)
        data = parse_json_object(body)
        if path == "/v1/predict":
            prediction = self.predictor.predict_one(self.validator.validate_record(data))
            return prediction_body(self.predictor, prediction)
        return batch_body(self.predictor, self.predictor.predict(self.validator.validate_batch(data)))


def _dump(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


__all__ = ["Answer", "Floor", "InvalidJson"]
