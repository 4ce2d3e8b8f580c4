"""Serve's HTTP proxy callback (RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH=ray_serve.proxy:middlewares).

Serve's proxy always appends its own X-Request-ID to every answer; the app already sends one (the same id: the
proxy hands the app the id it will use), so the answer carried the header twice, `id, id` to a client. The
contract says one (docs/contract.md), so the proxy keeps the app's.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CALLBACK = "ray_serve.proxy:middlewares"
REQUEST_ID = b"x-request-id"


class OneRequestId:
    """Drops every X-Request-ID after the first from an answer's headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_one_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": first_request_id_only(message.get("headers", []))}
            await send(message)

        await self.app(scope, receive, send_one_id)


def first_request_id_only(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """`headers` without any X-Request-ID after the first."""
    kept: list[tuple[bytes, bytes]] = []
    seen = False
    for name, value in headers:
        if name.lower() == REQUEST_ID:
            if seen:
                continue
            seen = True
        kept.append((name, value))
    return kept


def middlewares() -> list[Middleware]:
    """The middlewares Serve's proxy wraps around its own (the last is outermost)."""
    return [Middleware(OneRequestId)]
