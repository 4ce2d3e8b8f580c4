"""The WSGI server floor: `gunicorn benchmarks.baselines.wsgi_app:app`, no framework between gunicorn and the model."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from benchmarks.baselines.core import Floor
from shared_model.heap import settle
from shared_model.http import JSON_MEDIA_TYPE

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
FLOOR = Floor()
settle()  # as the front ends do once their model is loaded


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Read the body (bounded by Content-Length), answer through the floor handler."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(min(length, FLOOR.max_body_bytes + 1)) if length else b""
    status, payload = FLOOR.handle(
        environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/"), environ.get("CONTENT_TYPE", ""), body
    )
    headers = [("Content-Type", JSON_MEDIA_TYPE), ("Content-Length", str(len(payload)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [payload]
