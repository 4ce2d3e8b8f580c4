"""What the views need from the app: its settings, and the model it serves (or why it cannot)."""

# file concern: routing

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from shared_model import ServedModel, Settings
from shared_model.batching import ThreadBatcher
from shared_model.store import StoreReader

EXTENSION = "servebench"


@dataclass(frozen=True, slots=True)
class Service:
    """Held in `app.extensions`, set once by the app factory."""

    settings: Settings
    model: ServedModel
    batcher: ThreadBatcher | None = None  # `--variant batched`: single predictions gathered across threads
    # concern: feature_store
    store: StoreReader | None = None  # a spec with stored features: its lookups, on the blocking client


def service() -> Service:
    """The Service of the app handling this request."""
    found: Service = current_app.extensions[EXTENSION]
    return found
