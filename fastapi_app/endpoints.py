"""The endpoints, built around the spec's generated pydantic models, which FastAPI puts in their signatures."""

# file concern: routing

# No `from __future__ import annotations`: FastAPI reads these signatures at runtime, and the record and batch
# classes exist only inside `build_router`.

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Body, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from fastapi_app.lookups import lookup_endpoints
from fastapi_app.metrics import METRICS
from fastapi_app.routing import StrictJsonRoute
from fastapi_app.service import batcher_of, served
from fastapi_app.timing import timings_of
from shared_model.http import LIVE_BODY, batch_body, prediction_body, ready_body

P = ParamSpec("P")
R = TypeVar("R")
GET = ["GET", "HEAD"]
POST = ["POST"]


def run_on_event_loop(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """The same endpoint as `async def`, so FastAPI calls it on the event loop instead of a worker thread."""

    @functools.wraps(endpoint)
    async def on_loop(*args: P.args, **kwargs: P.kwargs) -> R:
        return endpoint(*args, **kwargs)

    return on_loop


def add_routes(
    app: FastAPI,
    record_model: type[BaseModel] | None,
    batch_model: type[BaseModel] | None,
    *,
    on_loop: bool,
    batched: bool = False,
    looked_up: bool = False,
) -> None:
    """Add the contract's routes; `on_loop` picks `async def` endpoints (True) or FastAPI's threadpool (False).

    `batched` predicts single records in batches gathered on the event loop (always `async def`). `looked_up`
    (a spec with stored features) awaits each request's lookups on the asyncio client (always `async def`).
    """
    # concern: parsing_validation
    record_type: Any = record_model or dict[str, Any]
    # concern: parsing_validation
    batch_type: Any = batch_model or dict[str, Any]

    def live() -> dict[str, str]:
        """The process is serving."""
        return LIVE_BODY

    # The model is looked up in each endpoint rather than through a `Depends`: FastAPI solves a dependency as a
    # sub-request of its own (query, cookies, cache key), ~80k instructions of a prediction's ~790k.
    def ready(request: Request) -> dict[str, str]:
        """The model is loaded."""
        return ready_body(served(request).require()[0])

    def model_card(request: Request) -> dict[str, Any]:
        """The model card."""
        return served(request).require()[0].model_card()

    def predict(record: Annotated[record_type, Body()], request: Request) -> Response:
        """One record → one prediction."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        timings.end("validate")
        with timings.measure("predict"):
            prediction = predictor.predict_one(validator.row(record))
        with timings.measure("serialize"):
            return JSONResponse(prediction_body(predictor, prediction))

    # concern: batching
    async def predict_in_batch(record: Annotated[record_type, Body()], request: Request) -> Response:
        """One record → one prediction, made in one model call with the records of concurrent requests."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        timings.end("validate")
        with timings.measure("predict"):
            prediction = await batcher_of(request).predict(validator.row(record))
        with timings.measure("serialize"):
            return JSONResponse(prediction_body(predictor, prediction))

    def predict_batch(batch: Annotated[batch_type, Body()], request: Request) -> Response:
        """`{"instances": [...]}` → one prediction per record, in one call to the model."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        timings.end("validate")
        with timings.measure("predict"):
            predictions = predictor.predict(validator.rows(batch.instances))
        with timings.measure("serialize"):
            return JSONResponse(batch_body(predictor, predictions))

    # concern: observability
    def metrics() -> Response:
        """Prometheus metrics of every worker of this server."""
        payload, content_type = METRICS.exposition()
        return Response(payload, media_type=content_type)

    # concern: feature_store
    if looked_up:
        predict, predict_batch = lookup_endpoints(record_type, batch_type)  # type: ignore[assignment]
    wrap: Callable[[Callable[..., Any]], Callable[..., Any]] = run_on_event_loop if on_loop else (lambda f: f)
    for path, endpoint, methods in (
        ("/health/live", live, GET),
        ("/health/ready", ready, GET),
        ("/health", ready, GET),
        ("/v1/model", model_card, GET),
        ("/v1/predict", predict_in_batch if batched and not looked_up else predict, POST),
        ("/v1/predict/batch", predict_batch, POST),
        ("/metrics", metrics, GET),
    ):
        # Added to the app's own router (not an included APIRouter), so `app.routes` lists them for the tests.
        app.router.add_api_route(
            path,
            endpoint if inspect.iscoroutinefunction(endpoint) else wrap(endpoint),
            methods=methods,
            name=f"{endpoint.__name__}:{path}",
            route_class_override=StrictJsonRoute,
        )
