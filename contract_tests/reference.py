"""The reference front end: the contract written as plain Python over `shared_model`, no framework, no server.

Every prediction a real front end returns must equal this adapter's bit for bit; every bad-input case must get the
status, code and field errors this adapter gives. It is deliberately the simplest thing that meets the contract.
"""

from __future__ import annotations

import json
import re
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
from shared_model.oip import (
    check_model,
    error_body_for,
    is_json_body,
    is_oip_path,
    model_metadata,
    server_metadata,
)
from shared_model.oip_tensors import infer_body, read_request

Handler = Callable[[bytes], Any]
OIP_MODEL_ROUTE = re.compile(r"/v2/models/([^/]+)(/ready|/infer)?")
EMPTY = object()  # a handler's answer of 200 with an empty body (the protocol's health answers)


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
            "/v2": {"GET": lambda _: server_metadata()},
            "/v2/health/live": {"GET": lambda _: EMPTY},
            "/v2/health/ready": {"GET": lambda _: EMPTY},
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
        route = path.split("?", 1)[0]
        try:
            answer = self.answer(method, route, body, headers)
        except ServeError as error:
            extra = {"allow": ", ".join(sorted(self._methods(route) or ()))} if error.status == 405 else None
            return _answer(error.status, error_body_for(route, error), extra)
        if answer is EMPTY:
            return Reply(200, b"", {})
        return _answer(200, answer)

    def answer(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Any:
        """The 200 body of one request, or the ServeError it is refused with (for its status, code and details)."""
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        methods = self._methods(path)
        if methods is None:
            raise NotFound()
        handler = methods.get(method.upper())
        if handler is None:
            raise MethodNotAllowed()
        if method.upper() == "POST":
            is_json = is_json_body if is_oip_path(path) else is_json_media_type
            if not is_json(lowered.get("content-type")):
                raise UnsupportedMediaType()
            if len(body) > self.settings.MAX_BODY_BYTES:
                raise PayloadTooLarge.over(self.settings.MAX_BODY_BYTES)
        return handler(body)

    def _methods(self, path: str) -> dict[str, Handler] | None:
        found = self.routes.get(path)
        if found is not None or (match := OIP_MODEL_ROUTE.fullmatch(path)) is None:
            return found
        name, action = match.groups()
        if action == "/infer":
            return {"POST": lambda body: self._infer(name, body)}
        if action == "/ready":
            return {"GET": lambda _: self._named(name, EMPTY)}
        return {"GET": lambda _: self._named(name, model_metadata(self.predictor))}

    def _named(self, name: str, answer: Any) -> Any:
        check_model(self.predictor, name)
        return answer

    def _infer(self, name: str, body: bytes) -> dict[str, Any]:
        payload = parse_json_object(body)
        check_model(self.predictor, name)
        inference = read_request(payload, self.predictor, self.validator)
        return infer_body(self.predictor, inference, self.predictor.predict(inference.rows))

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
