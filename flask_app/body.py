"""Reading a JSON request body in the contract's order: content type (415), size (413), then strict parse (400)."""

# file concern: parsing_validation

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request
from werkzeug.wsgi import get_input_stream

from shared_model import UnsupportedMediaType, parse_json_object
from shared_model.http import CHUNK_BYTES, BoundedBody, is_json_media_type


def read_json_object(
    max_bytes: int, is_json: Callable[[str | None], bool] = is_json_media_type
) -> dict[str, Any]:
    """The request's body as one strict JSON object, read in chunks and never more than `max_bytes` kept."""
    if not is_json(request.content_type):
        raise UnsupportedMediaType()
    return parse_json_object(_read_bounded(max_bytes))


def _read_bounded(max_bytes: int) -> bytes:
    # Werkzeug's own limit truncates chunked bodies silently, so bytes are counted here.
    return _read(BoundedBody(max_bytes, request.content_length)).content()


def discard_unread_body() -> None:
    """Read and drop what is left of the body (bounded) of a request answered without reading it (404, 405, 415).

    gunicorn keeps the connection alive but does not skip an unread body, so the next request on it would fail.
    """
    if not g.get("body_read"):
        _read(BoundedBody(0, request.content_length))


def _read(body: BoundedBody) -> BoundedBody:
    # get_input_stream bounds reads by Content-Length, or passes a server-terminated (chunked) stream through.
    stream = get_input_stream(request.environ, safe_fallback=True)
    g.body_read = True  # from here on the body is read, or drained, by this request
    while body.wants_more:
        body.add(stream.read(CHUNK_BYTES))
    return body
