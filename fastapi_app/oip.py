"""Open Inference Protocol v2 beside the contract's API: each endpoint routes to shared_model and wires the answer."""

# file concern: oip

# No `from __future__ import annotations`: FastAPI reads these signatures at runtime.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Body, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from fastapi_app.endpoints import GET, POST, run_on_event_loop
from fastapi_app.routing import StrictJsonRoute
from fastapi_app.service import served
from fastapi_app.timing import timings_of
from shared_model import oip
from shared_model.oip_tensors import infer_body, read_request


class OipRoute(StrictJsonRoute):
    """An inference request's body is JSON also when it declares no content type."""

    is_json = staticmethod(oip.is_json_body)


def add_oip_routes(app: FastAPI, *, on_loop: bool) -> None:
    """Add the protocol's routes, run like the contract's (`async def` on the loop, or FastAPI's threadpool)."""

    def server_metadata() -> dict[str, Any]:
        """Server metadata."""
        return oip.server_metadata()

    def live() -> Response:
        """The process is serving (the protocol's health answers are a status and no body)."""
        return Response(status_code=200)

    def ready(request: Request) -> Response:
        """The model is loaded."""
        served(request).require()
        return Response(status_code=200)

    def model_metadata(name: str, request: Request) -> dict[str, Any]:
        """The model's inputs and outputs."""
        predictor, _ = served(request).require()
        oip.check_model(predictor, name)
        return oip.model_metadata(predictor)

    def model_ready(name: str, request: Request) -> Response:
        """This model is loaded."""
        predictor, _ = served(request).require()
        oip.check_model(predictor, name)
        return Response(status_code=200)

    def infer(name: str, payload: Annotated[dict[str, Any], Body()], request: Request) -> Response:
        """Per-feature input tensors → the label (and probability) outputs, in one call to the model."""
        predictor, validator = served(request).require()
        timings = timings_of(request)
        oip.check_model(predictor, name)
        inference = read_request(payload, predictor, validator)
        timings.end("validate")
        with timings.measure("predict"):
            predictions = predictor.predict(inference.rows)
        with timings.measure("serialize"):
            return JSONResponse(infer_body(predictor, inference, predictions))

    wrap: Callable[[Callable[..., Any]], Callable[..., Any]] = run_on_event_loop if on_loop else (lambda f: f)
    for path, endpoint, methods in (
        ("", server_metadata, GET),
        ("/health/live", live, GET),
        ("/health/ready", ready, GET),
        ("/models/{name}", model_metadata, GET),
        ("/models/{name}/ready", model_ready, GET),
        ("/models/{name}/infer", infer, POST),
    ):
        app.router.add_api_route(
            oip.PREFIX + path,
            wrap(endpoint),
            methods=methods,
            name=f"oip_{endpoint.__name__}:{path}",
            route_class_override=OipRoute,
            strict_content_type=False,  # FastAPI's own reading of the body: untyped is JSON, as above
        )
