"""Both front ends refuse a prediction stamped long ago by the proxy while another is in flight in the worker."""

from __future__ import annotations

import asyncio
import json
import threading
import time

from flask import Flask

from fastapi_app.admission import AdmissionMiddleware
from flask_app import admission, errors
from shared_model.admission import QUEUE_START_HEADER, InflightLimit, StandingQueue
from shared_model.errors import Overloaded
from tests.http.asgi_calls import MAX_QUEUE_S, Answers, held_app, post_scope, receive_json

HOLD_S = 5.0


def late_stamp() -> str:
    """A stamp one second old: past the queue's interval, so refused whenever the worker is busy."""
    return f"t={time.time() - 1:.3f}"


def test_flask_refuses_a_late_prediction_while_another_is_in_flight():
    app = Flask(__name__)
    errors.init_app(app)
    admission.init_app(app, InflightLimit(16), StandingQueue())
    entered, gate = threading.Event(), threading.Event()

    @app.post("/v1/predict")
    def held() -> str:
        entered.set()
        gate.wait(HOLD_S)
        return "ok"

    first = threading.Thread(target=lambda: app.test_client().post("/v1/predict"))
    first.start()
    try:
        assert entered.wait(HOLD_S)
        late = app.test_client().post("/v1/predict", headers={QUEUE_START_HEADER: late_stamp()})
    finally:
        gate.set()
        first.join(HOLD_S)
    assert (late.status_code, late.get_json()) == (503, Overloaded().body())
    assert (
        app.test_client().post("/v1/predict", headers={QUEUE_START_HEADER: late_stamp()}).status_code == 200
    )


def test_fastapi_refuses_a_late_prediction_while_another_is_in_flight():
    async def scenario() -> tuple[int, bytes, int]:
        gate = asyncio.Event()
        middleware = AdmissionMiddleware(
            held_app(gate), InflightLimit(16), StandingQueue(), None, MAX_QUEUE_S
        )
        held, late, alone = Answers(), Answers(), Answers()
        stamped = {
            **post_scope("/v1/predict"),
            "headers": [(QUEUE_START_HEADER.lower().encode(), late_stamp().encode())],
        }
        first = asyncio.create_task(middleware(post_scope("/v1/predict"), receive_json, held.send))
        await asyncio.sleep(0.01)
        await middleware(stamped, receive_json, late.send)
        gate.set()
        await first
        await middleware(stamped, receive_json, alone.send)
        return late.status, late.body, alone.status

    status, body, alone = asyncio.run(scenario())
    assert (status, json.loads(body)) == (503, Overloaded().body())
    assert alone == 200
