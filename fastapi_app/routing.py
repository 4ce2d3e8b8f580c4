"""A route whose JSON body is read and parsed once, by the shared strict parser, before FastAPI validates it."""

# file concern: parsing_validation

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from fastapi_app.service import served
from fastapi_app.timing import timings_of
from shared_model import UnsupportedMediaType, parse_json_object
from shared_model.http import BoundedBody, is_json_media_type

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
MediaRule = Callable[[str | None], bool]


class StrictJsonRequest(Request):
    """A request whose `json()` is the object the shared parser made of its body (415 → 413 → 400 first)."""

    _parsed: dict[str, Any]

    async def load_json(self, max_bytes: int, is_json: MediaRule = is_json_media_type) -> None:
        """Check the content type, read at most `max_bytes` of body, and parse it strictly."""
        if not is_json(self.headers.get("content-type")):
            raise UnsupportedMediaType()
        body = await self._read_bounded(max_bytes)
        self._body = (
            body  # Starlette's cache: FastAPI's later `body()` returns these bytes without reading again
        )
        self._parsed = parse_json_object(body)

    async def json(self) -> Any:
        return self._parsed

    async def _read_bounded(self, max_bytes: int) -> bytes:
        declared = self.headers.get("content-length")
        body = BoundedBody(max_bytes, int(declared) if declared is not None and declared.isdigit() else None)
        if body.wants_more:
            async for chunk in self.stream():
                if not body.add(chunk):
                    break
        return body.content()


class StrictJsonRoute(APIRoute):
    """An APIRoute that hands its handler a StrictJsonRequest already holding the parsed body."""

    is_json: MediaRule = staticmethod(is_json_media_type)  # which content types are JSON bodies

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        if self.body_field is None:
            return handler

        async def parse_then_handle(request: Request) -> Response:
            strict = StrictJsonRequest(request.scope, request.receive)
            timings = timings_of(strict)
            with timings.measure("parse"):
                await strict.load_json(request.app.state.max_body_bytes, self.is_json)
            served(strict).require()  # the contract's order: no model (503) before an invalid body (422)
            timings.begin("validate")  # ended by the endpoint, once FastAPI has validated the body
            return await handler(strict)

        return parse_then_handle
