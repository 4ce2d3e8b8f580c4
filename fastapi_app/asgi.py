"""The app factories uvicorn imports in each worker: behind nginx `fastapi_app.asgi:on_loop_app`,
`:threadpool_app` or `:batched_app`, alone `:direct_on_loop_app`."""

# file concern: server_config

from __future__ import annotations

from fastapi import FastAPI

from fastapi_app.app import create_app
from shared_model import load_settings
from shared_model.logs import LOG_FORMAT, configure_logging

# LOG_FORMAT is re-exported: the benchmarks' instruction probe logs like a worker.
__all__ = ["LOG_FORMAT", "batched_app", "direct_on_loop_app", "on_loop_app", "threadpool_app"]


def on_loop_app() -> FastAPI:
    """Endpoints as `async def`, on the event loop, behind nginx (the shipped configuration)."""
    return _app(on_loop=True, proxied=True)


def threadpool_app() -> FastAPI:
    """Endpoints as plain `def`, run by FastAPI in its threadpool, behind nginx."""
    return _app(on_loop=False, proxied=True)


def batched_app() -> FastAPI:
    """Endpoints as `async def` behind nginx, single predictions batched on the event loop."""
    return _app(on_loop=True, proxied=True, batched=True)


def direct_on_loop_app() -> FastAPI:
    """Endpoints as `async def` under uvicorn alone: the app refuses on the loop's queue too."""
    return _app(on_loop=True, proxied=False)


def _app(*, on_loop: bool, proxied: bool, batched: bool = False) -> FastAPI:
    settings = load_settings()
    # concern: observability
    configure_logging(settings.LOG_LEVEL)
    return create_app(settings=settings, on_loop=on_loop, queue_admission=not proxied, batched=batched)
