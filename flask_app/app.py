"""The app factory: settings and model in, a Flask app meeting the HTTP contract out."""

# file concern: server_config

from __future__ import annotations

from flask import Flask

# concern: oip
import flask_app.oip  # noqa: F401  # its views join the one blueprint before it is registered
from flask_app import admission, cors, csrf, docs, errors, observability, page, views
from flask_app.service import EXTENSION, Service
from shared_model import Predictor, ServedModel, Settings, load_settings
from shared_model.admission import admitting
from shared_model.batching import BatchPolicy, ThreadBatcher
from shared_model.store import StoreReader


def create_app(
    predictor: Predictor | None = None, settings: Settings | None = None, *, batched: bool = False
) -> Flask:
    """Build the app; a model that fails to load is logged and answered 503, the app still starts.

    `batched` gathers concurrent single predictions of this process's threads into one model call.
    """
    settings = settings or load_settings()
    served = ServedModel.from_settings(settings, predictor)
    app = Flask(__name__)
    # Routes answer exactly their methods; an unlisted OPTIONS is a 405 like in every other front end.
    app.config["PROVIDE_AUTOMATIC_OPTIONS"] = False
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.compact = True  # type: ignore[attr-defined]
    # concern: batching
    batcher = (
        ThreadBatcher(served.predictor, BatchPolicy.from_settings(settings))
        if batched and served.predictor
        else None
    )
    # concern: feature_store
    store = StoreReader.connect(served.predictor.spec if served.predictor else None, settings)
    # concern: routing
    app.extensions[EXTENSION] = Service(settings, served, batcher, store)
    # concern: routing
    app.register_blueprint(views.blueprint)
    # concern: error_mapping
    errors.init_app(app)
    # concern: observability
    observability.init_app(app, served.predictor)
    # concern: admission
    admission.init_app(app, admitting(settings))  # after observability: refusals get its headers
    # concern: cors
    if settings.CORS_ORIGINS:
        cors.init_app(app, settings.CORS_ORIGINS)
    # concern: docs
    app.register_blueprint(docs.blueprint)
    # concern: ui
    app.register_blueprint(page.blueprint)
    # concern: ui
    csrf.init_app(app, settings, page.blueprint)
    return app
