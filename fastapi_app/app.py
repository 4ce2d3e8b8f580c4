"""The app factory: the spec shapes the endpoints, the lifespan loads the model, one translator answers errors."""

# file concern: server_config

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from fastapi_app import docs, errors
from fastapi_app.admission import AdmissionMiddleware
from fastapi_app.endpoints import add_routes
from fastapi_app.metrics import METRICS
from fastapi_app.middleware import ContractMiddleware

# concern: oip
from fastapi_app.oip import add_oip_routes
from fastapi_app.service import LOADING
from shared_model import (
    ModelSpec,
    Predictor,
    ServedModel,
    Settings,
    SpecError,
    Validator,
    load_settings,
    load_spec,
    resolve,
)
from shared_model.admission import admitting
from shared_model.batching import BatchPolicy, LoopBatcher
from shared_model.heap import settle
from shared_model.http import CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS
from shared_model.loop_delay import LoopDelay
from shared_model.loop_turns import LoopTurns
from shared_model.store import AsyncStoreReader

# concern: docs
OPENAPI_URL = "/openapi.json"
# concern: cors
CORS_METHODS = ["GET", "HEAD", "POST"]


def create_app(
    predictor: Predictor | None = None,
    settings: Settings | None = None,
    *,
    on_loop: bool = True,
    queue_admission: bool = True,
    batched: bool = False,
) -> FastAPI:
    """Build the app; `on_loop` runs endpoints as `async def` (the default) rather than in FastAPI's threadpool.

    `queue_admission` also refuses predictions that start behind a queue on the event loop; off behind nginx, which
    bounds the loop's work itself (there it would refuse late what nginx had admitted), and where predictions take
    turns instead. `batched` gathers concurrent single predictions on the event loop into one model call (the batch
    is their queue, so no turns).
    """
    settings = settings or load_settings()
    # concern: parsing_validation
    # The spec is read now because FastAPI needs the generated models when the routes are declared; the
    # model itself (the slow, verified part) loads in the lifespan.
    spec = predictor.spec if predictor is not None else _spec_or_none(settings.MODEL)
    # concern: parsing_validation
    validator = Validator(spec, settings.MAX_BATCH) if spec is not None else None

    # concern: admission
    loop_delay = LoopDelay() if queue_admission else None
    # concern: admission
    turns = LoopTurns() if not queue_admission and not batched else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        served = ServedModel.from_settings(settings, predictor, validator)
        # concern: observability
        if served.predictor is not None:
            METRICS.model_loaded(served.predictor)
        app.state.served = served
        # concern: feature_store
        # Built here, on the worker's own event loop, which the asyncio client's connections belong to.
        app.state.store = AsyncStoreReader.connect(
            served.predictor.spec if served.predictor else None, settings
        )
        # concern: batching
        if batched and served.predictor is not None:
            app.state.batcher = LoopBatcher(served.predictor, BatchPolicy.from_settings(settings))
        # concern: admission
        if loop_delay is not None:
            loop_delay.start()
        # concern: server_config
        settle()
        yield
        # concern: feature_store
        if app.state.store is not None:
            await app.state.store.aclose()
        # concern: admission
        if loop_delay is not None:
            loop_delay.stop()
        # concern: observability
        _forget_this_worker()

    app = FastAPI(
        title="servebench",
        lifespan=lifespan,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,  # `/v1/model/` is a 404 as in the other front ends, not a redirect
    )
    # concern: parsing_validation
    app.state.max_body_bytes = settings.MAX_BODY_BYTES
    app.state.served = LOADING

    # concern: docs
    def openapi() -> dict[str, Any]:
        # FastAPI's documented hook for a custom document: the shared builder replaces the generated one.
        served: ServedModel = app.state.served
        served.require()
        assert served.openapi is not None
        return served.openapi

    # concern: docs
    app.openapi = openapi  # type: ignore[method-assign]
    # concern: parsing_validation
    record_model = validator.record_model if validator else None
    # concern: parsing_validation
    batch_model = validator.batch_model if validator else None
    # concern: feature_store
    looked_up = spec is not None and spec.entity is not None
    # concern: routing
    add_routes(app, record_model, batch_model, on_loop=on_loop, batched=batched, looked_up=looked_up)
    # concern: oip
    add_oip_routes(app, on_loop=on_loop)
    # concern: docs
    docs.install(app, OPENAPI_URL)
    # concern: error_mapping
    errors.install(app)
    # concern: cors
    if settings.CORS_ORIGINS:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.CORS_ORIGINS),
            allow_methods=CORS_METHODS,
            allow_headers=CORS_ALLOWED_HEADERS,
            expose_headers=CORS_EXPOSED_HEADERS,
            max_age=CORS_MAX_AGE_SECONDS,
        )
    # concern: admission
    app.add_middleware(
        AdmissionMiddleware,
        admission=admitting(settings),
        delay=loop_delay,
        max_queue_s=settings.MAX_QUEUE_MS / 1000,
        turns=turns,
    )
    # concern: observability
    app.add_middleware(ContractMiddleware)  # added last, so outermost: every response gets its headers
    return app


# concern: parsing_validation
def _spec_or_none(model: str) -> ModelSpec | None:
    try:
        return load_spec(resolve(model).spec)
    except SpecError:
        return None  # load_model will fail too, and say why


# concern: observability
def _forget_this_worker() -> None:
    # In multiprocess mode a stopped worker's live gauges must not be summed any more.
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
