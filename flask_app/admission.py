"""The per-worker limits on predictions (in flight, and behind a standing queue) as Flask request hooks.

Refusals go through the error translator."""

# file concern: admission

from __future__ import annotations

from flask import Flask, g, request

from shared_model.admission import QUEUE_START_HEADER, InflightLimit, StandingQueue, is_limited
from shared_model.errors import Overloaded

# The WSGI variable itself: Werkzeug's header view would build a wrapper to look up the same key.
QUEUE_START_VARIABLE = "HTTP_" + QUEUE_START_HEADER.upper().replace("-", "_")


def init_app(app: Flask, limit: InflightLimit, queue: StandingQueue) -> None:
    """Admit each prediction or refuse it with 503 `overloaded`; the place is given back however it ends."""

    def admit() -> None:
        if is_limited(request.path):
            stamp = request.environ.get(QUEUE_START_VARIABLE)
            if not queue.admits(stamp, limit.inflight > 0) or not limit.try_enter():
                raise Overloaded()
            g.admitted = True

    def release(_: BaseException | None) -> None:
        if g.pop("admitted", False):
            limit.leave()

    app.before_request(admit)
    app.teardown_request(release)
