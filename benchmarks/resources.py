"""Server resources from psutil: RSS of the whole process tree (idle and peak), CPU time, Server-Timing."""

from __future__ import annotations

import re
import statistics
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import psutil

SAMPLE_INTERVAL_S = 0.05
# PeakRss finds the tree's processes again this often, so that a worker respawned under load joins the sample. Not
# every sample: finding them reads every process's /proc entry (about 1.5 ms with 65 processes, more in a full run's
# hundreds), in the harness, whose asyncio generator waited for the GIL meanwhile.
TREE_REFRESH_S = 1.0
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
    sizes = rss_of(tree(pid))
    return sum(sizes), sizes


def rss_of(processes: Sequence[psutil.Process]) -> list[int]:
    """Each process's RSS, leaving out those that have exited."""
    sizes = []
    for process in processes:
        try:
            sizes.append(int(process.memory_info().rss))
        except psutil.Error:
            continue
    return sizes


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


def per_request_us(cpu_s: float, requests: int) -> float:
    """CPU seconds spent over `requests` requests, as µs a request (a load with no request counts as one)."""
    return cpu_s / (requests or 1) * 1e6


@dataclass(slots=True)
class PeakRss:
    """Samples the tree's RSS in a background thread while a load runs; `peak` is the largest seen.

    The thread shares the harness's GIL with the load generator, so a sample reads only the processes found at most
    `TREE_REFRESH_S` ago.
    """

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
        processes: list[psutil.Process] = []
        found_at = -TREE_REFRESH_S
        while not self._stop.is_set():
            if time.monotonic() - found_at >= TREE_REFRESH_S:
                processes, found_at = tree(self.pid), time.monotonic()
            self.peak = max(self.peak, sum(rss_of(processes)))
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
