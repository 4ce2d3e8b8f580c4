"""The request's Timings, kept in the ASGI scope so that middleware, route and endpoint share them."""

# file concern: observability

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from shared_model.timing import Timings

SCOPE_KEY = "servebench.timings"
# FastAPI validates the body while it solves the endpoint's dependencies, so that segment is named for both.
DESCRIPTIONS = {"validate": "pydantic body validation + FastAPI dependency solving"}


def new_timings() -> Timings:
    """Timings for one request, with this front end's segment descriptions."""
    return Timings(DESCRIPTIONS)


def timings_of(request: Request | dict[str, Any]) -> Timings:
    """The Timings of this request (a fresh one when no middleware set it up, as in a bare route test)."""
    scope = request.scope if isinstance(request, Request) else request
    found: Timings | None = scope.get(SCOPE_KEY)
    if found is None:  # not `setdefault(key, new_timings())`, which built and dropped a Timings on every call
        found = scope[SCOPE_KEY] = new_timings()
    return found
