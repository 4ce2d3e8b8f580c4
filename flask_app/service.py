"""What the views need from the app: settings, and the model with its validator and document when it loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from shared_model import ModelUnavailable, Predictor, Settings, Validator

EXTENSION = "servebench"


@dataclass(frozen=True, slots=True)
class Service:
    """The loaded model (or why it is not loaded) and the settings, held in `app.extensions`."""

    settings: Settings
    predictor: Predictor | None
    validator: Validator | None
    openapi: dict[str, Any] | None
    load_error: str | None

    def require_model(self) -> tuple[Predictor, Validator]:
        """The loaded model and its validator, or ModelUnavailable saying why it is not loaded."""
        if self.predictor is None or self.validator is None:
            raise ModelUnavailable(self.load_error)
        return self.predictor, self.validator


def service() -> Service:
    """The Service of the app handling this request."""
    found: Service = current_app.extensions[EXTENSION]
    return found
