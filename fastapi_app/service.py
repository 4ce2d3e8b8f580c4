"""What the endpoints need: the model `app.state` serves, or 503 saying why it cannot."""

# file concern: routing

from __future__ import annotations

from fastapi import Request

from shared_model import ServedModel
from shared_model.batching import LoopBatcher

LOADING = ServedModel.unavailable("The model is still loading.")


def served(request: Request) -> ServedModel:
    """What the lifespan loaded, or LOADING before it has run."""
    found: ServedModel = getattr(request.app.state, "served", LOADING)
    return found


# concern: batching
def batcher_of(request: Request) -> LoopBatcher:
    """The batcher the lifespan made for the loaded model (`--variant batched`)."""
    found: LoopBatcher = request.app.state.batcher
    return found
