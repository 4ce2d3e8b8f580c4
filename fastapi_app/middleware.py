"""Request id, Server-Timing, metrics, the access log and the last-resort 500, as one pure ASGI middleware."""

# file concern: observability

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.errors import error_response
from fastapi_app.metrics import METRICS
from fastapi_app.timing import SCOPE_KEY, new_timings
from shared_model import InternalError
from shared_model.http import request_id
from shared_model.logs import log_access

logger = logging.getLogger(__name__)


def raw_header(scope: Scope, name: bytes) -> str | None:
    """A request header's value read from the raw pairs (`name` lower-case, as ASGI servers send names)."""
    # A Starlette Headers view costs more: it copies and scans the pairs to answer the same question.
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)


class ContractMiddleware:
    """Wraps every HTTP request; catches what the app did not, inside, so even a 500 keeps its X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timings = scope[SCOPE_KEY] = new_timings()
        rid = request_id(raw_header(scope, b"x-request-id"))
        status = 500
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                # Appended as raw pairs: no app below sets these two, so Starlette's MutableHeaders, which
                # searches for a header to replace on every set, would find nothing.
                message["headers"] = [
                    *message.get("headers", ()),
                    (b"x-request-id", rid.encode()),
                    (b"server-timing", timings.header().encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            # concern: error_mapping
            # Caught here rather than re-raised: Starlette's outermost error handler would answer without our
            # headers, and uvicorn would log a second traceback. The worker carries on either way.
            logger.exception("request %s failed", rid)
            # concern: error_mapping
            if not started:
                await error_response(InternalError(), scope["path"])(scope, receive, send_with_headers)
        finally:
            total = timings.elapsed()
            route = getattr(scope.get("route"), "path", None)
            METRICS.observe_request(route, scope["method"], status, timings, total, path=scope["path"])
            log_access(scope["method"], scope["path"], status, total, rid)
