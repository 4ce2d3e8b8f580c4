"""The app factory: settings and model in, a Flask app meeting the HTTP contract out."""

from __future__ import annotations

import logging

from flask import Flask

from flask_app import cors, errors, observability, views
from flask_app.service import EXTENSION, Service
from shared_model import (
    ModelUnavailable,
    Predictor,
    Settings,
    Validator,
    load_model,
    load_settings,
)
from shared_model.openapi import openapi_document

logger = logging.getLogger(__name__)


def create_app(predictor: Predictor | None = None, settings: Settings | None = None) -> Flask:
    """Build the app; a model that fails to load is logged and answered 503, the app still starts."""
    settings = settings or load_settings()
    load_error = None
    if predictor is None:
        try:
            predictor = load_model(settings.MODEL)
        except ModelUnavailable as error:
            logger.error("model %r not loaded: %s", settings.MODEL, error.message)
            load_error = error.message
    app = Flask(__name__)
    # Routes answer exactly their methods; an unlisted OPTIONS is a 405 like in every other front end.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    validator = Validator(predictor.spec, settings.MAX_BATCH) if predictor else None
    document = openapi_document(predictor.spec, settings.MAX_BATCH) if predictor else None
    app.extensions[EXTENSION] = Service(settings, predictor, validator, document, load_error)
    app.register_blueprint(views.blueprint)
    errors.init_app(app)
    observability.init_app(app, predictor)
    if settings.CORS_ORIGINS:
        cors.init_app(app, settings.CORS_ORIGINS)
    return app
