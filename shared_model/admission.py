"""Bounded work: each worker admits at most MAX_INFLIGHT predictions at once and refuses the rest at once.

A refusal costs microseconds and says when to retry, where a queue without bound makes every request late
(uvicorn's p99 at c=64 was 1.8-4 s before this). Only prediction routes are limited: health and metrics must
answer while the worker is busy.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from shared_model.errors import Overloaded
from shared_model.oip import is_infer_path

LIMITED_PATHS = frozenset({"/v1/predict", "/v1/predict/batch"})
# nginx stamps each request it hands on with the time it did so, "t=<seconds since the epoch, ms resolution>".
QUEUE_START_HEADER = "X-Request-Start"
# How long a prediction may wait once a queue stands (SERVEBENCH_MAX_QUEUE_MS sets it), and twice that otherwise:
# half and all of the default 50 ms latency objective, so what is accepted under overload still meets it. CoDel's
# own 5 ms refused at c=8 on a loaded 2-core host, where a prediction takes several ms and queues never empty;
# 50 ms (and 100 ms at most) let accepted predictions take 12-13x the unloaded p50 under 2x overload.
QUEUE_TARGET_MS = 25.0
QUEUE_INTERVAL_MS = 100.0  # CoDel's interval: this long above the target, and the queue is standing
TICK_S = 0.002  # how often the loop's delay is sampled: ~500 timer callbacks a second, a few µs each
WINDOW_TICKS = 5


class InflightLimit:
    """A counter of admitted requests with a ceiling; thread-safe, so Flask's threads and FastAPI's loop share it."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"the in-flight limit must be at least 1, not {limit}")
        self.limit = limit
        self._inflight = 0
        self._lock = threading.Lock()

    @property
    def inflight(self) -> int:
        """Requests admitted and not yet finished."""
        return self._inflight

    def try_enter(self) -> bool:
        """Admit one request unless the limit is reached."""
        with self._lock:
            if self._inflight >= self.limit:
                return False
            self._inflight += 1
            return True

    def leave(self) -> None:
        """A request admitted by `try_enter` has finished."""
        with self._lock:
            self._inflight -= 1

    @contextmanager
    def admitted(self) -> Iterator[None]:
        """Hold one place for the block, or raise Overloaded."""
        if not self.try_enter():
            raise Overloaded()
        try:
            yield
        finally:
            self.leave()

    def __repr__(self) -> str:
        return f"InflightLimit(limit={self.limit}, inflight={self._inflight})"


class StandingQueue:
    """Refuses predictions that waited behind a standing queue, from the proxy's stamp (CoDel, as Facebook serves it).

    A queue that drains now and then only delays: a prediction may wait up to twice the target. A queue in which no
    prediction has waited less than the target for a whole interval is standing (the worker is overloaded): then
    only predictions that waited at most the target are worked on, the rest refused at once, which empties the
    queue instead of making every request late. Bursts within capacity are never refused; under sustained overload
    what is accepted stays fast. Without the stamp (in process, no proxy) it admits everything.
    """

    def __init__(self, target_ms: float = QUEUE_TARGET_MS, interval_ms: float = QUEUE_INTERVAL_MS) -> None:
        self.target_ms = target_ms
        self.interval_ms = interval_ms
        # Since when every prediction has waited longer than the target (None: the last one did not). An idle
        # spell is no queue: the clock starts with the first long wait, never with the last short one.
        self._above_since: float | None = None

    @property
    def max_wait_ms(self) -> float:
        """The longest any prediction may have waited, standing queue or not."""
        return 2 * self.target_ms

    def admits(self, stamp: str | None, busy: bool) -> bool:
        """Whether a prediction stamped `stamp` (the header's value, or None) may be worked on now; `busy`: others
        are in flight in this worker (a wait with nothing else in the worker is a slow host's, not a queue)."""
        waited = waited_ms(stamp, time.time())
        if waited is None or not busy:
            return True
        if waited <= self.target_ms:
            self._above_since = None
            return True
        now = time.monotonic()
        if self._above_since is None:
            self._above_since = now
        standing = (now - self._above_since) * 1000 > self.interval_ms
        return waited <= (self.target_ms if standing else self.max_wait_ms)

    def __repr__(self) -> str:
        return f"StandingQueue(target_ms={self.target_ms}, interval_ms={self.interval_ms})"


def waited_ms(stamp: str | None, now_s: float) -> float | None:
    """How long ago the proxy stamped a request (`t=<epoch seconds>`); None for no stamp or one that is not a time."""
    if stamp is None or not stamp.startswith("t="):
        return None
    try:
        stamped = float(stamp[2:])
    except ValueError:
        return None
    return max(0.0, (now_s - stamped) * 1000) if math.isfinite(stamped) else None


def is_limited(path: str) -> bool:
    """Whether requests to `path` count against the in-flight limit (OIP's infer too)."""
    return path in LIMITED_PATHS or is_infer_path(path)


class LoopDelay:
    """How long work waits on this event loop right now, from the lateness of a timer that ticks every `tick_s`.

    On an event loop a request that never awaits runs to its end once started, so the queue is not requests in
    flight but tasks waiting to start; their wait is what this bounds (the "too busy" check of event-loop servers).
    Two signs of a queue: every one of the last `window` ticks was late (one late tick is a stall of the host or a
    garbage collection, not a queue), or the next tick is overdue while more than a few requests have started
    since the last one ran (one long iteration holding a burst). Start it on the loop, in the app's lifespan.
    """

    def __init__(self, tick_s: float = TICK_S, window: int = WINDOW_TICKS) -> None:
        self.tick_s = tick_s
        self.window = window
        self._lateness: deque[float] = deque([0.0] * window, maxlen=window)
        self._due = 0.0
        self._started = 0
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Begin sampling on the running loop."""
        self._due = time.perf_counter() + self.tick_s
        self._handle = asyncio.get_running_loop().call_later(self.tick_s, self._tick)

    def stop(self) -> None:
        """Stop sampling."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        now = time.perf_counter()
        self._lateness.append(now - self._due)
        self._due = now + self.tick_s
        self._started = 0
        self._handle = asyncio.get_running_loop().call_later(self.tick_s, self._tick)

    def admit(self, max_queue_s: float, max_burst: int) -> bool:
        """Count one request starting now; False when it starts behind a queue longer than `max_queue_s`."""
        if self._handle is None:
            return True
        self._started += 1
        if min(self._lateness) > max_queue_s:
            return False
        return not (self._started > max_burst and time.perf_counter() - self._due > max_queue_s)

    def __repr__(self) -> str:
        return f"LoopDelay(lateness={list(self._lateness)!r}, started={self._started})"
