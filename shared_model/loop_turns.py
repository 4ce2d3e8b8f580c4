"""Predictions take turns on an event loop: one starts per iteration of the loop, first come first served.

On an event loop a prediction runs from start to end in one step, and an iteration runs every step that was ready
when it began. Under overload that is every request read in the iteration before, so one iteration held up to
MAX_INFLIGHT predictions (40 ms on a busy host), and a request behind them was judged two such iterations after it
arrived: the standing queue refused it late (p99 56-59 ms against 32-33 ms with turns, benchmarks/METHOD.md). With
turns the loop goes back to its sockets between predictions, the queue waits here in arrival order, and the standing
queue is judged at its head as each prediction's turn comes (CoDel at dequeue).
"""

from __future__ import annotations

import asyncio
from collections import deque


class LoopTurns:
    """At most one prediction starts in an iteration of the event loop; the others wait their turn in arrival order.

    Not a lock: a turn is leave to start, so a prediction that awaits I/O (a feature-store lookup) does not hold the
    next one up. A lone prediction starts at once, so unloaded latency is unchanged.
    """

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._taken = False  # a prediction started in this iteration, or was let start in the next one

    @property
    def waiting(self) -> int:
        """Predictions waiting for their turn."""
        return len(self._waiting)

    async def take(self) -> None:
        """Return once it is this prediction's turn to start."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (a test client's); turns given on a closed one are void
            self._loop, self._waiting, self._taken = loop, deque(), False
        if not self._taken and not self._waiting:
            self._taken = True
            loop.call_soon(self._next)
            return
        turn: asyncio.Future[None] = loop.create_future()
        self._waiting.append(turn)
        await turn

    def _next(self) -> None:
        # Runs in the iteration after a turn was given; the waiter it wakes starts in the one after that.
        while self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():  # a waiter cancelled meanwhile gives its turn on
                turn.set_result(None)
                asyncio.get_running_loop().call_soon(self._next)
                return
        self._taken = False

    def __repr__(self) -> str:
        return f"LoopTurns(waiting={self.waiting}, taken={self._taken})"
