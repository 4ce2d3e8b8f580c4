"""How long work waits on an event loop: the queue check of FastAPI with no proxy in front."""

from __future__ import annotations

import asyncio
import time
from collections import deque

TICK_S = 0.002  # how often the loop's delay is sampled: ~500 timer callbacks a second, a few µs each
WINDOW_TICKS = 5


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
