"""In-process clients of both front ends behind one small interface, so every test runs against each."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient

from shared_model import Predictor, Settings, load_settings

FRONT_ENDS = ("flask", "fastapi")
TEST_SETTINGS = load_settings({"SERVEBENCH_MAX_BATCH": "5", "SERVEBENCH_MAX_BODY_BYTES": "4096"})


@dataclass(frozen=True)
class Answer:
    """A response as both test clients can give it: status, headers (case-insensitive lookup), raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        assert self.header("content-type") == "application/json", self
        return json.loads(self.body)


class Client(Protocol):
    front_end: str

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | Iterable[bytes] | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
    ) -> Answer: ...


class FlaskClient:
    front_end = "flask"

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def request(self, method, path, *, body=None, content_type="application/json", headers=None):
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        options: dict[str, Any] = {}
        if isinstance(body, bytes) or body is None:
            options["data"] = body
        else:  # chunked, as gunicorn passes it on: no Content-Length, a server-terminated stream
            headers["Transfer-Encoding"] = "chunked"
            options["input_stream"] = io.BytesIO(b"".join(body))
            options["environ_overrides"] = {"wsgi.input_terminated": True}
        response = self.client.open(path, method=method, headers=headers, **options)
        with response:  # closes a streamed file (send_from_directory), as the WSGI server would
            return Answer(
                response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.get_data()
            )


class FastApiClient:
    front_end = "fastapi"

    def __init__(self, client: TestClient) -> None:
        self.client = client

    def request(self, method, path, *, body=None, content_type="application/json", headers=None):
        headers = dict(headers or {})
        if content_type is not None:
            headers["Content-Type"] = content_type
        content = body if body is None or isinstance(body, bytes) else iter(list(body))
        response = self.client.request(method, path, content=content, headers=headers)
        return Answer(response.status_code, dict(response.headers), response.content)


def open_client(
    front_end: str, predictor: Predictor | None, settings: Settings = TEST_SETTINGS
) -> Iterator[Client]:
    """A client of a freshly built app of `front_end`; for FastAPI, inside its lifespan."""
    if front_end == "flask":
        from flask_app.app import create_app as create_flask

        yield FlaskClient(create_flask(predictor, settings))
        return
    from fastapi_app.app import create_app as create_fastapi

    with TestClient(create_fastapi(predictor, settings)) as client:
        yield FastApiClient(client)


@pytest.fixture(scope="module", params=FRONT_ENDS)
def front_end(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def client(front_end: str, predictor: Predictor) -> Iterator[Client]:
    """Each front end serving each built-in model (MAX_BATCH=5, MAX_BODY_BYTES=4096)."""
    yield from open_client(front_end, predictor)


@pytest.fixture(scope="module")
def loan_client(front_end: str, loan: Predictor) -> Iterator[Client]:
    """Each front end serving the loan model."""
    yield from open_client(front_end, loan)
