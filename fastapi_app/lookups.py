"""The prediction endpoints of a spec with stored features: each awaits its lookups on the asyncio client."""

# file concern: feature_store

# No `from __future__ import annotations`: FastAPI reads these signatures at runtime, and the record and batch
# classes exist only inside `lookup_endpoints`.

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Body, Request, Response
from fastapi.responses import JSONResponse

from fastapi_app.service import served
from fastapi_app.timing import timings_of
from shared_model.http import batch_body, prediction_body
from shared_model.store import AsyncStoreReader

Endpoint = Callable[..., Awaitable[Response]]


def lookup_endpoints(record_type: Any, batch_type: Any) -> tuple[Endpoint, Endpoint]:
    """`POST /v1/predict` and `/v1/predict/batch` for a spec with stored features, always `async def`."""

    async def predict(record: Annotated[record_type, Body()], request: Request) -> Response:
        """One record → its stored features, awaited on the event loop → one prediction."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        timings.end("validate")
        with timings.measure("lookup"):
            rows = await store_of(request).complete([validator.row(record)])
        with timings.measure("predict"):
            prediction = predictor.predict_one(rows[0])
        with timings.measure("serialize"):
            return JSONResponse(prediction_body(predictor, prediction))

    async def predict_batch(batch: Annotated[batch_type, Body()], request: Request) -> Response:
        """`{"instances": [...]}` → their stored features in one round trip → one prediction per record."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        timings.end("validate")
        with timings.measure("lookup"):
            rows = await store_of(request).complete(validator.rows(batch.instances), batch=True)
        with timings.measure("predict"):
            predictions = predictor.predict(rows)
        with timings.measure("serialize"):
            return JSONResponse(batch_body(predictor, predictions))

    return predict, predict_batch


def store_of(request: Request) -> AsyncStoreReader:
    """The reader the lifespan connected (the route exists only for a spec with stored features)."""
    reader: AsyncStoreReader = request.app.state.store
    return reader
