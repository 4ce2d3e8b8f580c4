"""Bounded work as a pure ASGI middleware inside the contract middleware.

Behind the proxy a prediction waits its turn (shared_model.loop_turns.LoopTurns: one starts per loop iteration),
then is refused at once with 503 `overloaded` when it waited behind a standing queue (the proxy's stamp, judged as
its turn comes), or when its body has arrived while MAX_INFLIGHT others are being worked on. The count starts with
the whole body, so a client still sending (a slow upload) holds no place. Under uvicorn alone (no proxy to bound the
loop's work) there are no turns: a prediction is refused when its task starts behind a queue on the event loop
longer than MAX_QUEUE_MS (shared_model.loop_delay.LoopDelay), a rule that is slow under overload because it runs
only once uvicorn has read the request (benchmarks/METHOD.md). Behind nginx that rule is not kept (it would refuse
late what nginx had admitted).
"""

# file concern: admission

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.errors import error_response
from fastapi_app.middleware import raw_header
from shared_model.admission import Admission, Place, is_limited
from shared_model.errors import Overloaded
from shared_model.loop_delay import LoopDelay
from shared_model.loop_turns import LoopTurns
from shared_model.standing_queue import QUEUE_START_HEADER

QUEUE_START_NAME = QUEUE_START_HEADER.lower().encode("latin-1")


class AdmissionMiddleware:
    """Admits a prediction, or refuses it before any of its work is done."""

    def __init__(
        self,
        app: ASGIApp,
        admission: Admission,
        delay: LoopDelay | None,
        max_queue_s: float,
        turns: LoopTurns | None = None,
    ) -> None:
        self.app = app
        self.admission = admission
        self.delay = delay
        self.max_queue_s = max_queue_s
        self.turns = turns

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_limited(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.turns is not None:
            await self.turns.take()
        try:
            self.admission.judge(raw_header(scope, QUEUE_START_NAME))
            if self.delay is not None and not self.delay.admit(self.max_queue_s, self.admission.limit.limit):
                raise Overloaded()
        except Overloaded as refused:
            await error_response(refused, scope["path"])(scope, receive, send)
            return
        place: Place | None = None

        async def receive_then_admit() -> Message:
            # Raised inside the app's body read, Overloaded reaches the app's own error translator.
            nonlocal place
            message = await receive()
            if place is None and message["type"] == "http.request" and not message.get("more_body", False):
                place = self.admission.enter()
            return message

        try:
            await self.app(scope, receive_then_admit, send)
        finally:
            if place is not None:
                self.admission.leave(place)
