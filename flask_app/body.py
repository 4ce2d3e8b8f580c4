"""Reading a JSON request body in the contract's order: content type (415), size (413), then strict parse (400)."""

# file concern: parsing_validation

from __future__ import annotations

from typing import Any

from flask import g, request
from werkzeug.wsgi import get_input_stream

from shared_model import PayloadTooLarge, UnsupportedMediaType, parse_json_object
from shared_model.http import CHUNK_BYTES, DRAIN_BYTES, is_json_media_type


def read_json_object(max_bytes: int) -> dict[str, Any]:
    """The request's body as one strict JSON object, read in chunks and never more than `max_bytes` kept."""
    if not is_json_media_type(request.content_type):
        raise UnsupportedMediaType()
    return parse_json_object(_read_bounded(max_bytes))


def _read_bounded(max_bytes: int) -> bytes:
    # Werkzeug's own limit truncates chunked bodies silently, so bytes are counted here. get_input_stream
    # bounds reads by Content-Length, or passes a server-terminated (chunked) stream through as it is.
    stream = get_input_stream(request.environ, safe_fallback=True)
    g.body_read = True  # from here on this function reads, or drains, the body itself
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        _refuse(stream, declared, max_bytes)
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > max_bytes:
            _refuse(stream, declared, max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse(stream: Any, declared: int | None, max_bytes: int) -> None:
    if declared is None or declared <= max_bytes + DRAIN_BYTES:
        _drain(stream)
    raise PayloadTooLarge.over(max_bytes)


def discard_unread_body() -> None:
    """Read and drop what is left of the body (bounded) of a request answered without reading it (404, 405, 415).

    gunicorn keeps the connection alive but does not skip an unread body, so the next request on it would fail.
    """
    declared = request.content_length
    if not g.get("body_read") and (declared is None or declared <= DRAIN_BYTES):
        _drain(get_input_stream(request.environ, safe_fallback=True))


def _drain(stream: Any) -> None:
    drained = 0
    while drained < DRAIN_BYTES and (chunk := stream.read(CHUNK_BYTES)):
        drained += len(chunk)
