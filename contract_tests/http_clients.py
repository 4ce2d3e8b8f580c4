"""The HTTP adapters: Flask's test client and FastAPI's TestClient in-process, httpx against a live server."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from io import BytesIO
from typing import Any

import httpx
from werkzeug.test import EnvironBuilder, run_wsgi_app

from contract_tests.clients import HTTP, HttpOperations, Reply, chunks, lower_headers

REQUEST_TIMEOUT_S = 60.0
NO_ANSWER = 0  # the status of a request that got no HTTP response


class FlaskInProcess(HttpOperations):
    """A Flask app called as WSGI in this process (Werkzeug's test machinery), chunked bodies included."""

    mode = "inprocess"
    kind = HTTP

    def __init__(self, app: Any, model: str, name: str = "flask") -> None:
        self.app = app
        self.model = model
        self.name = name

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        """Build the WSGI environ a server would, then call the app."""
        builder = EnvironBuilder(
            path=path, method=method, headers=list((headers or {}).items()), input_stream=BytesIO(body)
        )
        environ = builder.get_environ()
        if chunked:
            # What gunicorn hands over for Transfer-Encoding: chunked: no length, a stream that ends by itself.
            environ.pop("CONTENT_LENGTH", None)
            environ["HTTP_TRANSFER_ENCODING"] = "chunked"
            environ["wsgi.input_terminated"] = True
        app_iter, status, response_headers = run_wsgi_app(self.app, environ, buffered=True)
        content = b"".join(app_iter)
        return Reply(int(status.split(" ", 1)[0]), content, lower_headers(response_headers.items()))

    def __repr__(self) -> str:
        return f"FlaskInProcess(model={self.model!r})"


class HttpxFrontEnd(HttpOperations):
    """Any HTTP front end reached through an httpx client: FastAPI's TestClient in-process, or a live server."""

    kind = HTTP

    def __init__(self, name: str, mode: str, model: str, client: httpx.Client) -> None:
        self.name = name
        self.mode = mode
        self.model = model
        self.client = client

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        """Send the raw request; a chunked body goes as an iterator, which httpx sends without Content-Length."""
        content: Any = chunks(body) if chunked else body
        try:
            response = self.client.request(method, path, content=content, headers=dict(headers or {}))
        except httpx.TransportError as error:
            # No HTTP answer at all (reset, closed, timed out): status 0, so every check fails and shows why.
            return Reply(NO_ANSWER, f"{type(error).__name__}: {error}".encode(), {})
        return Reply(response.status_code, response.content, lower_headers(response.headers.multi_items()))

    def __repr__(self) -> str:
        return f"HttpxFrontEnd(name={self.name!r}, mode={self.mode!r}, model={self.model!r})"


def starlette_test_client(app: Any) -> httpx.Client:
    """FastAPI's TestClient; a 500 comes back as a response (the contract's body), not as a raised exception."""
    with warnings.catch_warnings():
        # Starlette 1.10 asks for the `httpx2` fork at import; the pinned httpx works the same for our requests.
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient` is deprecated")
        from starlette.testclient import TestClient
    client: httpx.Client = TestClient(app, raise_server_exceptions=False)
    return client


def live_client(base_url: str) -> httpx.Client:
    """An httpx client for a live loopback server (no proxies from the environment, generous timeout)."""
    return httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S, trust_env=False)
