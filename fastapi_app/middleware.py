"""Request id, Server-Timing, metrics, the access log and the last-resort 500, as one pure ASGI middleware."""

# file concern: observability

from __future__ import annotations

import logging

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.errors import error_response
from fastapi_app.metrics import METRICS
from fastapi_app.timing import SCOPE_KEY, new_timings
from shared_model import InternalError
from shared_model.http import request_id

UNMATCHED_ROUTE = "<unmatched>"

logger = logging.getLogger(__name__)
access_log = logging.getLogger("servebench.access")


class ContractMiddleware:
    """Wraps every HTTP request; catches what the app did not, inside, so even a 500 keeps its X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timings = scope[SCOPE_KEY] = new_timings()
        rid = request_id(Headers(scope=scope).get("x-request-id"))
        status = 500
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                headers["Server-Timing"] = timings.header()
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
                await error_response(InternalError())(scope, receive, send_with_headers)
        finally:
            total = timings.elapsed()
            route = getattr(scope.get("route"), "path", UNMATCHED_ROUTE)
            METRICS.observe_request(route, scope["method"], status, total)
            access_log.info("%s %s %d %.3fms %s", scope["method"], scope["path"], status, total * 1000, rid)
