"""The error catalogue: every failure a front end can answer, with its code, HTTP status and JSON body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar, TypedDict

# Seconds a refused client should wait before retrying (Retry-After): one worker clears its queue well within it.
RETRY_AFTER_SECONDS = 1
RETRY_HEADERS: Mapping[str, str] = MappingProxyType({"Retry-After": str(RETRY_AFTER_SECONDS)})


class FieldError(TypedDict):
    """One validation failure: where (a JSON path), what (a message) and its machine-readable type."""

    loc: list[str | int]
    msg: str
    type: str


def problem_place(problem: FieldError) -> str:
    """Where a problem is, in words: `age`, `file`, `column income`, `row 3`, `row 3 · age`."""
    scope, *rest = problem["loc"]
    if scope == "row":
        return " · ".join([f"row {rest[0]}", *(str(part) for part in rest[1:])])
    return " ".join(str(part) for part in problem["loc"])


class ErrorDetail(TypedDict):
    code: str
    message: str
    details: list[Any]


class ErrorBody(TypedDict):
    """The JSON body of every non-2xx answer."""

    error: ErrorDetail


class ServeError(Exception):
    """A failure that carries its own status and code, so each front end needs one translator only."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "The server failed to answer this request."
    # Headers the answer carries besides the body (Retry-After on a refusal the client should retry).
    headers: ClassVar[Mapping[str, str]] = MappingProxyType({})

    def __init__(self, message: str | None = None, details: Sequence[Any] = ()) -> None:
        self.message = message or self.default_message
        self.details = list(details)
        super().__init__(self.message)

    def body(self) -> ErrorBody:
        """The JSON error body: `{"error": {"code", "message", "details"}}`, details always present."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(message={self.message!r}, details={self.details!r})"


class InvalidJson(ServeError):
    """The body is not one strict, standard JSON object."""

    code = "invalid_json"
    status = 400
    default_message = "The request body is not valid JSON."


class NotFound(ServeError):
    """No route matches the path."""

    code = "not_found"
    status = 404
    default_message = "No such resource."


class MethodNotAllowed(ServeError):
    """The route exists but not for this method."""

    code = "method_not_allowed"
    status = 405
    default_message = "Method not allowed."


class PayloadTooLarge(ServeError):
    """The body is larger than the configured limit."""

    code = "payload_too_large"
    status = 413
    default_message = "The request body is too large."

    @classmethod
    def over(cls, max_bytes: int) -> PayloadTooLarge:
        """The refusal of a body over `max_bytes`, worded the same by every front end and proxy."""
        return cls(f"The request body is larger than {max_bytes} bytes.")


class UnsupportedMediaType(ServeError):
    """A POST without a JSON content type."""

    code = "unsupported_media_type"
    status = 415
    default_message = "The request body must be sent as application/json."


class ValidationFailed(ServeError):
    """The JSON is well formed but does not satisfy the feature spec; details lists each field error."""

    code = "validation_error"
    status = 422
    default_message = "The request does not match the model's feature spec."


class ModelUnavailable(ServeError):
    """The model is not loaded (missing, tampered, or built with another scikit-learn)."""

    code = "model_unavailable"
    status = 503
    default_message = "The model is not loaded."


class Overloaded(ServeError):
    """The worker already has its limit of predictions in flight; refused at once, to be retried."""

    code = "overloaded"
    status = 503
    default_message = "The server is at its limit of requests in flight; retry after Retry-After seconds."
    headers = RETRY_HEADERS


class ServerUnavailable(ServeError):
    """The proxy in front of the app server could not reach it (a worker restarting); to be retried."""

    code = "server_unavailable"
    status = 503
    default_message = "The application server did not answer; retry after Retry-After seconds."
    headers = RETRY_HEADERS


class UnknownEntity(ServeError):
    """The feature store holds no row for the entity key a record names; details locate each such key."""

    code = "unknown_entity"
    status = 404
    default_message = "The feature store has no features for this entity."


class FeatureStoreUnavailable(ServeError):
    """The feature store did not answer within its timeout (down, unreachable, or slow); to be retried."""

    code = "feature_store_unavailable"
    status = 503
    default_message = "The feature store did not answer; retry after Retry-After seconds."
    headers = RETRY_HEADERS


class InternalError(ServeError):
    """An unexpected failure; the traceback goes to the log, never to the client."""


ERROR_TYPES: tuple[type[ServeError], ...] = (
    InvalidJson,
    UnsupportedMediaType,
    PayloadTooLarge,
    ValidationFailed,
    UnknownEntity,  # before not_found: a framework's bare 404 maps to not_found in ERROR_BY_STATUS
    NotFound,
    MethodNotAllowed,
    Overloaded,
    ServerUnavailable,
    FeatureStoreUnavailable,
    ModelUnavailable,  # after the other 503s: a framework's bare 503 maps to it in ERROR_BY_STATUS
    InternalError,
)
CATALOGUE: dict[str, int] = {error.code: error.status for error in ERROR_TYPES}
ERROR_BY_STATUS: dict[int, type[ServeError]] = {error.status: error for error in ERROR_TYPES}
