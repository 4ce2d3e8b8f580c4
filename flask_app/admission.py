"""The per-worker limits on predictions (behind a standing queue, and in flight) as Flask request hooks.

Refusals go through the error translator."""

# file concern: admission

from __future__ import annotations

from flask import Flask, g, request

from shared_model.admission import Admission, is_limited
from shared_model.standing_queue import QUEUE_START_HEADER

# The WSGI variable itself: Werkzeug's header view would build a wrapper to look up the same key.
QUEUE_START_VARIABLE = "HTTP_" + QUEUE_START_HEADER.upper().replace("-", "_")


def init_app(app: Flask, admission: Admission) -> None:
    """Admit each prediction or refuse it with 503 `overloaded`; the place is given back however it ends."""

    def admit() -> None:
        if is_limited(request.path):
            admission.judge(request.environ.get(QUEUE_START_VARIABLE))
            g.place = admission.enter()

    def release(_: BaseException | None) -> None:
        if (place := g.pop("place", None)) is not None:
            admission.leave(place)

    app.before_request(admit)
    app.teardown_request(release)
