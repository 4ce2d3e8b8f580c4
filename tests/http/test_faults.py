"""Faults against the shipped production servers, 2 workers each, over real HTTP: slow clients, overload with a
liveness probe, a worker killed under load, and SIGTERM under load. Each is bounded in time and count."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

import httpx
import psutil
import pytest

from benchmarks.faults import StatusSample, closed_loop, probing, stalled_clients, worker_processes
from benchmarks.servers import RunningServer, running_server
from shared_model.errors import Overloaded
from tests.conftest import LOAN_RECORD as LOAN

pytestmark = pytest.mark.live

BODIES = [json.dumps(LOAN).encode()]
STALLED = 64
OVERLOAD_CONNECTIONS = 256
# Two per worker: each waits for at most one other prediction, so even a host three times slower than a calm one
# (8 ms a prediction) builds no queue past the objective, and any refusal is the drain's. With one worker killed, the
# survivor's queue is two predictions deep (16 ms there), still under the 25 ms target; 8 connections queued 7 deep
# there, and CI's slowed host refused more than it answered (648 against 502) while the replacement started.
STEADY_CONNECTIONS = 4
SECONDS = 5.0
REPLACE_SECONDS = 5.0  # after the load, for the replacement worker to appear
RAMP_SECONDS = 10.0  # at most, to accept the burst's connections
ANSWERING_PID = re.compile(r" (\d+) servebench\.access: POST /v1/predict 200 ")
T = TypeVar("T")


@pytest.fixture(params=["flask_app", "fastapi_app"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    with running_server(request.param, workers=2) as running:
        yield running


def test_slow_clients_do_not_stall_the_server(server: RunningServer):
    with stalled_clients("127.0.0.1", server.port, STALLED):
        started = time.perf_counter()
        answer = httpx.post(f"{server.base_url}/v1/predict", json=LOAN, timeout=10)
        waited = time.perf_counter() - started
    assert answer.status_code == 200, answer.text
    assert waited < 1.0, f"a normal request waited {waited:.2f} s behind {STALLED} stalled clients"


def test_overload_is_refused_at_once_and_liveness_still_answers(server: RunningServer):
    # Probed from the burst's first connection: nginx accepts it at once in front of both app servers (uvicorn
    # alone took 2.5 s or more to accept 256 connections opened at once under load; a probe in that ramp waited).
    samples: list[StatusSample] = []
    load = threading.Thread(
        target=lambda: samples.append(
            closed_loop(
                f"{server.base_url}/v1/predict",
                BODIES,
                connections=OVERLOAD_CONNECTIONS,
                duration_s=RAMP_SECONDS + SECONDS,
            )
        )
    )
    load.start()
    with probing(f"{server.base_url}/health/live") as probe:
        ramp = _wait_until_accepted(server, OVERLOAD_CONNECTIONS, RAMP_SECONDS)
        time.sleep(SECONDS - 1)
    load.join(RAMP_SECONDS + SECONDS + 15)
    assert ramp < RAMP_SECONDS, (
        f"the server took over {RAMP_SECONDS} s to accept {OVERLOAD_CONNECTIONS} connections"
    )
    sample = samples[0]
    assert sample.errors == 0, "requests timed out or lost their connection"
    assert set(sample.by_status) == {200, 503}, sorted(sample.by_status)
    assert sample.count(200) > 0, "no prediction got through"
    assert json.loads(sample.first_body[503]) == Overloaded().body()
    assert sample.first_headers[503]["retry-after"] == "1"
    assert sample.first_headers[503]["x-request-id"]
    assert probe.latencies_ms, "the liveness probe never ran"
    assert probe.failures == 0, probe.latencies_ms
    assert probe.worst_ms < 1000, probe.latencies_ms


def test_a_worker_killed_under_load_is_replaced(server: RunningServer):
    httpx.post(f"{server.base_url}/v1/predict", json=LOAN).raise_for_status()
    victim = _answering_worker(server)
    threading.Timer(1.0, os.kill, (victim, signal.SIGKILL)).start()
    sample = closed_loop(
        f"{server.base_url}/v1/predict", BODIES, connections=STEADY_CONNECTIONS, duration_s=SECONDS
    )
    # Until the worker is back, one worker carries both's load and may refuse what waited past the objective: an
    # `overloaded` answer with Retry-After is the contract working, not a failure. Anything else is.
    refused = sample.by_code[Overloaded.code]
    answered = sample.count(200)
    failed = sample.errors + sum(sample.count(status) for status in sample.by_status) - answered - refused
    assert failed <= 0.02 * (answered + refused + failed), (failed, refused, answered, dict(sample.by_code))
    assert answered > refused, (refused, answered)
    assert not psutil.pid_exists(victim) or psutil.Process(victim).status() == psutil.STATUS_ZOMBIE
    after = httpx.post(f"{server.base_url}/v1/predict", json=LOAN, timeout=5)
    assert after.status_code == 200
    # The supervisor notices the death on its next check and starts a new worker; on a slowed host that can fall just
    # after the load ends (a fresh clone saw uvicorn's replacement still missing right then), so allow it a moment.
    _polled(lambda: len(worker_processes(server.pid)) >= 2, REPLACE_SECONDS, 0.1)
    assert len(worker_processes(server.pid)) == 2, "the killed worker was not replaced"


def test_sigterm_under_load_finishes_what_is_in_flight(server: RunningServer):
    threading.Timer(1.0, server.terminate).start()
    sample = closed_loop(
        f"{server.base_url}/v1/predict", BODIES, connections=STEADY_CONNECTIONS, duration_s=3.0
    )
    assert sample.count(200) > 0
    assert set(sample.by_status) == {200}, ("an answer other than 200 during the drain", dict(sample.by_code))
    assert server.wait(30) == 0, server.log()


def _wait_until_accepted(server: RunningServer, count: int, timeout: float) -> float:
    """Seconds until the server's processes hold `count` client connections (or `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        held = 0
        for process in psutil.Process(server.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                held += sum(
                    c.status == psutil.CONN_ESTABLISHED and c.laddr.port == server.port
                    for c in process.net_connections("tcp")
                )
        if held >= count:
            break
        time.sleep(0.1)
    return time.monotonic() - started


def _answering_worker(server: RunningServer) -> int:
    # The access line is written just after the answer is sent.
    found = _polled(lambda: ANSWERING_PID.findall(server.log()), 5, 0.05)
    assert found, server.log()
    return int(found[-1])


def _polled(condition: Callable[[], T], timeout: float, step: float) -> T:
    """`condition()`'s value once it is true, or its last value when `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while not (value := condition()) and time.monotonic() < deadline:
        time.sleep(step)
    return value
