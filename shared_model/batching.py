"""Adaptive micro-batching: concurrent single-row predictions gathered into one `Predictor.predict` call.

The policy is framework-free and shared: rows wait in arrival order; a batch is taken when no batch is being
predicted and either `max_rows` are waiting or the oldest has waited `wait_s`. With a wait of 0 a lone request is
predicted at once (no cost at low load) and rows that arrive while a batch is predicted form the next one, so
batches grow with the load by themselves. `ThreadBatcher` (Flask, across gunicorn's threads) and `LoopBatcher`
(FastAPI, on the event loop) only wait in their own way.

A batch that fails is predicted again row by row, so each request gets exactly the answer or the error it would
have got alone: one bad row never turns its neighbours' answers into errors.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shared_model.predictor import Prediction, Predictor
from shared_model.settings import Settings
from shared_model.validation import Row

Waiter = TypeVar("Waiter")
Outcome = Prediction | Exception


@dataclass(frozen=True, slots=True)
class BatchPolicy:
    """At most `max_rows` rows in one call; the oldest waits at most `wait_s` for others to join it."""

    max_rows: int
    wait_s: float

    def __post_init__(self) -> None:
        if self.max_rows < 1 or self.wait_s < 0:
            raise ValueError(f"a batch needs max_rows >= 1 and wait_s >= 0, not {self}")

    @classmethod
    def from_settings(cls, settings: Settings) -> BatchPolicy:
        """`SERVEBENCH_BATCH_MAX` and `SERVEBENCH_BATCH_WAIT_MS`."""
        return cls(settings.BATCH_MAX, settings.BATCH_WAIT_MS / 1000)


class Gathering(Generic[Waiter]):
    """Rows waiting for a batch, each with whatever its request waits on; not thread-safe (the wrapper locks)."""

    def __init__(self, policy: BatchPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._pending: deque[tuple[Row, Waiter, float]] = deque()

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, row: Row, waiter: Waiter) -> None:
        """Queue one row, stamped with its arrival."""
        self._pending.append((row, waiter, self._clock()))

    def due_in(self) -> float:
        """Seconds until a batch should be taken: 0 when full or the oldest row has waited long enough."""
        if not self._pending:
            return float("inf")
        if len(self._pending) >= self.policy.max_rows:
            return 0.0
        return max(0.0, self._pending[0][2] + self.policy.wait_s - self._clock())

    def take(self) -> tuple[list[Row], list[Waiter]]:
        """The oldest rows, at most `max_rows`, and their waiters, in arrival order."""
        count = min(len(self._pending), self.policy.max_rows)
        taken = [self._pending.popleft() for _ in range(count)]
        return [row for row, _, _ in taken], [waiter for _, waiter, _ in taken]


def settle(predictor: Predictor, rows: Sequence[Row]) -> list[Outcome]:
    """One outcome per row: the batch's predictions, or, if the batch fails, each row's own answer or error."""
    try:
        return list(predictor.predict(rows))
    except Exception as error:  # handed to the request(s) it belongs to
        if len(rows) == 1:
            return [error]
        return [_alone(predictor, row) for row in rows]


def _alone(predictor: Predictor, row: Row) -> Outcome:
    try:
        return predictor.predict_one(row)
    except Exception as error:  # the row's own failure, raised again in its own request
        return error


class _Slot:
    """Where a thread's answer arrives."""

    __slots__ = ("outcome",)

    def __init__(self) -> None:
        self.outcome: Outcome | None = None


class ThreadBatcher:
    """Batches across threads: a waiting thread whose batch is due predicts it for all, then hands out answers."""

    def __init__(self, predictor: Predictor, policy: BatchPolicy) -> None:
        self.predictor = predictor
        self._gathering: Gathering[_Slot] = Gathering(policy)
        self._changed = threading.Condition()
        self._busy = False  # a batch is being predicted: new rows wait for the next one

    def predict(self, row: Row) -> Prediction:
        """This row's prediction, predicted in a batch with the rows of other threads; raises what it alone would."""
        slot = _Slot()
        with self._changed:
            self._gathering.add(row, slot)
            self._changed.notify_all()
        while True:
            with self._changed:
                rows, slots = self._await_turn(slot)
            if not slots:
                return _unwrap(slot.outcome)
            outcomes: list[Outcome] = []
            try:
                outcomes = settle(self.predictor, rows)
            finally:
                with self._changed:
                    for each, outcome in zip(slots, outcomes or _failed(len(slots)), strict=True):
                        each.outcome = outcome
                    self._busy = False
                    self._changed.notify_all()

    def _await_turn(self, slot: _Slot) -> tuple[list[Row], list[_Slot]]:
        # Holding the lock: wait until this row is answered (nothing to do) or a batch is due and nobody predicts.
        while slot.outcome is None:
            due = self._gathering.due_in()
            if not self._busy and due == 0.0:
                self._busy = True
                return self._gathering.take()
            self._changed.wait(None if self._busy or due == float("inf") else due)
        return [], []

    def __repr__(self) -> str:
        return f"ThreadBatcher(policy={self._gathering.policy!r}, waiting={len(self._gathering)})"


class LoopBatcher:
    """Batches on one asyncio event loop: requests await a future; a timer (or a full batch) predicts them."""

    def __init__(self, predictor: Predictor, policy: BatchPolicy) -> None:
        self.predictor = predictor
        self._gathering: Gathering[asyncio.Future[Prediction]] = Gathering(policy)
        self._timer: asyncio.Handle | None = None
        self._timer_is_soon = False

    async def predict(self, row: Row) -> Prediction:
        """This row's prediction, predicted in a batch with the rows of other requests on this loop."""
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[Prediction] = loop.create_future()
        self._gathering.add(row, answer)
        self._schedule(loop)
        return await answer

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        due = self._gathering.due_in()
        if due == float("inf") or self._timer_is_soon:
            return
        if self._timer is not None:
            if due > 0.0:
                return  # the oldest row's timer stands
            self._timer.cancel()  # the batch filled before its wait ended
        # Even a due batch waits for the loop's next turn: requests parsed in this turn join it.
        self._timer_is_soon = due == 0.0
        self._timer = loop.call_soon(self._flush) if due == 0.0 else loop.call_later(due, self._flush)

    def _flush(self) -> None:
        self._timer, self._timer_is_soon = None, False
        rows, answers = self._gathering.take()
        outcomes = settle(self.predictor, rows)
        for answer, outcome in zip(answers, outcomes, strict=True):
            if answer.done():  # the request was cancelled (its client left)
                continue
            if isinstance(outcome, Exception):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)
        self._schedule(asyncio.get_running_loop())

    def __repr__(self) -> str:
        return f"LoopBatcher(policy={self._gathering.policy!r}, waiting={len(self._gathering)})"


def _failed(count: int) -> list[Outcome]:
    return [RuntimeError("the batch was interrupted before it was predicted")] * count


def _unwrap(outcome: Outcome | None) -> Prediction:
    if isinstance(outcome, Exception):
        raise outcome
    assert outcome is not None
    return outcome
