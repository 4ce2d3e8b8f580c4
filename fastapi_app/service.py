"""What the endpoints need: the model `app.state` serves, or 503 saying why it cannot."""

# file concern: routing

from __future__ import annotations

from fastapi import Request

from shared_model import ServedModel

LOADING = ServedModel.unavailable("The model is still loading.")


def served(request: Request) -> ServedModel:
    """What the lifespan loaded, or LOADING before it has run."""
    found: ServedModel = getattr(request.app.state, "served", LOADING)
    return found
