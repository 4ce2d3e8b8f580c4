"""Server resources from psutil: RSS of the whole process tree (idle and peak), CPU time, Server-Timing."""

from __future__ import annotations

import re
import statistics
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

import psutil

SAMPLE_INTERVAL_S = 0.05
TIMING_ENTRY = re.compile(r"\s*([A-Za-z0-9_.-]+)((?:\s*;\s*[A-Za-z]+=\"?[^,;\"]*\"?)*)")


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants that still exist."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def rss_bytes(pid: int) -> tuple[int, list[int]]:
    """(RSS summed over the tree, each process's RSS); shared pages count once per process, as top shows."""
    sizes = []
    for process in tree(pid):
        try:
            sizes.append(int(process.memory_info().rss))
        except psutil.Error:
            continue
    return sum(sizes), sizes


def cpu_seconds(pid: int) -> float:
    """User + system CPU time spent so far by the tree (children that already exited are not included)."""
    total = 0.0
    for process in tree(pid):
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            continue
    return total


@dataclass(slots=True)
class PeakRss:
    """Samples the tree's RSS in a background thread while a load runs; `peak` is the largest seen."""

    pid: int
    peak: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> PeakRss:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self.pid)[0])
            self._stop.wait(SAMPLE_INTERVAL_S)


def server_timing(headers: Iterable[str]) -> dict[str, float]:
    """Median duration (ms) per Server-Timing metric over many answers' headers (`name;dur=1.2, ...`)."""
    durations: dict[str, list[float]] = {}
    for header in headers:
        for entry in header.split(","):
            match = TIMING_ENTRY.match(entry)
            if not match:
                continue
            params = dict(re.findall(r"([A-Za-z]+)=\"?([^;\"]*)\"?", match.group(2)))
            if "dur" in params:
                try:
                    durations.setdefault(match.group(1), []).append(float(params["dur"]))
                except ValueError:
                    continue
    return {name: statistics.median(values) for name, values in durations.items()}
