"""The per-worker limit on predictions in flight, as Flask request hooks (refusals go through the translator)."""

# file concern: admission

from __future__ import annotations

from flask import Flask, g, request

from shared_model.admission import InflightLimit, is_limited
from shared_model.errors import Overloaded


def init_app(app: Flask, limit: InflightLimit) -> None:
    """Admit each prediction or refuse it with 503 `overloaded`; the place is given back however it ends."""

    def admit() -> None:
        if is_limited(request.path):
            if not limit.try_enter():
                raise Overloaded()
            g.admitted = True

    def release(_: BaseException | None) -> None:
        if g.pop("admitted", False):
            limit.leave()

    app.before_request(admit)
    app.teardown_request(release)
