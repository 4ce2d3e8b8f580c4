"""Targets (front end x mode x model) and the fleet that builds each adapter once and stops everything at the end."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from contract_tests.clients import FrontEnd
from contract_tests.reference import ReferenceFrontEnd
from shared_model import Predictor, Settings, load_model, load_settings

LAUNCHERS = {"flask": "flask_app", "fastapi": "fastapi_app", "streamlit": "streamlit_app"}
BATCHED_SUFFIX = "-batched"
# The batched variants' contract runs with a wait, so that a wave of concurrent requests meets in a few batches
# whose composition the clause then sees (the default wait of 0 batches only what arrives during a prediction).
BATCHED_ENV = {"SERVEBENCH_BATCH_WAIT_MS": "20"}
ONNX_SUFFIX = "-onnx"
ONNX_ENV = {"SERVEBENCH_RUNTIME": "onnx"}


@dataclass(frozen=True, slots=True)
class Target:
    """One front end, in one mode, serving one model."""

    front_end: str
    mode: str
    model: str

    @property
    def launcher(self) -> str:
        """The front end's package, run by `python -m`."""
        return LAUNCHERS[self.front_end.removesuffix(BATCHED_SUFFIX).removesuffix(ONNX_SUFFIX)]

    @property
    def variant(self) -> str | None:
        """`batched` for a batched front end, else None (the shipped variant)."""
        return "batched" if self.front_end.endswith(BATCHED_SUFFIX) else None

    @property
    def runtime(self) -> str:
        """`onnx` for a front end serving the ONNX conversion, else `sklearn`."""
        return "onnx" if self.front_end.endswith(ONNX_SUFFIX) else "sklearn"

    @property
    def model_label(self) -> str:
        """The model's name for ids and tables (a user model's file stem)."""
        return Path(self.model).name.removesuffix(".joblib") if "/" in self.model else self.model

    def __str__(self) -> str:
        return f"{self.front_end}-{self.mode}-{self.model_label}"


@cache
def predictor_for(model: str, runtime: str = "sklearn") -> Predictor:
    """The model, loaded once per test session (per runtime)."""
    return load_model(model, runtime=runtime)


def settings_for(model: str, batched: bool = False, runtime: str = "sklearn") -> Settings:
    """The settings every front end gets for this model (defaults apart from the model, BATCHED_ENV, ONNX_ENV)."""
    extra = {**(BATCHED_ENV if batched else {}), **(ONNX_ENV if runtime == "onnx" else {})}
    return load_settings({"SERVEBENCH_MODEL": model, **extra})


class Fleet:
    """Builds each target's adapter on first use (starting servers for live ones) and stops all of them on close."""

    def __init__(self, fastapi_server: str = "uvicorn") -> None:
        # "ray": the live FastAPI front end under Ray Serve (the contract suite's --fastapi-server).
        self.fastapi_server = fastapi_server
        self._stack = ExitStack()
        self._front_ends: dict[Target, FrontEnd] = {}
        self._references: dict[str, ReferenceFrontEnd] = {}

    def reference(self, model: str) -> ReferenceFrontEnd:
        """shared_model in-process for this model."""
        if model not in self._references:
            self._references[model] = ReferenceFrontEnd(predictor_for(model), settings_for(model))
        return self._references[model]

    def front_end(self, target: Target) -> FrontEnd:
        """The target's adapter, built once."""
        if target not in self._front_ends:
            self._front_ends[target] = self._build(target)
        return self._front_ends[target]

    def _build(self, target: Target) -> FrontEnd:
        if target.mode == "inprocess":
            return build_inprocess(target, self._stack)
        return build_live(target, self._stack, self.fastapi_server)

    def close(self) -> None:
        """Stop every server and client this fleet started."""
        self._front_ends.clear()
        try:
            self._stack.close()
        finally:
            if "contract_tests.streamlit_clients" in sys.modules:
                sys.modules["contract_tests.streamlit_clients"].forget_served_model()


def build_inprocess(target: Target, stack: ExitStack) -> FrontEnd:
    """The framework's own in-process test client around the front end's app factory."""
    batched = target.variant is not None
    predictor = predictor_for(target.model, target.runtime)
    settings = settings_for(target.model, batched, target.runtime)
    if target.launcher == "flask_app":
        from contract_tests.http_clients import FlaskInProcess
        from flask_app.app import create_app as create_flask_app

        flask_app = create_flask_app(predictor=predictor, settings=settings, batched=batched)
        return FlaskInProcess(flask_app, target.model, target.front_end)
    if target.launcher == "fastapi_app":
        from contract_tests.http_clients import HttpxFrontEnd, starlette_test_client
        from fastapi_app.app import create_app as create_fastapi_app

        app = create_fastapi_app(predictor=predictor, settings=settings, batched=batched)
        client: Any = stack.enter_context(starlette_test_client(app))
        return HttpxFrontEnd(target.front_end, "inprocess", target.model, client)
    from contract_tests.streamlit_clients import StreamlitAppTest

    return StreamlitAppTest(target.model)


def build_live(target: Target, stack: ExitStack, fastapi_server: str = "uvicorn") -> FrontEnd:
    """The production server started by its launcher on a free loopback port, stopped when the fleet closes."""
    from benchmarks.servers import running_ray_serve, running_server

    env = {**(BATCHED_ENV if target.variant else {}), **(ONNX_ENV if target.runtime == "onnx" else {})}
    server = stack.enter_context(
        running_ray_serve(model=target.model)
        if target.front_end == "fastapi" and fastapi_server == "ray"
        else running_server(target.launcher, variant=target.variant, model=target.model, env=env)
    )
    if target.front_end == "streamlit":
        from contract_tests.streamlit_clients import StreamlitLive

        return stack.enter_context(StreamlitLive(server.base_url, target.model))
    from contract_tests.http_clients import HttpxFrontEnd, live_client

    client = stack.enter_context(live_client(server.base_url))
    return HttpxFrontEnd(target.front_end, "live", target.model, client)
