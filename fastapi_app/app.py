"""The app factory: the spec shapes the endpoints, the lifespan loads the model, one translator answers errors."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from fastapi_app import docs, errors
from fastapi_app.endpoints import add_routes
from fastapi_app.metrics import METRICS
from fastapi_app.middleware import ContractMiddleware
from fastapi_app.service import UNLOADED, Service
from shared_model import (
    ModelSpec,
    ModelUnavailable,
    Predictor,
    Settings,
    SpecError,
    Validator,
    load_model,
    load_settings,
    load_spec,
    resolve,
)
from shared_model.openapi import openapi_document

OPENAPI_URL = "/openapi.json"
CORS_METHODS = ["GET", "HEAD", "POST"]
CORS_HEADERS = ["Content-Type", "X-Request-ID"]
EXPOSED_HEADERS = ["X-Request-ID", "Server-Timing"]

logger = logging.getLogger(__name__)


def create_app(
    predictor: Predictor | None = None, settings: Settings | None = None, *, on_loop: bool = True
) -> FastAPI:
    """Build the app; `on_loop` runs endpoints as `async def` (the default) rather than in FastAPI's threadpool."""
    settings = settings or load_settings()
    # The spec is read now because FastAPI needs the generated models when the routes are declared; the
    # model itself (the slow, verified part) loads in the lifespan.
    spec = predictor.spec if predictor is not None else _spec_or_none(settings.MODEL)
    validator = Validator(spec, settings.MAX_BATCH) if spec is not None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.service = _load(predictor, validator, settings)
        yield
        _forget_this_worker()

    app = FastAPI(
        title="servebench",
        lifespan=lifespan,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # `/v1/model/` is a 404 as in the other front ends, not a redirect
    )
    app.state.max_body_bytes = settings.MAX_BODY_BYTES
    app.state.service = UNLOADED

    def openapi() -> dict[str, Any]:
        # FastAPI's documented hook for a custom document: the shared builder replaces the generated one.
        service: Service = app.state.service
        service.require_model()
        assert service.openapi is not None
        return service.openapi

    app.openapi = openapi  # type: ignore[method-assign]
    record_model = validator.record_model if validator else None
    batch_model = validator.batch_model if validator else None
    add_routes(app, record_model, batch_model, on_loop=on_loop)
    docs.install(app, OPENAPI_URL)
    errors.install(app)
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.CORS_ORIGINS),
            allow_methods=CORS_METHODS,
            allow_headers=CORS_HEADERS,
            expose_headers=EXPOSED_HEADERS,
        )
    app.add_middleware(ContractMiddleware)  # added last, so outermost: every response gets its headers
    return app


def _spec_or_none(model: str) -> ModelSpec | None:
    try:
        return load_spec(resolve(model).spec)
    except SpecError:
        return None  # load_model will fail too, and say why


def _load(predictor: Predictor | None, validator: Validator | None, settings: Settings) -> Service:
    if predictor is None:
        try:
            predictor = load_model(settings.MODEL)
        except ModelUnavailable as error:
            logger.error("model %r not loaded: %s", settings.MODEL, error.message)
            return Service(None, None, None, error.message)
    if validator is None or validator.spec != predictor.spec:
        validator = Validator(predictor.spec, settings.MAX_BATCH)
    METRICS.model_loaded(predictor)
    return Service(predictor, validator, openapi_document(predictor.spec, settings.MAX_BATCH), None)


def _forget_this_worker() -> None:
    # In multiprocess mode a stopped worker's live gauges must not be summed any more.
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
