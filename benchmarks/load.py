"""Open-loop HTTP load: requests leave on a schedule, latency counts from the intended send time.

A closed-loop generator waits for each answer before sending the next, so a stalled server also stalls the clock
(coordinated omission). Here request i is due at its scheduled time whatever happened before (evenly spaced, or
Poisson arrivals as MLPerf's Server scenario); its latency is measured from that due time, so queueing shows up in
the figures. The sending is `pacer.py`'s lean protocol client, in this process or split over several generator
processes whose HDR histograms are merged. `Connection` and `sequential` are a plain streams client for the
harness's checks and the fault probes.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvloop

from benchmarks import arrivals as schedule
from benchmarks import slo_search
from benchmarks.generators import run_processes
from benchmarks.load_sample import HIGHEST_US, LOWEST_US, SIGNIFICANT_FIGURES, LoadSample
from benchmarks.pacer import MAX_CONNECTIONS, paced

__all__ = [
    "HIGHEST_US",
    "LOWEST_US",
    "MAX_CONNECTIONS",
    "SIGNIFICANT_FIGURES",
    "Answer",
    "Connection",
    "LoadSample",
    "collector_paused",
    "open_loop",
    "request_head",
    "sequential",
]

MAX_PROCESSES = 8


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


def open_loop(
    url: str,
    bodies: Sequence[bytes],
    *,
    rate: float,
    duration_s: float,
    arrivals: schedule.Arrivals = "uniform",
    seed: int = schedule.DEFAULT_SEED,
    processes: int = 1,
) -> LoadSample:
    """Send `rate` requests per second for `duration_s` on a schedule; latencies from the due times.

    `processes` > 1 splits one schedule over that many generator processes (each sends every n-th request), for a
    machine with cores to spare for the generator; their histograms are merged.
    """
    if not 1 <= processes <= MAX_PROCESSES:
        raise ValueError(f"processes must be 1 to {MAX_PROCESSES}, not {processes}")
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payloads = [request_head(url, body) + body for body in bodies]
    times = schedule.offsets(rate, duration_s, arrivals, seed)
    if processes > 1:
        return run_processes(host, port, payloads, times, duration_s=duration_s, processes=processes)
    with collector_paused():
        return uvloop.run(paced(host, port, payloads, times, duration_s=duration_s))


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


def poisson_trial(url: str, bodies: Sequence[bytes], rate: float) -> slo_search.TrialLoad:
    """One trial of the Server scenario's search run by a harness of its own (bench-io, limits): Poisson arrivals at
    `rate` for as long as `slo_search.trial_seconds` asks."""
    duration = slo_search.trial_seconds(rate)
    sample = open_loop(url, bodies, rate=rate, duration_s=duration, arrivals="poisson")
    return slo_search.TrialLoad.of(sample, rate, duration)


def sequential(url: str, bodies: Sequence[bytes], count: int) -> list[Answer]:
    """`count` requests one after another on one connection; every answer with its headers."""
    return uvloop.run(_sequential(url, bodies, count))
