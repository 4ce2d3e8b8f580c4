"""Both front ends refuse a prediction that waited behind a standing queue, and serve one that did not."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from flask import Flask

from fastapi_app.admission import AdmissionMiddleware
from flask_app import admission, errors
from shared_model.admission import Admission, InflightLimit
from shared_model.errors import Overloaded
from shared_model.standing_queue import QUEUE_START_HEADER, StandingQueue
from tests.http.asgi_calls import MAX_QUEUE_S, Answers, post_scope, receive_json
from tests.http.asgi_calls import held_app as answering_app

INTERVAL_MS = 10.0
LATE_S = 0.040  # past the 25 ms target
FRESH_S = 0.0


def stamp(waited_s: float) -> str:
    """The proxy's stamp on a request handed on `waited_s` ago."""
    return f"t={time.time() - waited_s:.3f}"


def standing_admission() -> Admission:
    """Admission whose queue has stood for a whole interval: every prediction waited past the target."""
    queue = StandingQueue(ceiling_ms=25, interval_ms=INTERVAL_MS)
    queue.admits(stamp(LATE_S))
    time.sleep(INTERVAL_MS / 1000 * 2)
    queue.admits(stamp(LATE_S))
    assert queue.standing
    return Admission(InflightLimit(16), queue)


@pytest.mark.parametrize(("waited_s", "status"), [(LATE_S, 503), (FRESH_S, 200)])
def test_flask_judges_the_proxys_stamp(waited_s, status):
    app = Flask(__name__)
    errors.init_app(app)
    admission.init_app(app, standing_admission())
    app.post("/v1/predict")(lambda: "ok")
    answer = app.test_client().post("/v1/predict", headers={QUEUE_START_HEADER: stamp(waited_s)})
    assert answer.status_code == status
    if status == 503:
        assert answer.get_json() == Overloaded().body()


@pytest.mark.parametrize(("waited_s", "status"), [(LATE_S, 503), (FRESH_S, 200)])
def test_fastapi_judges_the_proxys_stamp(waited_s, status):
    async def scenario() -> Answers:
        gate = asyncio.Event()
        gate.set()
        middleware = AdmissionMiddleware(answering_app(gate), standing_admission(), None, MAX_QUEUE_S)
        stamped = {
            **post_scope("/v1/predict"),
            "headers": [(QUEUE_START_HEADER.lower().encode(), stamp(waited_s).encode())],
        }
        answer = Answers()
        await middleware(stamped, receive_json, answer.send)
        return answer

    answer = asyncio.run(scenario())
    assert answer.status == status
    if status == 503:
        assert json.loads(answer.body) == Overloaded().body()
