"""Request id, Server-Timing, metrics and the access log, as Flask request hooks around every view."""

# file concern: observability

from __future__ import annotations

from flask import Flask, Response, g, request

from flask_app.metrics import METRICS
from shared_model import Predictor
from shared_model.http import request_id
from shared_model.logs import log_access
from shared_model.timing import Timings


def init_app(app: Flask, predictor: Predictor | None) -> None:
    """Install the hooks, and publish which model this process serves."""
    if predictor is not None:
        METRICS.model_loaded(predictor)
    app.before_request(_start)
    app.after_request(_finish)


def _start() -> None:
    g.timings = Timings()
    # The WSGI variable itself: Werkzeug's header view would build a wrapper to look up the same key.
    g.request_id = request_id(request.environ.get("HTTP_X_REQUEST_ID"))


def _finish(response: Response) -> Response:
    # Each name read from `g` or `request` goes through a context-local proxy, so each is read once.
    timings: Timings = g.timings
    rid: str = g.request_id
    method = request.method
    rule = request.url_rule
    status = response.status_code
    total = timings.elapsed()
    response.headers["X-Request-ID"] = rid
    response.headers["Server-Timing"] = timings.header(total)
    METRICS.observe_request(None if rule is None else rule.rule, method, status, timings, total)
    log_access(method, request.path, status, total, rid)
    return response
