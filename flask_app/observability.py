"""Request id, Server-Timing, metrics and the access log, as Flask request hooks around every view."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, g, request

from flask_app.metrics import METRICS
from shared_model import Predictor

SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED_ROUTE = "<unmatched>"

access_log = logging.getLogger("servebench.access")


class Timings:
    """Named durations of one request's segments, for its Server-Timing header."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.segments: dict[str, float] = {}

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.segments[name] = self.segments.get(name, 0.0) + time.perf_counter() - start

    def header(self, total: float) -> str:
        """`parse;dur=0.031, ..., total;dur=0.412` in milliseconds."""
        parts = [f"{name};dur={seconds * 1000:.3f}" for name, seconds in self.segments.items()]
        return ", ".join([*parts, f"total;dur={total * 1000:.3f}"])

    def __repr__(self) -> str:
        return f"Timings(segments={self.segments!r})"


def request_id(client_value: str | None) -> str:
    """The client's X-Request-ID when it is a sane token, else a new random one."""
    if client_value is not None and SANE_REQUEST_ID.fullmatch(client_value):
        return client_value
    return uuid.uuid4().hex


def init_app(app: Flask, predictor: Predictor | None) -> None:
    """Install the hooks, and publish which model this process serves."""
    if predictor is not None:
        METRICS.model_loaded(predictor)
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.timings = Timings()
    g.request_id = request_id(request.headers.get("X-Request-ID"))


def _finish(response: Response) -> Response:
    timings: Timings = g.timings
    total = time.perf_counter() - timings.started
    response.headers["X-Request-ID"] = g.request_id
    response.headers["Server-Timing"] = timings.header(total)
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    METRICS.observe_request(route, request.method, response.status_code, total)
    access_log.info(
        "%s %s %d %.3fms %s", request.method, request.path, response.status_code, total * 1000, g.request_id
    )
    return response
