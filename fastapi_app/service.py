"""What the endpoints need: the loaded model with its validator, or why it is not loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request

from shared_model import ModelUnavailable, Predictor, Validator


@dataclass(frozen=True, slots=True)
class Service:
    """Set on `app.state` by the lifespan once the model has loaded (or failed to)."""

    predictor: Predictor | None
    validator: Validator | None
    openapi: dict[str, Any] | None
    load_error: str | None

    def require_model(self) -> tuple[Predictor, Validator]:
        """The loaded model and its validator, or ModelUnavailable saying why it is not loaded."""
        if self.predictor is None or self.validator is None:
            raise ModelUnavailable(self.load_error)
        return self.predictor, self.validator


UNLOADED = Service(None, None, None, "The model is still loading.")


async def served_model(request: Request) -> tuple[Predictor, Validator]:
    """Dependency: the model and validator, or 503; async so that it costs no thread hand-off."""
    service: Service = getattr(request.app.state, "service", UNLOADED)
    return service.require_model()
