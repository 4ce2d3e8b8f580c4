"""servebench's one source of truth: feature spec, verified model loading, validation, prediction, errors."""

from shared_model.artifacts import BUILTIN_MODELS, load_model, resolve
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
from shared_model.parsing import parse_json_object
from shared_model.predictor import Prediction, Predictor
from shared_model.serving import ServedModel
from shared_model.settings import Settings, SettingsError, load_settings
from shared_model.spec import Feature, FeatureType, ModelSpec, SpecError, Task, load_spec
from shared_model.validation import Row, Validator

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
