"""The production servers, 2 workers each, over real HTTP: a prediction, a bad request, metrics summed across
workers (on the app server alone), and a SIGTERM that lets an in-flight 1000-row batch finish before the server exits 0."""

from __future__ import annotations

import contextlib
import re
import socket
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from benchmarks.servers import RunningServer, running_server
from tests.conftest import LOAN_RECORD as LOAN

pytestmark = pytest.mark.live

CHUNK = 64 * 1024
CONCURRENT = 4  # within the default in-flight limit of one worker
MAX_PREDICTIONS = 400  # bound on the requests sent while waiting for both workers to have answered
PREDICTIONS_METRIC = re.compile(
    r'^servebench_http_requests_total\{method="POST",route="/v1/predict",status="200"\} (\S+)$', re.M
)
DIRECT_VARIANTS = {"flask_app": "gthread-direct", "fastapi_app": "async-direct"}
ACCESS_LINE = re.compile(r" (\d+) servebench\.access: POST /v1/predict 200 ")


@pytest.fixture(scope="module", params=["flask_app", "fastapi_app"])
def server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    with running_server(request.param, workers=2) as running:
        yield running


def test_prediction_and_bad_request(server: RunningServer):
    with httpx.Client(base_url=server.base_url) as client:
        good = client.post("/v1/predict", json=LOAN)
        assert good.status_code == 200
        body = good.json()
        assert set(body) == {"prediction", "probabilities", "model", "version"}
        assert (body["model"], body["version"]) == ("loan", "1.0.0")
        bad = client.post(
            "/v1/predict", content=b'{"age": NaN}', headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400
        assert bad.json() == {
            "error": {
                "code": "invalid_json",
                "message": "NaN is not a JSON number; send finite numbers only.",
                "details": [],
            }
        }
        assert bad.headers["content-type"] == "application/json"


def test_nginx_stamps_each_request_itself(server: RunningServer):
    """A client's own `X-Request-Start` never reaches the app: nginx sets it, so a forged stamp cannot get a request
    refused as late (the app alone refuses it: tests/http/test_errors.py)."""
    forged = {"X-Request-Start": "t=1.000"}
    answer = httpx.post(f"{server.base_url}/v1/predict", json=LOAN, headers=forged)
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module", params=["flask_app", "fastapi_app"])
def direct_server(request: pytest.FixtureRequest) -> Iterator[RunningServer]:
    """The app server alone: nginx keeps its upstream connections alive, and those it opened while one worker was
    still loading its model stay with the other worker, so through it one worker may answer every request."""
    with running_server(request.param, variant=DIRECT_VARIANTS[request.param], workers=2) as running:
        yield running


def test_metrics_count_every_prediction_across_workers(direct_server: RunningServer):
    server = direct_server
    before = _predictions_counted(server)
    sent = 0
    # Concurrent requests on new connections until the access log shows both workers answered some.
    with ThreadPoolExecutor(CONCURRENT) as pool:
        while sent < MAX_PREDICTIONS:
            statuses = list(
                pool.map(
                    lambda _: httpx.post(f"{server.base_url}/v1/predict", json=LOAN).status_code,
                    range(CONCURRENT),
                )
            )
            assert statuses == [200] * CONCURRENT
            sent += CONCURRENT
            if len(set(ACCESS_LINE.findall(server.log()))) >= 2:
                break
    assert len(set(ACCESS_LINE.findall(server.log()))) == 2, server.log()
    assert _predictions_counted(server) - before == sent


def test_a_body_too_large_to_drain_is_answered_413_and_the_server_keeps_serving(server: RunningServer):
    """A body declaring far more than the limit plus the drain allowance (docs/contract.md): the client still reads
    its 413; Flask's gunicorn then closes that connection, uvicorn keeps it; either way the next request works."""
    size = 11 * 1024 * 1024  # 1 MiB limit + 8 MiB drain allowance + 2 MiB
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        head = f"POST /v1/predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        sock.sendall(head.encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(size // CHUNK):
                sock.sendall(b" " * CHUNK)
        answer = b""
        while b"\r\n\r\n" not in answer and (data := sock.recv(65536)):
            answer += data
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    with httpx.Client(base_url=server.base_url) as client:
        assert client.post("/v1/predict", json=LOAN).status_code == 200


def test_sigterm_drains_an_in_flight_batch(server: RunningServer):
    body = httpx.Request("POST", "/", json={"instances": [LOAN] * 1000}).read()
    half = len(body) // 2
    first_half_sent = threading.Event()
    terminated = threading.Event()

    def slow_body() -> Iterator[bytes]:
        yield body[:half]
        first_half_sent.set()
        terminated.wait(10)
        yield body[half:]

    answers: list[httpx.Response] = []
    request = threading.Thread(
        target=lambda: answers.append(
            httpx.post(
                f"{server.base_url}/v1/predict/batch",
                content=slow_body(),
                headers={"Content-Type": "application/json"},
                timeout=30,
            )
        )
    )
    request.start()
    assert first_half_sent.wait(10)
    server.terminate()
    threading.Timer(1.0, terminated.set).start()  # let the signal reach the workers mid-request
    request.join(30)
    assert answers, server.log()
    assert answers[0].status_code == 200, answers[0].text
    assert len(answers[0].json()["predictions"]) == 1000
    assert server.wait(30) == 0, server.log()


def _predictions_counted(server: RunningServer) -> float:
    text = httpx.get(f"{server.base_url}/metrics").text
    found = PREDICTIONS_METRIC.search(text)
    return float(found.group(1)) if found else 0.0
