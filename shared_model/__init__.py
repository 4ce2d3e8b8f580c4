"""servebench's one source of truth: feature spec, verified model loading, validation, prediction, errors.

The package imports its parts lazily (PEP 562): a server's master process that reads only `load_settings`
must not pay for NumPy, pandas and scikit-learn, which only its workers use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shared_model.artifacts import (
        BUILTIN_MODELS,
        load_model,
        resolve,
    )
    from shared_model.errors import (
        CATALOGUE,
        ErrorBody,
        FieldError,
        InternalError,
        InvalidJson,
        MethodNotAllowed,
        ModelUnavailable,
        NotFound,
        PayloadTooLarge,
        ServeError,
        UnsupportedMediaType,
        ValidationFailed,
    )
    from shared_model.parsing import (
        parse_json_object,
    )
    from shared_model.predictor import (
        Prediction,
        Predictor,
    )
    from shared_model.serving import (
        ServedModel,
    )
    from shared_model.settings import (
        Settings,
        SettingsError,
        load_settings,
    )
    from shared_model.spec import (
        Feature,
        FeatureType,
        ModelSpec,
        SpecError,
        Task,
        load_spec,
    )
    from shared_model.validation import (
        Row,
        Validator,
    )

# Each public name and the submodule that defines it.
_SOURCES: dict[str, str] = {
    "BUILTIN_MODELS": "shared_model.artifacts",
    "CATALOGUE": "shared_model.errors",
    "ErrorBody": "shared_model.errors",
    "Feature": "shared_model.spec",
    "FeatureType": "shared_model.spec",
    "FieldError": "shared_model.errors",
    "InternalError": "shared_model.errors",
    "InvalidJson": "shared_model.errors",
    "MethodNotAllowed": "shared_model.errors",
    "ModelSpec": "shared_model.spec",
    "ModelUnavailable": "shared_model.errors",
    "NotFound": "shared_model.errors",
    "PayloadTooLarge": "shared_model.errors",
    "Prediction": "shared_model.predictor",
    "Predictor": "shared_model.predictor",
    "Row": "shared_model.validation",
    "ServeError": "shared_model.errors",
    "ServedModel": "shared_model.serving",
    "Settings": "shared_model.settings",
    "SettingsError": "shared_model.settings",
    "SpecError": "shared_model.spec",
    "Task": "shared_model.spec",
    "UnsupportedMediaType": "shared_model.errors",
    "ValidationFailed": "shared_model.errors",
    "Validator": "shared_model.validation",
    "load_model": "shared_model.artifacts",
    "load_settings": "shared_model.settings",
    "load_spec": "shared_model.spec",
    "parse_json_object": "shared_model.parsing",
    "resolve": "shared_model.artifacts",
}
__all__ = [
    "BUILTIN_MODELS",
    "CATALOGUE",
    "ErrorBody",
    "Feature",
    "FeatureType",
    "FieldError",
    "InternalError",
    "InvalidJson",
    "MethodNotAllowed",
    "ModelSpec",
    "ModelUnavailable",
    "NotFound",
    "PayloadTooLarge",
    "Prediction",
    "Predictor",
    "Row",
    "ServeError",
    "ServedModel",
    "Settings",
    "SettingsError",
    "SpecError",
    "Task",
    "UnsupportedMediaType",
    "ValidationFailed",
    "Validator",
    "load_model",
    "load_settings",
    "load_spec",
    "parse_json_object",
    "resolve",
]


def __getattr__(name: str) -> Any:
    """Import the submodule defining `name` on first use, and keep the name here."""
    source = _SOURCES.get(name)
    if source is None:
        raise AttributeError(f"module 'shared_model' has no attribute {name!r}")
    value = getattr(importlib.import_module(source), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
