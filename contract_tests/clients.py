"""One small interface over every front end, so each contract test is written once and never knows which it has."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

HTTP = "http"
UI = "ui"
CHUNK_BYTES = 64 * 1024  # a chunked body is sent in pieces this size, so a limit must count across chunks


@dataclass(frozen=True, slots=True)
class Reply:
    """What a front end answered: status, headers (lower-cased names) and the raw body bytes."""

    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        """The body parsed as JSON (floats exactly as written)."""
        return json.loads(self.content)

    def __repr__(self) -> str:
        text = self.content[:600].decode("utf-8", "replace")
        return f"Reply(status={self.status}, headers={dict(self.headers)!r}, body={text!r})"


@runtime_checkable
class FrontEnd(Protocol):
    """What every adapter offers: the model-level operations of the contract."""

    name: str  # "flask", "fastapi", "streamlit", "reference"
    mode: str  # "inprocess", "live", "reference"
    kind: str  # HTTP or UI
    model: str  # the model name or artifact path it serves

    def predict(self, record: Mapping[str, Any]) -> Reply:
        """One record → the contract's predict response (or the error the front end shows)."""
        ...

    def predict_batch(self, records: Sequence[Mapping[str, Any]]) -> Reply:
        """Records → the contract's batch response (or the error the front end shows)."""
        ...

    def model_card(self) -> Reply:
        """The model card as the front end shows it."""
        ...


@runtime_checkable
class HttpFrontEnd(FrontEnd, Protocol):
    """An HTTP front end also takes raw requests, for the bad-input catalogue and the schema fuzzing."""

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        """Send one raw request; `chunked` sends the body with Transfer-Encoding: chunked, no Content-Length."""
        ...


def json_bytes(value: object) -> bytes:
    """A request body as a well-behaved client writes it (floats with repr, so they arrive exactly)."""
    return json.dumps(value, allow_nan=False).encode()


def chunks(body: bytes) -> Iterator[bytes]:
    """The body in CHUNK_BYTES pieces (at least one, so an empty body is still a chunked request)."""
    yield from (body[start : start + CHUNK_BYTES] for start in range(0, max(len(body), 1), CHUNK_BYTES))


JSON_HEADERS = {"content-type": "application/json"}


class HttpOperations:
    """predict / predict_batch / model_card in terms of `request`, shared by every HTTP adapter."""

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        raise NotImplementedError

    def predict(self, record: Mapping[str, Any]) -> Reply:
        """POST /v1/predict."""
        return self.request("POST", "/v1/predict", json_bytes(record), JSON_HEADERS)

    def predict_batch(self, records: Sequence[Mapping[str, Any]]) -> Reply:
        """POST /v1/predict/batch."""
        return self.request(
            "POST", "/v1/predict/batch", json_bytes({"instances": list(records)}), JSON_HEADERS
        )

    def model_card(self) -> Reply:
        """GET /v1/model."""
        return self.request("GET", "/v1/model")


def lower_headers(pairs: Any) -> dict[str, str]:
    """Header pairs as a dict with lower-cased names (repeated headers joined as HTTP allows)."""
    result: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        result[key] = f"{result[key]}, {value}" if key in result else value
    return result
