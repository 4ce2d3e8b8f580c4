"""`--variant batched` under its production servers: SIGTERM answers every queued prediction, then exits 0."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benchmarks.servers import RunningServer, running_server
from shared_model import Predictor, Validator
from shared_model.samples import sample_records

pytestmark = pytest.mark.live

WAIT_MS = 1500  # the batch window: long enough that the requests are still queued when SIGTERM arrives
QUEUED = 8
SIGNAL_AFTER_S = 0.5  # after the requests are sent, well inside the window
# A request the standing-queue rule refuses at once (503 overloaded, docs/contract.md#overload: a loaded host can
# make the first of a burst wait past its target) is sent again, as Retry-After asks; it still joins the window.
RETRIES = 5


@pytest.fixture(scope="module", params=["flask_app", "fastapi_app"])
def held(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    env = {"SERVEBENCH_BATCH_WAIT_MS": str(WAIT_MS)}
    with running_server(request.param, variant="batched", env=env) as running:
        yield running


def test_sigterm_answers_every_queued_prediction_then_exits_0(held: RunningServer, loan: Predictor) -> None:
    records = sample_records(loan.spec, QUEUED)
    with (
        httpx.Client(base_url=held.base_url, timeout=30, trust_env=False) as client,
        ThreadPoolExecutor(QUEUED) as pool,
    ):
        pending = [pool.submit(_until_admitted, client, record) for record in records]
        time.sleep(SIGNAL_AFTER_S)
        early = [reply.result() for reply in pending if reply.done()]
        assert not early, f"answered before the batch window ended: {early} {[r.text for r in early]}"
        held.terminate()
        replies = [reply.result() for reply in pending]
    assert [reply.status_code for reply in replies] == [200] * QUEUED, [reply.text for reply in replies]
    rows = Validator(loan.spec, max_batch=QUEUED).validate_records(records)
    # One batch of all of them: the same answers as in-process for that batch, bit for bit.
    assert [reply.json()["prediction"] for reply in replies] == [p.prediction for p in loan.predict(rows)]
    started = time.perf_counter()
    assert held.wait(30) == 0, held.log()
    print(f"exited {time.perf_counter() - started:.2f} s after the answers")


def _until_admitted(client: httpx.Client, record: Mapping[str, object]) -> httpx.Response:
    for _ in range(RETRIES):
        reply = client.post("/v1/predict", json=record)
        if reply.status_code != 503:
            break
    return reply
