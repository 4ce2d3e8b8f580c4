"""The ASGI server floor: `uvicorn benchmarks.baselines.asgi_app:app`, no framework between uvicorn and the model."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from benchmarks.baselines.core import Floor
from shared_model.heap import settle
from shared_model.http import JSON_MEDIA_TYPE

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
FLOOR = Floor()
settle()  # as the front ends do once their model is loaded


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """HTTP only (lifespan is acknowledged); the body is read whole, then answered inline like FastAPI `async def`."""
    if scope["type"] == "lifespan":
        while (message := await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    headers = dict(scope["headers"])
    status, payload = FLOOR.handle(
        scope["method"], scope["path"], headers.get(b"content-type", b"").decode("latin-1"), b"".join(chunks)
    )
    length = str(len(payload)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", JSON_MEDIA_TYPE.encode()), (b"content-length", length)],
        }
    )
    await send({"type": "http.response.body", "body": payload})
