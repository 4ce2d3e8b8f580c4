"""One open-loop generator on one event loop: requests leave at their due times on a lean HTTP/1.1 client.

The client is an asyncio Protocol, not streams: a request is bytes built once before the run, and an answer is
parsed only as far as its status, Content-Length and `Connection: close`. No task per request: a single loop sends
whatever is due, then sleeps until the next due time. Each connection carries one request at a time (no pipelining),
as a browser or an HTTP client library does.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from typing import cast

from benchmarks.load_sample import LoadSample

MAX_CONNECTIONS = 256
GRACE_S = 10.0  # whatever has not answered this long after the schedule ended counts as an error
START_MARGIN_S = 0.05
TIMER_TICK_S = 0.001
# The servers close a keep-alive connection idle for 5 s (nginx, uvicorn, gunicorn here). A client reusing one just
# as the server closes it loses the request: the race that made earlier soaks fail. This client closes its own idle
# connections well before, so it never holds one a server may be closing.
IDLE_REUSE_S = 2.0
CONTENT_LENGTH = b"\r\ncontent-length:"
CONNECTION_CLOSE = b"\r\nconnection: close"
# The apps put Server-Timing on every answer they write; nginx's own answers (its refusals past the in-flight
# limit among them) carry none.
FROM_APP = b"\r\nserver-timing:"


class Exchange(asyncio.Protocol):
    """One keep-alive connection: sends a request, reads its answer, hands itself back to the pacer."""

    def __init__(self, pacer: Pacer) -> None:
        self.pacer = pacer
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.expected = -1  # length of the whole answer, once its head has arrived
        self.status = 0
        self.closing = False
        self.busy = False
        self.due = 0.0
        self.lag_us = 0  # how late the request in flight was sent
        self.from_app = False  # whether its answer came from the app rather than a proxy in front
        self.idle_since = 0.0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but have the same methods.
        self.transport = cast(asyncio.Transport, transport)

    def send(self, payload: bytes, due: float) -> None:
        """Write one request due at `due` (perf_counter seconds)."""
        assert self.transport is not None
        self.busy, self.due = True, due
        self.transport.write(payload)
        self.lag_us = max(1, int((time.perf_counter() - due) * 1e6))
        self.pacer.sample.send_lag.record_value(self.lag_us)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.expected < 0:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            try:
                self.status = int(head[9:12])
                self.expected = end + 4 + _content_length(head)
            except ValueError:
                self.close()  # not HTTP: counted as an error when the connection is lost
                return
            self.closing = CONNECTION_CLOSE in head
            self.from_app = FROM_APP in head
        if len(self.buffer) < self.expected:
            return
        self.buffer.clear()
        self.expected = -1
        self.busy = False
        self.pacer.answered(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pacer.lost(self)


def _content_length(head: bytes) -> int:
    start = head.find(CONTENT_LENGTH)
    if start < 0:
        return 0
    start += len(CONTENT_LENGTH)
    end = head.find(b"\r\n", start)
    return int(head[start : end if end >= 0 else len(head)])


class Pacer:
    """Sends `payloads` (rotating) at `times` after the start, on up to MAX_CONNECTIONS connections."""

    def __init__(self, host: str, port: int, payloads: Sequence[bytes], sample: LoadSample) -> None:
        self.host, self.port = host, port
        self.payloads = payloads
        self.sample = sample
        self.idle: deque[Exchange] = deque()  # most recently used on the right
        self.waiting: deque[tuple[bytes, float]] = deque()  # due but no connection free
        self.exchanges: set[Exchange] = set()
        self.opened = 0  # connections open or opening
        self.outstanding = 0
        self.ended = False
        self.finished: asyncio.Future[None] | None = None

    async def run(self, times: Sequence[float], start: float, first_index: int = 0, step: int = 1) -> None:
        """Send request `first_index + k * step` at `start + times[k]`; wait for the answers (at most GRACE_S)."""
        count, total, index = len(self.payloads), len(times), 0
        while index < total:
            now = time.perf_counter()
            while index < total and (due := start + times[index]) <= now:
                self.dispatch(self.payloads[(first_index + index * step) % count], due)
                index += 1
            if index < total:
                # The loop's timers tick in whole milliseconds. Spinning for the last one would send to the
                # microsecond, but a process that spins loses its core to its neighbours for whole time slices
                # (p50 5 ms instead of 1 at 1,000 req/s on a shared core), so a request may leave up to a tick
                # late, never early; `send_lag` records by how much.
                await asyncio.sleep(max(start + times[index] - time.perf_counter(), TIMER_TICK_S))
        if self.outstanding:
            self.finished = asyncio.get_running_loop().create_future()
            ended = start + (times[-1] if times else 0.0)
            try:
                await asyncio.wait_for(self.finished, max(0.0, ended + GRACE_S - time.perf_counter()))
            except TimeoutError:
                self.sample.errors += self.outstanding
                self.sample.duration_s = max(self.sample.duration_s, time.perf_counter() - start)
        self.ended = True  # what is still open now was counted above
        for exchange in list(self.exchanges):
            exchange.close()
        await asyncio.sleep(0)  # let the transports close

    def dispatch(self, payload: bytes, due: float) -> None:
        """Send `payload` now on a fresh idle connection, a new one, or the next one freed."""
        self.outstanding += 1
        now = time.perf_counter()
        if self.idle and now - self.idle[0].idle_since > IDLE_REUSE_S:
            self.idle.popleft().close()  # the oldest idle connection, before the server's keep-alive ends it
        while self.idle:
            exchange = self.idle.pop()
            if now - exchange.idle_since <= IDLE_REUSE_S:
                exchange.send(payload, due)
                return
            exchange.close()
        if self.opened < MAX_CONNECTIONS:
            self.opened += 1
            asyncio.get_running_loop().create_task(self._connect(payload, due))
        else:
            self.waiting.append((payload, due))

    async def _connect(self, payload: bytes, due: float) -> None:
        loop = asyncio.get_running_loop()
        try:
            _, exchange = await loop.create_connection(lambda: Exchange(self), self.host, self.port)
        except OSError:
            self.opened -= 1
            self._failed()
            return
        self.exchanges.add(exchange)
        exchange.send(payload, due)

    def answered(self, exchange: Exchange) -> None:
        """Record an answer, then reuse its connection for a waiting request or keep it idle."""
        elapsed_us = int((time.perf_counter() - exchange.due) * 1e6)
        self.sample.record(exchange.status, elapsed_us, exchange.lag_us, from_app=exchange.from_app)
        if exchange.closing:
            exchange.close()
        elif self.waiting:
            exchange.send(*self.waiting.popleft())
        else:
            exchange.idle_since = time.perf_counter()
            self.idle.append(exchange)
        self._done()

    def lost(self, exchange: Exchange) -> None:
        """A connection closed: by us, by the server after an answer, or under a request (an error)."""
        self.opened -= 1
        self.exchanges.discard(exchange)
        if self.ended:
            return
        if exchange.busy:
            exchange.busy = False
            self._failed()
        elif exchange in self.idle:
            self.idle.remove(exchange)  # the server closed it while idle: nothing was lost
        if self.waiting and self.opened < MAX_CONNECTIONS:
            self.outstanding -= 1  # dispatch counts it again
            self.dispatch(*self.waiting.popleft())

    def _failed(self) -> None:
        self.sample.errors += 1
        self._done()

    def _done(self) -> None:
        self.outstanding -= 1
        if not self.outstanding and self.finished is not None and not self.finished.done():
            self.finished.set_result(None)


async def paced(
    host: str,
    port: int,
    payloads: Sequence[bytes],
    times: Sequence[float],
    *,
    duration_s: float,
    first_index: int = 0,
    step: int = 1,
    start: float | None = None,
) -> LoadSample:
    """Run one pacer from `start` (perf_counter seconds; default: just now) and return what it measured."""
    sample = LoadSample(duration_s=duration_s)
    pacer = Pacer(host, port, payloads, sample)
    await pacer.run(
        times, start if start is not None else time.perf_counter() + START_MARGIN_S, first_index, step
    )
    return sample
