"""ASGI calls made by hand: a request's scope and body, an app held until released, and what was answered."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.errors import error_response
from shared_model.errors import Overloaded

MAX_QUEUE_S = 0.025  # the loop-queue rule's limit that the admission middleware is built with in these tests


class Answers:
    """What one request was answered: its status and body."""

    def __init__(self) -> None:
        self.status = 0
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")


def post_scope(path: str) -> Scope:
    """The scope of a `POST path` with no headers."""
    return {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b""}


async def receive_json() -> Message:
    """The whole body of a request, `{}`, in one message."""
    return {"type": "http.request", "body": b"{}", "more_body": False}


def held_app(gate: asyncio.Event) -> ASGIApp:
    """An app that reads the body, then answers 200 once `gate` is set (an `Overloaded` read is answered 503)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await receive()  # the whole body: the request is counted from here
        except Overloaded as refused:  # as the app's own error translator answers it
            await error_response(refused, scope["path"])(scope, receive, send)
            return
        await gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app
