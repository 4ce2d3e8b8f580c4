"""Request ids and Server-Timing segments, kept in the ASGI scope so middleware, route and endpoint share them."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from starlette.requests import Request

SCOPE_KEY = "servebench.timings"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# FastAPI validates the body while it solves the endpoint's dependencies, so that segment is named for both.
VALIDATE_DESCRIPTION = "pydantic body validation + FastAPI dependency solving"


class Timings:
    """Named durations of one request's segments, for its Server-Timing header."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.segments: dict[str, float] = {}
        self._open: dict[str, float] = {}

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        self.begin(name)
        try:
            yield
        finally:
            self.end(name)

    def begin(self, name: str) -> None:
        self._open[name] = time.perf_counter()

    def end(self, name: str) -> None:
        if (start := self._open.pop(name, None)) is not None:
            self.segments[name] = self.segments.get(name, 0.0) + time.perf_counter() - start

    def header(self, total: float) -> str:
        """`parse;dur=0.031, ..., total;dur=0.412` in milliseconds (a segment cut short by an error ends here)."""
        for name in list(self._open):
            self.end(name)
        parts = [
            f'{name};desc="{VALIDATE_DESCRIPTION}";dur={seconds * 1000:.3f}'
            if name == "validate"
            else f"{name};dur={seconds * 1000:.3f}"
            for name, seconds in self.segments.items()
        ]
        return ", ".join([*parts, f"total;dur={total * 1000:.3f}"])

    def __repr__(self) -> str:
        return f"Timings(segments={self.segments!r})"


def timings_of(request: Request | dict[str, Any]) -> Timings:
    """The Timings of this request (a fresh one when no middleware set it up, as in a bare route test)."""
    scope = request.scope if isinstance(request, Request) else request
    found: Timings = scope.setdefault(SCOPE_KEY, Timings())
    return found


def request_id(client_value: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a new random one."""
    if client_value is not None and SANE_REQUEST_ID.fullmatch(client_value):
        return client_value
    return uuid.uuid4().hex
