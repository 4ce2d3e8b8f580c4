"""The app factory: settings and model in, a Flask app meeting the HTTP contract out."""

# file concern: server_config

from __future__ import annotations

from flask import Flask

from flask_app import admission, cors, errors, observability, views
from flask_app.service import EXTENSION, Service
from shared_model import Predictor, ServedModel, Settings, load_settings
from shared_model.admission import InflightLimit


def create_app(predictor: Predictor | None = None, settings: Settings | None = None) -> Flask:
    """Build the app; a model that fails to load is logged and answered 503, the app still starts."""
    settings = settings or load_settings()
    served = ServedModel.load(settings.MODEL, settings.MAX_BATCH, predictor)
    app = Flask(__name__)
    # Routes answer exactly their methods; an unlisted OPTIONS is a 405 like in every other front end.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    # concern: routing
    app.extensions[EXTENSION] = Service(settings, served)
    # concern: routing
    app.register_blueprint(views.blueprint)
    # concern: error_mapping
    errors.init_app(app)
    # concern: observability
    observability.init_app(app, served.predictor)
    # concern: admission
    admission.init_app(
        app, InflightLimit(settings.MAX_INFLIGHT)
    )  # after observability: refusals get its headers
    # concern: cors
    if settings.CORS_ORIGINS:
        cors.init_app(app, settings.CORS_ORIGINS)
    return app
