"""The page for people at `/`: the form generated from the spec, the exact answer, a CSV batch, the model card.

Server-rendered with Jinja2 and no script: every view translates the form, calls shared_model, and renders.
"""

# file concern: ui

from __future__ import annotations

import base64
import logging
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from flask_app.body import discard_unread_body
from flask_app.service import service
from shared_model import ServeError
from shared_model.errors import FieldError, InternalError, UnknownEntity
from shared_model.form import answer_for, errors_by_field, form_fields
from shared_model.http import json_bytes, upload_limit_bytes
from shared_model.tabular import (
    PredictionTable,
    cell_text,
    predict_csv,
    predictions_csv,
    predictions_file_name,
    problem_rows,
    text_record,
)

logger = logging.getLogger(__name__)
blueprint = Blueprint("page", __name__)
UPLOAD_FIELD = "file"
# Room for the multipart framing and the token beside a file of the largest size taken.
FORM_ROOM_BYTES = 64 * 1024
TEMPLATE = "page.html"
# No script at all, styles and images from this server only, forms posted back here only, never framed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}
STALE_FORM = (
    "The form was refused: {reason} Forms expire after an hour and come from this page only; send it again."
)
TOO_LARGE = "The upload is larger than {limit} bytes; split the CSV into smaller files."
NO_FILE = "Choose a CSV file to upload."
NO_STORE_BATCH = "A CSV batch is not offered for a model with stored features yet; POST /v1/predict/batch is."

Page = tuple[str, int]


def upload_limit() -> int:
    """The largest CSV file the page takes, the same as the Streamlit page's."""
    return upload_limit_bytes(service().settings.MAX_BODY_BYTES)


@blueprint.before_request
def check_form() -> None:
    """Bound what a form may send, then check its CSRF token (flask_app.csrf); only the page has forms."""
    # The bound first: the check is the first to read the form, and a larger body is refused unread (413).
    request.max_content_length = upload_limit() + FORM_ROOM_BYTES
    current_app.extensions["csrf"].protect()


@blueprint.get("/")
def page() -> Page:
    """The form filled with the spec's examples, the CSV upload and the model card."""
    service().model.require()  # without its model, the page says why with the API's 503
    return render(HTTPStatus.OK)


@blueprint.post("/")
def predict() -> Page:
    """The form's record → the API's answer for it, or each field's problems beside it."""
    predictor, validator = service().model.require()
    answer: dict[str, Any] | ServeError
    try:
        answer = answer_for(text_record(predictor.spec, request.form), validator, predictor, service().store)
    except UnknownEntity as unknown:  # the store has no row for the key: said beside the key's field
        answer = unknown
    if isinstance(answer, ServeError):
        return render(answer.status, values=request.form, problems=answer.details, message=answer.message)
    return render(HTTPStatus.OK, values=request.form, answer=answer)


@blueprint.post("/batch")
def batch() -> Page:
    """A CSV file → every bad row and column, and the good rows' predictions with an exact download."""
    predictor, validator = service().model.require()
    if predictor.spec.entity is not None:
        return render(HTTPStatus.UNPROCESSABLE_ENTITY, batch_message=NO_STORE_BATCH)
    upload = request.files.get(UPLOAD_FIELD)
    if upload is None or not upload.filename:
        return render(HTTPStatus.UNPROCESSABLE_ENTITY, batch_message=NO_FILE)
    data = upload.stream.read(upload_limit() + 1)
    if len(data) > upload_limit():
        raise RequestEntityTooLarge()
    checked, table = predict_csv(data, predictor, validator)
    download = None
    if table is not None:
        encoded = base64.b64encode(predictions_csv(table)).decode("ascii")
        download = {"href": f"data:text/csv;base64,{encoded}", "name": predictions_file_name(predictor.spec)}
    status = HTTPStatus.OK if checked.rows else HTTPStatus.UNPROCESSABLE_ENTITY
    return render(
        status, checked=checked, table=table, batch_problems=problem_rows(checked.problems), download=download
    )


@blueprint.after_request
def secure(response: Response) -> Response:
    """Every answer of the page carries its security headers, error pages included."""
    response.headers.update(SECURITY_HEADERS)
    return response


@blueprint.errorhandler(Exception)
def page_error(error: Exception) -> Page:
    """Any failure of the page → the page again with a clear message and the right status, never a traceback."""
    if "form" not in request.__dict__:  # Werkzeug caches the parsed form there; a parsed body is read whole
        discard_unread_body()
    if isinstance(error, CSRFError):
        return render(error.code or 400, message=STALE_FORM.format(reason=error.description))
    if isinstance(error, RequestEntityTooLarge):
        return render(error.code or 413, batch_message=TOO_LARGE.format(limit=upload_limit()))
    if isinstance(error, ServeError):
        return render(error.status, message=error.message)
    if isinstance(error, HTTPException) and error.code is not None:
        return render(error.code, message=f"The request could not be handled: {error.name}.")
    logger.error("page request failed", exc_info=error)
    return render(InternalError.status, message=InternalError.default_message)


def render(
    status: int,
    *,
    values: Any = None,
    answer: dict[str, Any] | None = None,
    problems: list[FieldError] | None = None,
    message: str | None = None,
    **batch: Any,
) -> Page:
    """The whole page; without a loaded model, only the message saying why."""
    model = service().model
    if model.predictor is None:
        return render_template(TEMPLATE, status=status, message=message or model.load_error), status
    spec = model.predictor.spec
    texts = {field.name: field.example for field in form_fields(spec)}
    if values is not None:
        texts = {name: values.get(name, "") for name in texts}
    context = {
        "card": model.predictor.model_card(),
        "description": spec.description,
        "fields": form_fields(spec),
        "texts": texts,
        "answer": answer,
        "answer_json": None if answer is None else json_bytes(answer).decode(),
        "problems": problem_rows(problems or []),
        "field_errors": errors_by_field(spec, problems or []),
        "message": message,
        "max_rows": model.validator.max_batch if model.validator else 0,
        "batch_offered": spec.entity is None,
        "no_batch": NO_STORE_BATCH,
        "cell_text": cell_text,
        "lines": _lines(batch.get("table")),
        **batch,
    }
    return render_template(TEMPLATE, status=status, **context), status


def _lines(table: PredictionTable | None) -> list[tuple[int, list[str]]]:
    # Each predicted row's number and cells as the download writes them (floats exact).
    if table is None:
        return []
    return [
        (number, [cell_text(value) for value in line])
        for number, line in zip(table.row_numbers, table.lines, strict=True)
    ]
