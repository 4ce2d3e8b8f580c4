"""Each target called in-process the way its server calls it: `app(environ, start_response)`, an ASGI call, a predict.

Every caller rotates through the same request bodies, checks that each answer is a 200 prediction (a wrong path is
not measured), and is built with everything a shipped worker has: request id, Server-Timing, metrics (multiprocess
mode when PROMETHEUS_MULTIPROC_DIR is set, as the launchers set it) and the access log.
"""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import Callable, Coroutine, Iterable, Sequence
from typing import Any

from benchmarks.floors import ASGI_FLOOR, WSGI_FLOOR
from benchmarks.in_process import IN_PROCESS
from shared_model import Predictor, Validator

Calls = Callable[[int], None]  # make this many calls, the bodies taken in turn
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
AsgiApp = Callable[..., Coroutine[Any, Any, None]]
PATH = "/v1/predict"
HOST = "127.0.0.1"
PORT = 8000
FLASK = "flask_app"
FASTAPI = "fastapi_app"
TARGETS = (FLASK, WSGI_FLOOR, FASTAPI, ASGI_FLOOR, IN_PROCESS)


class WrongAnswer(RuntimeError):
    """An in-process call did not answer 200 with a prediction: its count would measure some other path."""


def _check(target: str, status: int, payload: bytes) -> None:
    if status != 200 or b'"prediction"' not in payload:
        raise WrongAnswer(f"{target}: {status} {payload[:300]!r}")


def wsgi_calls(target: str, app: WsgiApp, bodies: Sequence[bytes]) -> Calls:
    """Calls of a WSGI app with the environ gunicorn builds for `POST /v1/predict`; the body iterable is closed."""
    base = {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "",
        "PATH_INFO": PATH,
        "RAW_URI": PATH,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": HOST,
        "SERVER_PORT": str(PORT),
        "REMOTE_ADDR": HOST,
        "CONTENT_TYPE": "application/json",
        "HTTP_HOST": f"{HOST}:{PORT}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
    }
    lengths = [str(len(body)) for body in bodies]
    answer: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> None:
        answer[:] = [status]

    def calls(count: int) -> None:
        for index in range(count):
            which = index % len(bodies)
            environ = {**base, "CONTENT_LENGTH": lengths[which], "wsgi.input": io.BytesIO(bodies[which])}
            result = app(environ, start_response)
            try:
                payload = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            _check(target, int(answer[0].split(" ", 1)[0]), payload)

    return calls


def _scope(length: int) -> dict[str, Any]:
    headers = [
        (b"host", f"{HOST}:{PORT}".encode()),
        (b"content-type", b"application/json"),
        (b"content-length", str(length).encode()),
    ]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "server": (HOST, PORT),
        "client": (HOST, 40000),
        "scheme": "http",
        "method": "POST",
        "root_path": "",
        "path": PATH,
        "raw_path": PATH.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }


async def _asgi_call(target: str, app: AsgiApp, body: bytes) -> None:
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(_scope(len(body)), receive, send)
    status = sent[0]["status"] if sent else 0
    _check(target, status, b"".join(message.get("body", b"") for message in sent[1:]))


def asgi_calls(target: str, app: AsgiApp, bodies: Sequence[bytes], loop: asyncio.AbstractEventLoop) -> Calls:
    """Calls of an ASGI app on `loop` (uvicorn's uvloop), one after another, as a connection's requests are."""

    async def run(count: int) -> None:
        for index in range(count):
            await _asgi_call(target, app, bodies[index % len(bodies)])

    def calls(count: int) -> None:
        loop.run_until_complete(run(count))

    return calls


def predict_calls(predictor: Predictor, records: Sequence[dict[str, Any]]) -> Calls:
    """`Predictor.predict` of one validated row per call, the records validated beforehand."""
    validator = Validator(predictor.spec, max_batch=1)
    rows = [validator.validate_records([record]) for record in records]

    def calls(count: int) -> None:
        for index in range(count):
            predictor.predict(rows[index % len(rows)])

    return calls


def bodies_of(records: Sequence[dict[str, Any]]) -> list[bytes]:
    """The request bodies, encoded as the benchmark's load generators encode them."""
    return [json.dumps(record).encode() for record in records]


def start_lifespan(app: AsgiApp, loop: asyncio.AbstractEventLoop) -> asyncio.Task[None]:
    """Run the app's lifespan startup on `loop` as uvicorn does; the returned task holds it open until shutdown."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = loop.create_future()

    async def send(message: dict[str, Any]) -> None:
        if not started.done():
            started.set_result(message["type"])

    scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}, "state": {}}
    inbox.put_nowait({"type": "lifespan.startup"})
    task = loop.create_task(app(scope, inbox.get, send))
    outcome = loop.run_until_complete(started)
    if outcome != "lifespan.startup.complete":
        raise WrongAnswer(f"lifespan startup answered {outcome}")
    return task
