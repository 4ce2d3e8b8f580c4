"""FastAPI's admission middleware with and without the loop-queue rule (off behind nginx, on under uvicorn alone)."""

from __future__ import annotations

import asyncio
import json
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fastapi_app.admission import AdmissionMiddleware
from fastapi_app.errors import error_response
from shared_model.admission import InflightLimit, LoopDelay, StandingQueue
from shared_model.errors import Overloaded

MAX_QUEUE_S = 0.025


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


def _scope(path: str) -> Scope:
    return {"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b""}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"{}", "more_body": False}


def _held_app(gate: asyncio.Event) -> ASGIApp:
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


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_past_the_count_a_prediction_is_refused_and_health_passes():
    async def scenario() -> tuple[list[int], int, bytes]:
        gate = asyncio.Event()
        middleware = AdmissionMiddleware(
            _held_app(gate), InflightLimit(1), StandingQueue(), None, MAX_QUEUE_S
        )
        held, refused, health = Answers(), Answers(), Answers()
        first = asyncio.create_task(middleware(_scope("/v1/predict"), _receive, held.send))
        await asyncio.sleep(0.01)
        await middleware(_scope("/v1/predict"), _receive, refused.send)
        probe = asyncio.create_task(middleware(_scope("/health/live"), _receive, health.send))
        await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(first, probe)
        return [held.status, health.status], refused.status, refused.body

    passed, refused, body = asyncio.run(scenario())
    assert passed == [200, 200]
    assert refused == Overloaded.status
    assert json.loads(body) == Overloaded().body()


def test_a_late_loop_refuses_only_with_the_queue_rule():
    async def scenario(with_rule: bool) -> int:
        gate = asyncio.Event()
        gate.set()
        delay = LoopDelay(tick_s=0.002, window=3) if with_rule else None
        middleware = AdmissionMiddleware(
            _held_app(gate), InflightLimit(16), StandingQueue(), delay, MAX_QUEUE_S
        )
        if delay is not None:
            delay.start()
        await asyncio.sleep(0.01)
        for _ in range(10):
            _busy(0.03)  # every iteration holds the loop 30 ms: a queue on the loop
            await asyncio.sleep(0)
        answer = Answers()
        await middleware(_scope("/v1/predict"), _receive, answer.send)
        if delay is not None:
            delay.stop()
        return answer.status

    assert asyncio.run(scenario(with_rule=True)) == Overloaded.status
    assert asyncio.run(scenario(with_rule=False)) == 200
