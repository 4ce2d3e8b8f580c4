"""The one error translator: every exception becomes the shared error body with the catalogue's status."""

# file concern: error_mapping

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import MethodNotAllowed as WerkzeugMethodNotAllowed

from flask_app.body import discard_unread_body
from shared_model import InternalError, ServeError
from shared_model.errors import ERROR_BY_STATUS
from shared_model.http import JSON_MEDIA_TYPE, allow_header, json_bytes
from shared_model.oip import error_body_for

logger = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Route every exception, Werkzeug's 404/405 included, through `translate`."""
    app.register_error_handler(Exception, translate)


def translate(error: Exception) -> Response:
    """A ServeError as it is, a Werkzeug HTTP error by its status, anything else as a logged 500."""
    discard_unread_body()
    if isinstance(error, ServeError):
        serve_error = error
    elif isinstance(error, HTTPException) and error.code in ERROR_BY_STATUS:
        serve_error = ERROR_BY_STATUS[error.code]()
    else:
        logger.error("request %s failed", g.get("request_id", "-"), exc_info=error)
        serve_error = InternalError()
    response = current_app.response_class(
        json_bytes(error_body_for(request.path, serve_error)),
        status=serve_error.status,
        mimetype=JSON_MEDIA_TYPE,
    )
    response.headers.update(serve_error.headers)
    if isinstance(error, WerkzeugMethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = allow_header(error.valid_methods)
    return response
