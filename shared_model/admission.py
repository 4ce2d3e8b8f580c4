"""Bounded work: each worker admits at most MAX_INFLIGHT predictions at once and refuses the rest at once.

A refusal costs microseconds and says when to retry, where a queue without bound makes every request late
(uvicorn's p99 at c=64 was 1.8-4 s before this). Only prediction routes are limited: health and metrics must
answer while the worker is busy.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from shared_model.errors import Overloaded
from shared_model.oip import is_infer_path
from shared_model.standing_queue import StandingQueue

if TYPE_CHECKING:
    from shared_model.settings import Settings

LIMITED_PATHS = frozenset({"/v1/predict", "/v1/predict/batch"})


class InflightLimit:
    """A counter of admitted requests with a ceiling; thread-safe, so Flask's threads and FastAPI's loop share it."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"the in-flight limit must be at least 1, not {limit}")
        self.limit = limit
        self._inflight = 0
        self._entries = 0
        self._lock = threading.Lock()

    @property
    def inflight(self) -> int:
        """Requests admitted and not yet finished."""
        return self._inflight

    @property
    def entries(self) -> int:
        """Requests admitted since the start."""
        return self._entries

    def try_enter(self) -> bool:
        """Admit one request unless the limit is reached."""
        with self._lock:
            if self._inflight >= self.limit:
                return False
            self._inflight += 1
            self._entries += 1
            return True

    def leave(self) -> None:
        """A request admitted by `try_enter` has finished."""
        with self._lock:
            self._inflight -= 1

    def __repr__(self) -> str:
        return f"InflightLimit(limit={self.limit}, inflight={self._inflight})"


@dataclass(frozen=True, slots=True)
class Place:
    """One admitted prediction's place: when it was admitted, and whether it found the worker empty."""

    entry: int  # the limit's `entries` once this one was admitted
    started_s: float
    alone: bool


class Admission:
    """A worker's two rules together: the standing queue, judged when the worker takes a prediction up, and the limit
    on predictions in flight. A front end calls `judge` and `enter` (each raises Overloaded), and `leave` however the
    prediction ends; predictions that ran alone teach the queue the worker's service time."""

    def __init__(self, limit: InflightLimit, queue: StandingQueue) -> None:
        self.limit = limit
        self.queue = queue

    def judge(self, stamp: str | None) -> None:
        """Refuse a prediction that waited behind a standing queue (`stamp`: the proxy's header, or None)."""
        if not self.queue.admits(stamp):
            raise Overloaded()

    def enter(self) -> Place:
        """Take one place in flight, or refuse when all are taken."""
        alone = self.limit.inflight == 0
        if not self.limit.try_enter():
            raise Overloaded()
        return Place(self.limit.entries, time.perf_counter(), alone)

    def leave(self, place: Place) -> None:
        """Give the place back; a prediction that nothing overlapped is a sample of the service time."""
        if place.alone and self.limit.entries == place.entry:
            self.queue.ran_alone(time.perf_counter() - place.started_s)
        self.limit.leave()

    def __repr__(self) -> str:
        return f"Admission({self.limit!r}, {self.queue!r})"


def admitting(settings: Settings) -> Admission:
    """A worker's admission rules from its settings."""
    return Admission(InflightLimit(settings.MAX_INFLIGHT), StandingQueue(settings.MAX_QUEUE_MS))


def is_limited(path: str) -> bool:
    """Whether requests to `path` count against the in-flight limit (OIP's infer too)."""
    return path in LIMITED_PATHS or is_infer_path(path)
