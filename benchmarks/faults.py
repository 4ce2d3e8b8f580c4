"""Fault probes over real HTTP: overload in a closed loop, a liveness prober, clients that stall mid-request, and
workers frozen now and then as a host stall freezes them.

Each is bounded in time and count and talks to loopback only; the live fault tests and the benchmark use them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import psutil
import uvloop
from hdrh.histogram import HdrHistogram

from benchmarks.generators import READY, wait_until_ready
from benchmarks.load import (
    HIGHEST_US,
    LOWEST_US,
    SIGNIFICANT_FIGURES,
    Connection,
    collector_paused,
    request_head,
)
from benchmarks.load_sample import OK

PROBE_TIMEOUT_S = 5.0
# After a failed connection a client pauses before the next, as real clients do: retrying at once, eight clients
# spun thousands of connects a second once a draining server had closed its socket, and the host they starved
# delayed the last requests in flight past the queue's limit.
RETRY_PAUSE_S = 0.01


def error_code(body: bytes) -> str:
    """The contract's error code in an answer's body (`{"error": {"code": ...}}`), or "unreadable"."""
    try:
        return str(json.loads(body)["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "unreadable"


def _histogram() -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, SIGNIFICANT_FIGURES)


@dataclass(slots=True)
class StatusSample:
    """Latencies (µs) by status of a closed-loop run, the first body seen of each status, the error answers by their
    code, and transport errors."""

    duration_s: float
    by_status: dict[int, HdrHistogram] = field(default_factory=dict)
    first_body: dict[int, bytes] = field(default_factory=dict)
    first_headers: dict[int, dict[str, str]] = field(default_factory=dict)
    by_code: Counter[str] = field(default_factory=Counter)
    errors: int = 0

    def count(self, status: int) -> int:
        """Answers with `status`."""
        found = self.by_status.get(status)
        return int(found.get_total_count()) if found is not None else 0

    def percentile_ms(self, status: int, percentile: float) -> float:
        """The `percentile` latency of answers with `status`, in ms."""
        return float(self.by_status[status].get_value_at_percentile(percentile)) / 1000


async def _closed_loop(
    url: str, bodies: Sequence[bytes], connections: int, duration_s: float
) -> StatusSample:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    heads = [request_head(url, body) for body in bodies]
    sample = StatusSample(duration_s=duration_s)
    deadline = time.perf_counter() + duration_s

    async def client(offset: int) -> None:
        connection = Connection(host, port)
        index = offset
        try:
            while time.perf_counter() < deadline:
                slot = index % len(bodies)
                index += 1
                started = time.perf_counter()
                try:
                    answer = await asyncio.wait_for(
                        connection.request(heads[slot], bodies[slot]), timeout=PROBE_TIMEOUT_S
                    )
                except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
                    sample.errors += 1
                    await connection.close()
                    await asyncio.sleep(RETRY_PAUSE_S)
                    continue
                micros = max(LOWEST_US, int((time.perf_counter() - started) * 1e6))
                sample.by_status.setdefault(answer.status, _histogram()).record_value(micros)
                sample.first_body.setdefault(answer.status, answer.body)
                if answer.status != OK:
                    sample.by_code[error_code(answer.body)] += 1
                sample.first_headers.setdefault(answer.status, answer.headers)
        finally:
            await connection.close()

    await asyncio.gather(*(client(offset) for offset in range(connections)))
    return sample


def closed_loop(url: str, bodies: Sequence[bytes], *, connections: int, duration_s: float) -> StatusSample:
    """`connections` clients each sending the next request as soon as the last is answered, for `duration_s`."""
    with collector_paused():
        return uvloop.run(_closed_loop(url, bodies, connections, duration_s))


@dataclass(slots=True)
class ProbeResult:
    """What a prober saw: each probe's latency in ms, or None where it failed or timed out."""

    latencies_ms: list[float | None] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(latency is None for latency in self.latencies_ms)

    @property
    def worst_ms(self) -> float:
        answered = [latency for latency in self.latencies_ms if latency is not None]
        return max(answered, default=float("inf"))


@contextmanager
def probing(url: str, *, interval_s: float = 0.25) -> Iterator[ProbeResult]:
    """GET `url` on a new connection every `interval_s` until exit, as an orchestrator's probe does.

    The prober is a process of its own, so that a load generator in this process cannot delay it: what it sees is
    the server's answer time alone. It is running before this yields: two probers starting up (their imports) at
    the start of a load took the CPU from Flask's two workers long enough to double its overload p99 (METHOD.md).
    """
    result = ProbeResult()
    command = [sys.executable, "-m", "benchmarks.faults", "--probe", url, "--interval", str(interval_s)]
    prober = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        wait_until_ready(prober, "the prober")
        yield result
    finally:
        prober.send_signal(signal.SIGINT)
        output, _ = prober.communicate(timeout=PROBE_TIMEOUT_S + 5)
        result.latencies_ms.extend(None if line == "failed" else float(line) for line in output.split())


def _probe_forever(url: str, interval_s: float) -> None:
    # A shell starts background jobs with SIGINT ignored, and Python then keeps ignoring it: the stop signal would
    # never arrive.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    print(READY, flush=True)
    try:
        while True:
            time.sleep(interval_s)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=PROBE_TIMEOUT_S) as answer:
                    ok = answer.status == 200
            except (OSError, urllib.error.URLError):
                ok = False
            print(f"{(time.perf_counter() - started) * 1000:.3f}" if ok else "failed", flush=True)
    except KeyboardInterrupt:
        return


@contextmanager
def stalled_clients(host: str, port: int, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that each send a prediction's headers and half its body, then nothing; closed on exit.

    Half a body rather than half the headers: a server reads headers before it commits a worker, then hands the
    request to the application, whose read of the body is what a slow client stalls.
    """
    body = b'{"age": 35, "income": 58000.0}'
    half = (
        b"POST /v1/predict HTTP/1.1\r\nHost: servebench\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body[: len(body) // 2]
    )
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            stalled = socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S)
            stalled.sendall(half)
            sockets.append(stalled)
        time.sleep(0.5)  # let the server accept them and start waiting on them
        yield sockets
    finally:
        for stalled in sockets:
            stalled.close()


def worker_processes(server_pid: int) -> list[psutil.Process]:
    """The live worker processes under a server: gunicorn's master's children, or uvicorn's spawned processes."""
    return [process for process in psutil.Process(server_pid).children(recursive=True) if _is_worker(process)]


def _is_worker(process: psutil.Process) -> bool:
    try:
        command = " ".join(process.cmdline())
        parent = " ".join(process.parent().cmdline())
    except psutil.Error:
        return False
    return "multiprocessing.spawn" in command or ("gunicorn" in command and "gunicorn" in parent)


@contextmanager
def frozen_workers(server_pid: int, *, every_s: float, for_s: float) -> Iterator[None]:
    """Stop every worker of the server for `for_s` every `every_s` until exit (SIGSTOP, then SIGCONT).

    A host stall made to order: this VM's host takes the CPU away now and then without a word, and a server at
    half its capacity must work the backlog off rather than refuse it.
    """
    workers = worker_processes(server_pid)
    if not workers:
        raise RuntimeError(f"no worker processes under pid {server_pid}")
    done = threading.Event()

    def freeze_now_and_then() -> None:
        while not done.wait(every_s):
            for worker in workers:
                worker.suspend()
            time.sleep(for_s)
            for worker in workers:
                worker.resume()

    freezer = threading.Thread(target=freeze_now_and_then, name="freezer", daemon=True)
    freezer.start()
    try:
        yield
    finally:
        done.set()
        freezer.join()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description="a liveness prober")
    parser.add_argument("--probe", required=True, help="the URL to GET")
    parser.add_argument("--interval", type=float, default=0.25, help="seconds between probes")
    arguments = parser.parse_args()
    _probe_forever(arguments.probe, arguments.interval)
