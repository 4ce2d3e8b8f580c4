"""The HTTP contract's framework-free rules: request ids, JSON media types, body limits and the answer bodies.

Every front end (and the reference oracle, and the framework-free floors) follows these; a front end only wires
them into its framework.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from shared_model.errors import PayloadTooLarge

if TYPE_CHECKING:  # the launchers use this module's rules and must not load NumPy for them
    from shared_model.predictor import Prediction, Predictor

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
JSON_MEDIA_TYPE = "application/json"
# Bodies are read in chunks of this size, never kept beyond the limit.
CHUNK_BYTES = 64 * 1024
# After refusing a body, read and drop at most this much more of it, so that a client still sending gets the 413
# rather than a reset connection (a larger body is cut off and its connection closed).
DRAIN_BYTES = 8 * 1024 * 1024
LIVE_BODY: dict[str, str] = {"status": "live"}
# CORS, when origins are configured: the request headers a browser may send, the response headers its page may
# read, and how long it may cache a preflight's answer.
CORS_ALLOWED_HEADERS = ("Content-Type", "X-Request-ID")
CORS_EXPOSED_HEADERS = ("X-Request-ID", "Server-Timing")
CORS_MAX_AGE_SECONDS = 600
MIB = 1024 * 1024

JsonBody = dict[str, Any]


def request_id(client_value: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a new random one."""
    if client_value is not None and SANE_REQUEST_ID.fullmatch(client_value):
        return client_value
    return os.urandom(
        16
    ).hex()  # as random as uuid4's hex, without building a UUID object (0.5 against 2.3 µs)


def is_json_media_type(content_type: str | None) -> bool:
    """`application/json` or `application/<anything>+json` (RFC 6839), parameters and case ignored."""
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def json_bytes(payload: object) -> bytes:
    """The contract's JSON encoding of an answer: compact, UTF-8, keys in the order they were built."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def upload_limit_bytes(max_body_bytes: int) -> int:
    """The largest file a page takes: the body limit rounded up to whole MiB, the unit Streamlit's limit is set in."""
    return max(1, math.ceil(max_body_bytes / MIB)) * MIB


def allow_header(methods: Iterable[str]) -> str:
    """An `Allow` (or `Access-Control-Allow-Methods`) value: the methods, trimmed, sorted and comma-separated."""
    return ", ".join(sorted(method.strip() for method in methods))


class BoundedBody:
    """A request body counted chunk by chunk: kept while within `max_bytes`, then dropped up to DRAIN_BYTES more.

    The front end obtains the chunks (sync or async, in its framework's way) and adds them while `wants_more`.
    """

    __slots__ = ("_chunks", "_size", "max_bytes", "too_large", "wants_more")

    def __init__(self, max_bytes: int, declared: int | None) -> None:
        self.max_bytes = max_bytes
        self.too_large = declared is not None and declared > max_bytes
        # A body declared larger than the drain allowance is not read at all (docs/contract.md): the server cuts it.
        self.wants_more = declared is None or declared <= max_bytes + DRAIN_BYTES
        self._size = 0
        self._chunks: list[bytes] = []

    def add(self, chunk: bytes) -> bool:
        """Count one chunk read from the body (an empty one is its end); whether to read on."""
        if not chunk:
            self.wants_more = False
        else:
            self._size += len(chunk)
            if self._size > self.max_bytes:
                self.too_large = True
                self._chunks.clear()
                self.wants_more = self._size <= self.max_bytes + DRAIN_BYTES
            elif not self.too_large:
                self._chunks.append(chunk)
        return self.wants_more

    def content(self) -> bytes:
        """The whole body, or PayloadTooLarge when it (or its declared length) passed the limit."""
        if self.too_large:
            raise PayloadTooLarge.over(self.max_bytes)
        return b"".join(self._chunks)


def identity(predictor: Predictor) -> dict[str, str]:
    """Which model answered: `{"model", "version"}`."""
    return {"model": predictor.name, "version": predictor.version}


def ready_body(predictor: Predictor) -> JsonBody:
    """The body of `GET /health/ready`."""
    return {"status": "ok", **identity(predictor)}


def prediction_body(predictor: Predictor, prediction: Prediction) -> JsonBody:
    """The body of `POST /v1/predict`: the prediction and which model made it."""
    return {**prediction.as_dict(), **identity(predictor)}


def batch_body(predictor: Predictor, predictions: Iterable[Prediction]) -> JsonBody:
    """The body of `POST /v1/predict/batch`: one prediction per record, in order, and which model made them."""
    return {"predictions": [prediction.as_dict() for prediction in predictions], **identity(predictor)}
