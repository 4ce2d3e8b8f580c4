"""Request id, Server-Timing, metrics and the access log, as Flask request hooks around every view."""

# file concern: observability

from __future__ import annotations

import logging

from flask import Flask, Response, g, request

from flask_app.metrics import METRICS
from shared_model import Predictor
from shared_model.http import request_id
from shared_model.timing import Timings

UNMATCHED_ROUTE = "<unmatched>"

access_log = logging.getLogger("servebench.access")


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
    total = timings.elapsed()
    response.headers["X-Request-ID"] = g.request_id
    response.headers["Server-Timing"] = timings.header(total)
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
    METRICS.observe_request(route, request.method, response.status_code, total)
    access_log.info(
        "%s %s %d %.3fms %s", request.method, request.path, response.status_code, total * 1000, g.request_id
    )
    return response
