"""The reference front end: the contract written as plain Python over `shared_model`, no framework, no server.

Every prediction a real front end returns must equal this adapter's bit for bit; every bad-input case must get the
status, code and field errors this adapter gives. It is deliberately the simplest thing that meets the contract.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from contract_tests.clients import HTTP, HttpOperations, Reply
from shared_model import (
    InvalidJson,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    Predictor,
    ServeError,
    Settings,
    UnsupportedMediaType,
    Validator,
    parse_json_object,
)
from shared_model.http import (
    JSON_MEDIA_TYPE,
    LIVE_BODY,
    batch_body,
    is_json_media_type,
    prediction_body,
    ready_body,
)

Handler = Callable[[bytes], Any]


class ReferenceFrontEnd(HttpOperations):
    """`shared_model` in-process, answering raw requests the way the contract says a front end must."""

    name = "reference"
    mode = "reference"
    kind = HTTP

    def __init__(self, predictor: Predictor, settings: Settings) -> None:
        self.predictor = predictor
        self.settings = settings
        self.model = predictor.name
        self.validator = Validator(predictor.spec, settings.MAX_BATCH)
        self.routes: dict[str, dict[str, Handler]] = {
            "/health/live": {"GET": lambda _: LIVE_BODY},
            "/health/ready": {"GET": lambda _: ready_body(predictor)},
            "/health": {"GET": lambda _: ready_body(predictor)},
            "/v1/model": {"GET": lambda _: predictor.model_card()},
            "/v1/predict": {"POST": self._predict},
            "/v1/predict/batch": {"POST": self._predict_batch},
        }

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        """Answer one request in the contract's order of checks: 404 → 405 → 415 → 413 → 400 → 422."""
        del chunked  # a chunked body is the same bytes to the contract: the limit counts what arrives
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        try:
            methods = self.routes.get(path.split("?", 1)[0])
            if methods is None:
                raise NotFound()
            handler = methods.get(method.upper())
            if handler is None:
                allow = ", ".join(sorted(methods))
                return _answer(MethodNotAllowed().status, MethodNotAllowed().body(), {"allow": allow})
            if method.upper() == "POST":
                if not is_json_media_type(lowered.get("content-type")):
                    raise UnsupportedMediaType()
                if len(body) > self.settings.MAX_BODY_BYTES:
                    raise PayloadTooLarge.over(self.settings.MAX_BODY_BYTES)
            return _answer(200, handler(body))
        except ServeError as error:
            return _answer(error.status, error.body())

    def _predict(self, body: bytes) -> dict[str, Any]:
        row = self.validator.validate_record(parse_json_object(body))
        return prediction_body(self.predictor, self.predictor.predict_one(row))

    def _predict_batch(self, body: bytes) -> dict[str, Any]:
        rows = self.validator.validate_batch(parse_json_object(body))
        return batch_body(self.predictor, self.predictor.predict(rows))

    def __repr__(self) -> str:
        return f"ReferenceFrontEnd({self.predictor!r})"


def _answer(status: int, body: object, extra: Mapping[str, str] | None = None) -> Reply:
    headers = {"content-type": JSON_MEDIA_TYPE, **(extra or {})}
    return Reply(status, json.dumps(body).encode(), headers)


__all__ = ["InvalidJson", "ReferenceFrontEnd"]
