"""Bounded work as a pure ASGI middleware inside the contract middleware.

A prediction is refused at once with 503 `overloaded` when its task starts behind a queue on the event loop longer
than MAX_QUEUE_MS (shared_model.admission.LoopDelay, when given one), or when its body has arrived while MAX_INFLIGHT others are being worked on. The count starts with
the whole body, so a client still sending (a slow upload) holds no place. The shipped launcher puts nginx in front,
which refuses first and keeps the loop's work bounded, so there only the count is kept (the queue rule would refuse
late what nginx had admitted). In process and under uvicorn alone both rules apply, and are slow under overload:
they run only once uvicorn has read the request (benchmarks/METHOD.md).
"""

# file concern: admission

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.errors import error_response
from fastapi_app.middleware import raw_header
from shared_model.admission import QUEUE_START_HEADER, InflightLimit, LoopDelay, StandingQueue, is_limited
from shared_model.errors import Overloaded

QUEUE_START_NAME = QUEUE_START_HEADER.lower().encode("latin-1")


class AdmissionMiddleware:
    """Admits a prediction, or refuses it before any of its work is done."""

    def __init__(
        self,
        app: ASGIApp,
        limit: InflightLimit,
        queue: StandingQueue,
        delay: LoopDelay | None,
        max_queue_s: float,
    ) -> None:
        self.app = app
        self.limit = limit
        self.queue = queue
        self.delay = delay
        self.max_queue_s = max_queue_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        stamp = raw_header(scope, QUEUE_START_NAME)
        if not self.queue.admits(stamp, self.limit.inflight > 0) or (
            self.delay is not None and not self.delay.admit(self.max_queue_s, self.limit.limit)
        ):
            await error_response(Overloaded(), scope["path"])(scope, receive, send)
            return
        admitted = False

        async def receive_then_admit() -> Message:
            # Raised inside the app's body read, Overloaded reaches the app's own error translator.
            nonlocal admitted
            message = await receive()
            if not admitted and message["type"] == "http.request" and not message.get("more_body", False):
                if not self.limit.try_enter():
                    raise Overloaded()
                admitted = True
            return message

        try:
            await self.app(scope, receive_then_admit, send)
        finally:
            if admitted:
                self.limit.leave()
