"""The one exception translator: ServeError, Starlette's HTTP errors and FastAPI's 422 become the shared body."""

# file concern: error_mapping

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from shared_model import InternalError, ServeError, ValidationFailed
from shared_model.errors import ERROR_BY_STATUS, FieldError
from shared_model.http import allow_header
from shared_model.oip import error_body_for
from shared_model.validation import contract_errors

BODY_LOC = "body"


def error_response(error: ServeError, path: str, allow: str | None = None) -> JSONResponse:
    """The error body a request to `path` gets, with the catalogue's status (and `Allow` for a 405)."""
    headers = {**error.headers, "Allow": allow} if allow else error.headers
    return JSONResponse(error_body_for(path, error), status_code=error.status, headers=headers)


async def translate(request: Request, error: Exception) -> JSONResponse:
    """Every handled exception, by kind: ours as it is, the router's by status, FastAPI's 422 by field."""
    path = request.url.path
    if isinstance(error, ServeError):
        return error_response(error, path)
    if isinstance(error, RequestValidationError):
        return error_response(ValidationFailed(details=_field_errors(error)), path)
    if isinstance(error, HTTPException):
        allow = (error.headers or {}).get("Allow")
        if allow is not None:
            allow = allow_header(allow.split(","))
        return error_response(ERROR_BY_STATUS.get(error.status_code, InternalError)(), path, allow)
    raise error  # pragma: no cover - only the three kinds above are registered


def install(app: FastAPI) -> None:
    """Register `translate` for the three kinds of handled exception."""
    for kind in (ServeError, RequestValidationError, HTTPException):
        app.add_exception_handler(kind, translate)


def _field_errors(error: RequestValidationError) -> list[FieldError]:
    # FastAPI locates body errors under "body"; the contract locates them in the body itself.
    return contract_errors(error.errors(), drop=(BODY_LOC,))
