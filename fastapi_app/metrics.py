"""This front end's Prometheus metrics; the definitions live once in shared_model.metrics."""

# file concern: observability

from __future__ import annotations

from shared_model.metrics import ServingMetrics

METRICS = ServingMetrics("fastapi")
