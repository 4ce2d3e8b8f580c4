"""Named durations of one request's segments, which every HTTP front end sends as its Server-Timing header."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class Timings:
    """Segments timed by `measure` (or `begin`/`end` where a framework splits one across calls)."""

    def __init__(self, descriptions: Mapping[str, str] | None = None) -> None:
        self.started = time.perf_counter()
        self.segments: dict[str, float] = {}
        self.descriptions = dict(descriptions or {})
        self._open: dict[str, float] = {}

    @contextmanager
    def measure(self, name: str) -> Iterator[None]:
        """Time the block as segment `name` (durations of a repeated name add up)."""
        self.begin(name)
        try:
            yield
        finally:
            self.end(name)

    def begin(self, name: str) -> None:
        """Start segment `name`."""
        self._open[name] = time.perf_counter()

    def end(self, name: str) -> None:
        """End segment `name`, if it was begun."""
        if (start := self._open.pop(name, None)) is not None:
            self.segments[name] = self.segments.get(name, 0.0) + time.perf_counter() - start

    def elapsed(self) -> float:
        """Seconds since the request started."""
        return time.perf_counter() - self.started

    def header(self, total: float | None = None) -> str:
        """`parse;dur=0.031, ..., total;dur=0.412` in milliseconds (a segment cut short by an error ends here)."""
        for name in list(self._open):
            self.end(name)
        parts = [self._part(name, seconds) for name, seconds in self.segments.items()]
        return ", ".join([*parts, self._part("total", self.elapsed() if total is None else total)])

    def _part(self, name: str, seconds: float) -> str:
        description = self.descriptions.get(name)
        shown = f';desc="{description}"' if description else ""
        return f"{name}{shown};dur={seconds * 1000:.3f}"

    def __repr__(self) -> str:
        return f"Timings(segments={self.segments!r})"
