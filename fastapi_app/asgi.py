"""The app factories uvicorn imports in each worker: `fastapi_app.asgi:on_loop_app` or `:threadpool_app`."""

# file concern: server_config

from __future__ import annotations

from fastapi import FastAPI

from fastapi_app.app import create_app
from shared_model import load_settings
from shared_model.logs import LOG_FORMAT, configure_logging

# LOG_FORMAT is re-exported: the benchmarks' instruction probe logs like a worker.
__all__ = ["LOG_FORMAT", "on_loop_app", "threadpool_app"]


def on_loop_app() -> FastAPI:
    """Endpoints as `async def`, on the event loop (the shipped configuration)."""
    return _app(on_loop=True)


def threadpool_app() -> FastAPI:
    """Endpoints as plain `def`, run by FastAPI in its threadpool."""
    return _app(on_loop=False)


def _app(*, on_loop: bool) -> FastAPI:
    settings = load_settings()
    # concern: observability
    configure_logging(settings.LOG_LEVEL)
    return create_app(settings=settings, on_loop=on_loop)
