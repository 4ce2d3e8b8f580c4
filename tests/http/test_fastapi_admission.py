"""FastAPI's admission middleware: behind nginx predictions take turns, under uvicorn alone the loop-queue rule."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from fastapi_app.admission import AdmissionMiddleware
from fastapi_app.app import create_app
from shared_model.admission import Admission, InflightLimit
from shared_model.errors import Overloaded
from shared_model.loop_delay import LoopDelay
from shared_model.loop_turns import LoopTurns
from shared_model.standing_queue import StandingQueue
from tests.http.asgi_calls import MAX_QUEUE_S, Answers, held_app, post_scope, receive_json


def _busy(seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


def test_past_the_count_a_prediction_is_refused_and_health_passes():
    async def scenario() -> tuple[list[int], int, bytes]:
        gate = asyncio.Event()
        middleware = AdmissionMiddleware(
            held_app(gate), Admission(InflightLimit(1), StandingQueue()), None, MAX_QUEUE_S
        )
        held, refused, health = Answers(), Answers(), Answers()
        first = asyncio.create_task(middleware(post_scope("/v1/predict"), receive_json, held.send))
        await asyncio.sleep(0.01)
        await middleware(post_scope("/v1/predict"), receive_json, refused.send)
        probe = asyncio.create_task(middleware(post_scope("/health/live"), receive_json, health.send))
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
            held_app(gate), Admission(InflightLimit(16), StandingQueue()), delay, MAX_QUEUE_S
        )
        if delay is not None:
            delay.start()
        await asyncio.sleep(0.01)
        for _ in range(10):
            _busy(0.03)  # every iteration holds the loop 30 ms: a queue on the loop
            await asyncio.sleep(0)
        answer = Answers()
        await middleware(post_scope("/v1/predict"), receive_json, answer.send)
        if delay is not None:
            delay.stop()
        return answer.status

    assert asyncio.run(scenario(with_rule=True)) == Overloaded.status
    assert asyncio.run(scenario(with_rule=False)) == 200


def test_behind_the_proxy_predictions_take_turns_and_health_does_not():
    async def scenario() -> list[str]:
        gate = asyncio.Event()
        gate.set()
        middleware = AdmissionMiddleware(
            held_app(gate), Admission(InflightLimit(16), StandingQueue()), None, MAX_QUEUE_S, LoopTurns()
        )
        answered: list[str] = []

        async def call(path: str) -> None:
            await middleware(post_scope(path), receive_json, Answers().send)
            answered.append(path)

        await asyncio.gather(*(call(path) for path in ("/v1/predict", "/v1/predict/batch", "/health/live")))
        return answered

    # Without turns both predictions would be answered in the loop's first iteration, before health.
    assert asyncio.run(scenario()) == ["/v1/predict", "/health/live", "/v1/predict/batch"]


@pytest.mark.parametrize(
    ("options", "takes_turns"),
    [
        ({"queue_admission": False}, True),  # behind nginx: the shipped configuration
        ({"queue_admission": False, "batched": True}, False),  # the batch is the queue
        ({"queue_admission": True}, False),  # uvicorn alone: the loop-queue rule instead
    ],
)
def test_predictions_take_turns_behind_the_proxy_unless_batched(options, takes_turns):
    app = create_app(**options)
    (turns,) = [entry.kwargs["turns"] for entry in app.user_middleware if "turns" in entry.kwargs]
    assert isinstance(turns, LoopTurns) is takes_turns
