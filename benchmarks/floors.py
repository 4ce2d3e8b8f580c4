"""The server floors and the no-op ceiling server, started the same way the front ends are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.launch import Launched, free_port, launched, python_module

WSGI_FLOOR = "wsgi-floor"
ASGI_FLOOR = "asgi-floor"
NOOP = "noop"
FLOORS = (WSGI_FLOOR, ASGI_FLOOR)
READY_PATH = "/health/ready"


def floor_command(name: str, port: int, workers: int) -> list[str]:
    """The production-server command line of a floor (gunicorn gthread, uvicorn with uvloop+httptools)."""
    bind = f"127.0.0.1:{port}"
    if name == WSGI_FLOOR:
        # gthread keeps connections alive like a careful Flask deployment; one thread per worker keeps it a floor.
        return python_module(
            "gunicorn",
            "benchmarks.baselines.wsgi_app:app",
            f"--bind={bind}",
            f"--workers={workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--log-level=warning",
        )
    if name == ASGI_FLOOR:
        return python_module(
            "uvicorn",
            "benchmarks.baselines.asgi_app:app",
            "--host=127.0.0.1",
            f"--port={port}",
            f"--workers={workers}",
            "--loop=uvloop",
            "--http=httptools",
            "--no-access-log",
            "--log-level=warning",
        )
    if name == NOOP:
        return python_module("benchmarks.baselines.noop", f"--port={port}")
    raise ValueError(f"unknown floor {name!r}")


@contextmanager
def running_floor(name: str, *, workers: int = 1, model: str = "loan") -> Iterator[Launched]:
    """Start a floor (or the no-op server) on a free port; stopped on exit, also on failure."""
    port = free_port()
    env = {"SERVEBENCH_MODEL": model, "SERVEBENCH_LOG_LEVEL": "WARNING"}
    with launched(floor_command(name, port, workers), port=port, ready_path=READY_PATH, env=env) as server:
        yield server
