"""Open-loop HTTP load from asyncio: requests leave on a fixed schedule, latency counts from the intended send time.

A closed-loop generator waits for each answer before sending the next, so a stalled server also stalls the clock
(coordinated omission). Here request i is due at `start + i / rate` whatever happened before; its latency is
measured from that due time, so queueing shows up in the figures. The client is a minimal HTTP/1.1 keep-alive
client on asyncio streams (httpx costs too much CPU per request to reach the rates needed), reconnecting when the
server closes (gunicorn's sync worker closes after every answer).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import uvloop
from hdrh.histogram import HdrHistogram

LOWEST_US = 1
HIGHEST_US = 60_000_000
SIGNIFICANT_FIGURES = 3
MAX_CONNECTIONS = 256


@dataclass(slots=True)
class LoadSample:
    """Counts and an HDR histogram of latencies (µs) of one measured run."""

    duration_s: float
    requests: int = 0
    errors: int = 0
    non_200: int = 0  # answers neither 200 nor a 503 refusal
    refused: int = 0  # 503 refusals of a server at its in-flight limit
    histogram: HdrHistogram = field(
        default_factory=lambda: HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)
    )
    server_timing: list[str] = field(default_factory=list)

    def percentile_us(self, percentile: float) -> float:
        return float(self.histogram.get_value_at_percentile(percentile))

    @property
    def throughput(self) -> float:
        return (self.requests - self.refused) / self.duration_s if self.duration_s > 0 else 0.0


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    keep_alive: bool


class Connection:
    """One HTTP/1.1 connection that sends a request and reads one Content-Length-delimited answer."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes, body: bytes) -> Answer:
        """Send one request (reconnecting when needed) and read its answer."""
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(head + body)
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while (line := await self.reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        answer_body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        keep_alive = headers.get("connection", "").lower() != "close"
        if not keep_alive:
            await self.close()
        return Answer(status, headers, answer_body, keep_alive)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def request_head(url: str, body: bytes, method: str = "POST") -> bytes:
    """The request line and headers for `body` sent to `url`."""
    parts = urlsplit(url)
    lines = [f"{method} {parts.path or '/'} HTTP/1.1", f"Host: {parts.netloc}"]
    if method == "POST":
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def _open_loop(url: str, bodies: Sequence[bytes], rate: float, duration_s: float) -> LoadSample:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    idle: list[Connection] = []
    opened = 0
    sample = LoadSample(duration_s=duration_s)
    total = max(1, int(rate * duration_s))
    heads = [request_head(url, body) for body in bodies]

    async def one(index: int, due: float) -> None:
        nonlocal opened
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        if idle:
            connection = idle.pop()
        elif opened < MAX_CONNECTIONS:
            opened += 1
            connection = Connection(host, port)
        else:
            while not idle:
                await asyncio.sleep(0.0005)
            connection = idle.pop()
        slot = index % len(bodies)
        try:
            answer = await connection.request(heads[slot], bodies[slot])
        except (OSError, asyncio.IncompleteReadError, ValueError):
            sample.errors += 1
            await connection.close()
            idle.append(connection)
            return
        sample.histogram.record_value(max(LOWEST_US, int((time.perf_counter() - due) * 1e6)))
        sample.requests += 1
        sample.refused += answer.status == 503
        sample.non_200 += answer.status not in (200, 503)
        idle.append(connection)

    start = time.perf_counter() + 0.05
    tasks = [asyncio.create_task(one(i, start + i / rate)) for i in range(total)]
    # Bounded: whatever has not answered 10 s after the schedule ended counts as an error.
    _, pending = await asyncio.wait(tasks, timeout=duration_s + 10.0)
    for task in pending:
        task.cancel()
    sample.errors += len(pending)
    sample.duration_s = max(duration_s, time.perf_counter() - start) if pending else duration_s
    for connection in idle:
        await connection.close()
    return sample


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a generator runs in this process.

    The harness's heap (the model, scikit-learn, every record) is large: a full collection stalled the asyncio
    generator for 130–180 ms, which showed up as a p99 of the server. Objects alive now are frozen out of reach of
    the collector and collection is off until the block ends.
    """
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def open_loop(url: str, bodies: Sequence[bytes], *, rate: float, duration_s: float) -> LoadSample:
    """Send `rate` requests per second for `duration_s` on a fixed schedule; latencies from the due times."""
    with collector_paused():
        return uvloop.run(_open_loop(url, bodies, rate, duration_s))


async def _sequential(url: str, bodies: Sequence[bytes], count: int) -> list[Answer]:
    parts = urlsplit(url)
    connection = Connection(parts.hostname or "127.0.0.1", parts.port or 80)
    answers = []
    try:
        for index in range(count):
            body = bodies[index % len(bodies)]
            answers.append(await connection.request(request_head(url, body), body))
    finally:
        await connection.close()
    return answers


def sequential(url: str, bodies: Sequence[bytes], count: int) -> list[Answer]:
    """`count` requests one after another on one connection; every answer with its headers."""
    return uvloop.run(_sequential(url, bodies, count))
