"""The server floors and the no-op ceiling server, started the same way the front ends are."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.servers import RunningServer, running_command
from flask_app import THREADS
from shared_model.proxied import UPSTREAM_PLACEHOLDER

WSGI_FLOOR = "wsgi-floor"
ASGI_FLOOR = "asgi-floor"
NOOP = "noop"
FLOORS = (WSGI_FLOOR, ASGI_FLOOR)
READY_PATH = "/health/ready"


def floor_arguments(name: str, port: int, workers: int) -> list[str]:
    """The interpreter's arguments for a floor under its production server (gunicorn gthread, uvicorn)."""
    if name == WSGI_FLOOR:
        # The same stack as Flask's shipped configuration, less Flask: nginx in front of gunicorn gthread.
        return _behind_proxy(
            port,
            "gunicorn",
            "benchmarks.baselines.wsgi_app:app",
            f"--bind=unix:{UPSTREAM_PLACEHOLDER}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={THREADS}",
            "--log-level=warning",
        )
    if name == ASGI_FLOOR:
        # The same stack as FastAPI's shipped configuration, less FastAPI: nginx in front of uvicorn.
        return _behind_proxy(
            port,
            "uvicorn",
            "benchmarks.baselines.asgi_app:app",
            f"--uds={UPSTREAM_PLACEHOLDER}",
            f"--workers={workers}",
            "--loop=uvloop",
            "--http=httptools",
            "--no-access-log",
            "--log-level=warning",
        )
    if name == NOOP:
        return ["-m", "benchmarks.baselines.noop", f"--port={port}"]
    raise ValueError(f"unknown floor {name!r}")


def _behind_proxy(port: int, *app_server: str) -> list[str]:
    """The arguments that run `python -m APP_SERVER...` behind nginx on `port`, as the front ends are."""
    return ["-m", "shared_model.proxied", f"--port={port}", "--", sys.executable, "-m", *app_server]


@contextmanager
def running_floor(name: str, *, workers: int = 1, model: str = "loan") -> Iterator[RunningServer]:
    """Start a floor (or the no-op server) on a free port; stopped on exit, also on failure."""
    env = {"SERVEBENCH_MODEL": model, "SERVEBENCH_LOG_LEVEL": "WARNING"}
    with running_command(
        name, lambda port: floor_arguments(name, port, workers), ready_path=READY_PATH, env=env
    ) as server:
        yield server
