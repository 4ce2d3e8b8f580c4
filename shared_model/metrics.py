"""The contract's Prometheus metrics, defined once; each front end wires them into its own request cycle."""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from shared_model.admission import LIMITED_PATHS
from shared_model.predictor import Predictor
from shared_model.timing import PREDICT_SEGMENT, Timings

# The route label of a request no route matched (404s, whatever their path: one series, not one per path).
UNMATCHED_ROUTE = "<unmatched>"
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ServingMetrics:
    """Request count and latency by route and status, prediction latency, model info: one set per front end.

    Each front end gets a registry of its own, because tests import several front ends into one process. Under
    several workers the launcher sets PROMETHEUS_MULTIPROC_DIR and `exposition` sums every worker's files.
    """

    def __init__(self, front_end: str) -> None:
        self.front_end = front_end
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "servebench_http_requests_total",
            "Requests answered, by route, method and status.",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_latency = Histogram(
            "servebench_http_request_duration_seconds",
            "Time to answer a request inside the app, by route, method and status.",
            ["route", "method", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.prediction_latency = Histogram(
            "servebench_prediction_duration_seconds",
            "Time spent in the model's vectorised predict call, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.model_info = Gauge(
            "servebench_model_info",
            "The model this server answers with (1 while loaded).",
            ["front_end", "model", "version", "sha256"],
            multiprocess_mode="max",
            registry=self.registry,
        )

        # Labelled children by label values: `labels()` takes a lock and builds a key on every call (~0.8 µs each,
        # three a request); the children are the same objects every time, so they are looked up once.
        self._request_children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._prediction_children: dict[str, Any] = {}

    def observe_request(
        self, route: str | None, method: str, status: int, timings: Timings, total: float, *, path: str = ""
    ) -> None:
        """Count one answered request and its duration, and the model call's of an answered prediction.

        `route` is the matched route's template, None when none matched; `path` the request's. The model call is
        timed once, by its Server-Timing segment; a 5xx may have failed inside it and is left out.
        """
        if route is None:
            # A prediction refused before any route was matched (FastAPI's admission runs ahead of its router) is
            # still its route's: those paths are fixed, so the label's values stay few.
            route = path if path in LIMITED_PATHS else UNMATCHED_ROUTE
        key = (route, method, status)
        children = self._request_children.get(key)
        if children is None:
            labels = (route, method, str(status))
            children = self._request_children[key] = (
                self.requests.labels(*labels),
                self.request_latency.labels(*labels),
            )
        children[0].inc()
        children[1].observe(total)
        predicted = timings.segments.get(PREDICT_SEGMENT)
        if predicted is not None and status < 500:
            child = self._prediction_children.get(route)
            if child is None:
                child = self._prediction_children[route] = self.prediction_latency.labels(route)
            child.observe(predicted)

    def model_loaded(self, predictor: Predictor) -> None:
        """Publish which model this worker answers with."""
        self.model_info.labels(
            self.front_end, predictor.name, predictor.version, predictor.manifest.sha256
        ).set(1)

    def exposition(self) -> tuple[bytes, str]:
        """The text exposition of all workers (multiprocess mode when the launcher set it up), and its type."""
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
