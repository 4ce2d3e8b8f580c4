"""Prometheus metrics, summed across uvicorn workers through prometheus-client's multiprocess mode."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
)

FRONT_END = "fastapi"
# This front end's own registry: both front ends define the same metric names and tests import both.
REGISTRY = CollectorRegistry()
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter(
    "servebench_http_requests_total",
    "Requests answered, by route, method and status.",
    ["route", "method", "status"],
    registry=REGISTRY,
)
REQUEST_LATENCY = Histogram(
    "servebench_http_request_duration_seconds",
    "Time to answer a request inside the app, by route, method and status.",
    ["route", "method", "status"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
PREDICTION_LATENCY = Histogram(
    "servebench_prediction_duration_seconds",
    "Time spent in the model's vectorised predict call, by route.",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
MODEL_INFO = Gauge(
    "servebench_model_info",
    "The model this server answers with (1 while loaded).",
    ["front_end", "model", "version", "sha256"],
    multiprocess_mode="max",
    registry=REGISTRY,
)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    labels = (route, method, str(status))
    REQUESTS.labels(*labels).inc()
    REQUEST_LATENCY.labels(*labels).observe(seconds)


@contextmanager
def observe_prediction(route: str) -> Iterator[None]:
    """Time the model call of one request."""
    start = time.perf_counter()
    yield
    PREDICTION_LATENCY.labels(route).observe(time.perf_counter() - start)


def exposition() -> tuple[bytes, str]:
    """The text exposition of all workers (multiprocess mode when the launcher set it up), and its type."""
    from prometheus_client import generate_latest

    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
