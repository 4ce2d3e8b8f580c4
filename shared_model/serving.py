"""The model a server process serves, with its validator and OpenAPI document, or the reason it could not load."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from shared_model.artifacts import load_model
from shared_model.errors import ModelUnavailable
from shared_model.openapi import openapi_document
from shared_model.predictor import Predictor
from shared_model.settings import Settings
from shared_model.validation import Validator

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServedModel:
    """Loaded once per process; a server keeps running without its model and answers 503 with `load_error`."""

    predictor: Predictor | None
    validator: Validator | None
    openapi: dict[str, Any] | None
    load_error: str | None

    @classmethod
    def load(
        cls,
        model: str,
        max_batch: int,
        predictor: Predictor | None = None,
        validator: Validator | None = None,
        *,
        runtime: str = "sklearn",
        trusted: tuple[str, ...] = (),
    ) -> ServedModel:
        """Load and verify `model` unless `predictor` is given; a failure is logged and kept, never raised."""
        if predictor is None:
            try:
                predictor = load_model(model, runtime=runtime, trusted=trusted)
            except ModelUnavailable as error:
                logger.error("model %r not loaded: %s", model, error.message)
                return cls.unavailable(error.message)
        # A validator built earlier (FastAPI declares its routes with one) is kept when it fits the loaded spec.
        if validator is None or validator.spec != predictor.spec or validator.max_batch != max_batch:
            validator = Validator(predictor.spec, max_batch)
        return cls(predictor, validator, openapi_document(predictor.spec, max_batch), None)

    @classmethod
    def from_settings(
        cls, settings: Settings, predictor: Predictor | None = None, validator: Validator | None = None
    ) -> ServedModel:
        """`load` with the model, batch limit, runtime and trusted skops types the settings name."""
        return cls.load(
            settings.MODEL,
            settings.MAX_BATCH,
            predictor,
            validator,
            runtime=settings.RUNTIME,
            trusted=settings.SKOPS_TRUSTED,
        )

    @classmethod
    def unavailable(cls, reason: str) -> ServedModel:
        """No model, and why."""
        return cls(None, None, None, reason)

    def require(self) -> tuple[Predictor, Validator]:
        """The loaded model and its validator, or ModelUnavailable saying why it is not loaded."""
        if self.predictor is None or self.validator is None:
            raise ModelUnavailable(self.load_error)
        return self.predictor, self.validator
