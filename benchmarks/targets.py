"""What is measured: each front end (in its variants and worker counts) and each floor, and how to start it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from benchmarks.floors import ASGI_FLOOR, NOOP, WSGI_FLOOR, running_floor
from benchmarks.peers.serving import DEFAULT_VARIANTS as PEER_DEFAULTS
from benchmarks.peers.serving import PROTOCOLS, Protocol, running_peer
from benchmarks.peers.serving import SERVERS as PEER_SERVERS
from benchmarks.results import target_label
from benchmarks.servers import running_server
from shared_model import load_model

Kind = Literal["server_floor", "front_end", "generator_ceiling", "peer"]
HTTP_FRONT_ENDS = ("flask_app", "fastapi_app")
STREAMLIT = "streamlit_app"
SHIPPED_VARIANTS = {"flask_app": "gthread", "fastapi_app": "async", STREAMLIT: "shipped"}
ALTERNATIVE_VARIANTS = {"flask_app": "sync", "fastapi_app": "def", STREAMLIT: "default"}
BATCHED_VARIANT = "batched"  # both HTTP front ends' adaptive micro-batching (shared_model.batching)
# The compiled runtime arm: the shipped configuration with SERVEBENCH_RUNTIME=onnx (a setting, not a launcher variant).
ONNX_VARIANT = "onnx"
SERVER_OF = {
    "flask_app": "gunicorn",
    "fastapi_app": "uvicorn",
    STREAMLIT: "streamlit run",
    WSGI_FLOOR: "gunicorn gthread, framework-free WSGI",
    ASGI_FLOOR: "uvicorn, framework-free ASGI",
    NOOP: "uvloop protocol, constant answer",
}


@dataclass(frozen=True, slots=True)
class Server:
    """A started target: where it answers and the root of its process tree."""

    base_url: str
    pid: int


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """One configuration to measure."""

    name: str
    kind: Kind
    variant: str
    workers: int
    protocol: Protocol = "v1"  # what its predictions are sent as: our /v1/predict JSON, or OIP v2's infer

    @property
    def runtime(self) -> Literal["sklearn", "onnx"]:
        """Which library predicts: `onnx` for the compiled runtime arm, else `sklearn`."""
        return "onnx" if self.variant == ONNX_VARIANT else "sklearn"

    @property
    def label(self) -> str:
        return target_label(self.name, self.variant, self.workers, self.protocol)

    @property
    def is_http(self) -> bool:
        return self.name != STREAMLIT

    @property
    def server(self) -> str:
        return SERVER_OF.get(self.name) or PEER_SERVERS[self.name]


def front_end(name: str, variant: str | None = None, workers: int = 1) -> TargetSpec:
    """A front end's target; the shipped variant when none is named."""
    return TargetSpec(name, "front_end", variant or SHIPPED_VARIANTS[name], workers)


def peer(name: str, variant: str | None = None) -> TargetSpec:
    """A model server measured beside our front ends (benchmarks.peers), one worker, in its own protocol."""
    return TargetSpec(name, "peer", variant or PEER_DEFAULTS[name], 1, PROTOCOLS[name])


def over_oip(name: str) -> TargetSpec:
    """A front end's shipped configuration, sent Open Inference Protocol requests as MLServer is."""
    return TargetSpec(name, "front_end", SHIPPED_VARIANTS[name], 1, "oip")


def floor(name: str, workers: int = 1) -> TargetSpec:
    """A server floor's target (the no-op server is the generators' ceiling)."""
    kind: Kind = "generator_ceiling" if name == NOOP else "server_floor"
    return TargetSpec(name, kind, "default", workers)


@contextmanager
def running(target: TargetSpec, model: str) -> Iterator[Server]:
    """Start `target` on a free loopback port and stop it on exit, also on failure or Ctrl-C."""
    if target.kind == "peer":
        started = running_peer(target.name, target.variant, load_model(model), model)
    elif target.kind == "front_end" and target.variant == ONNX_VARIANT:
        started = running_server(
            target.name, workers=target.workers, model=model, env={"SERVEBENCH_RUNTIME": "onnx"}
        )
    elif target.kind == "front_end":
        started = running_server(target.name, variant=target.variant, workers=target.workers, model=model)
    else:
        started = running_floor(target.name, workers=target.workers, model=model)
    with started as server:
        yield Server(server.base_url, server.pid)
