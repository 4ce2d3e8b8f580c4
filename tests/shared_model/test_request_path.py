"""The per-request pieces every front end shares: Timings, the metrics of one request, the access line."""

from __future__ import annotations

import logging
import re
import time

import pytest
from prometheus_client import generate_latest

from shared_model.http import request_id
from shared_model.logs import LOG_FORMAT, SecondCachedFormatter, log_access
from shared_model.metrics import ServingMetrics
from shared_model.timing import Timings

PREDICT = "/v1/predict"


def exposition(metrics: ServingMetrics) -> str:
    return generate_latest(metrics.registry).decode()


def sample(text: str, name: str, **labels: str) -> float | None:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    match = re.search(rf"^{name}\{{{re.escape(wanted)}\}} (\S+)$", text, re.M)
    return float(match.group(1)) if match else None


def test_segments_add_up_and_one_cut_short_by_an_error_still_ends():
    timings = Timings({"validate": "pydantic"})
    with timings.measure("parse"):
        pass
    with pytest.raises(ValueError, match="bad body"), timings.measure("parse"):
        raise ValueError("bad body")
    timings.begin("validate")
    header = timings.header(0.002)
    assert list(timings.segments) == ["parse", "validate"]
    assert re.fullmatch(
        r'parse;dur=\d+\.\d{3}, validate;desc="pydantic";dur=\d+\.\d{3}, total;dur=2\.000', header
    )


def test_a_repeated_segment_adds_its_durations():
    timings = Timings()
    for _ in range(2):
        with timings.measure("predict"):
            time.sleep(0.002)
    assert timings.segments["predict"] >= 0.004


def test_one_request_is_counted_with_its_model_call_from_the_predict_segment():
    metrics = ServingMetrics("test")
    timings = Timings()
    timings.segments["predict"] = 0.0007
    for _ in range(2):  # the second goes through the cached children
        metrics.observe_request(PREDICT, "POST", 200, timings, 0.001)
    text = exposition(metrics)
    labels = {"route": PREDICT, "method": "POST", "status": "200"}
    assert sample(text, "servebench_http_requests_total", **labels) == 2
    assert sample(text, "servebench_http_request_duration_seconds_sum", **labels) == pytest.approx(0.002)
    assert sample(text, "servebench_prediction_duration_seconds_count", route=PREDICT) == 2
    assert sample(text, "servebench_prediction_duration_seconds_sum", route=PREDICT) == pytest.approx(0.0014)


@pytest.mark.parametrize(("status", "segments"), [(422, {"parse": 0.0001}), (500, {"predict": 0.0001})])
def test_no_model_call_is_recorded_for_a_request_that_made_none_or_failed(status, segments):
    metrics = ServingMetrics("test")
    timings = Timings()
    timings.segments.update(segments)
    metrics.observe_request(PREDICT, "POST", status, timings, 0.001)
    text = exposition(metrics)
    assert (
        sample(text, "servebench_http_requests_total", route=PREDICT, method="POST", status=str(status)) == 1
    )
    assert sample(text, "servebench_prediction_duration_seconds_count", route=PREDICT) is None


def test_requests_no_route_matched_share_one_route_label():
    metrics = ServingMetrics("test")
    for _ in range(2):
        metrics.observe_request(None, "GET", 404, Timings(), 0.001)
    text = exposition(metrics)
    assert (
        sample(text, "servebench_http_requests_total", route="<unmatched>", method="GET", status="404") == 2
    )


def test_a_prediction_refused_before_routing_keeps_its_route_and_other_paths_do_not_make_labels():
    metrics = ServingMetrics("test")
    metrics.observe_request(None, "POST", 503, Timings(), 0.0001, path=PREDICT)
    metrics.observe_request(None, "POST", 404, Timings(), 0.0001, path="/v1/predict/anything-a-client-sends")
    text = exposition(metrics)
    assert sample(text, "servebench_http_requests_total", route=PREDICT, method="POST", status="503") == 1
    assert (
        sample(text, "servebench_http_requests_total", route="<unmatched>", method="POST", status="404") == 1
    )


def test_a_new_request_id_is_32_random_hex_digits():
    ids = {request_id(None) for _ in range(100)}
    assert len(ids) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in ids)


@pytest.mark.parametrize("created", [1764583200.0, 1764583200.999, 1764583201.5, 1764583201.0004])
def test_the_cached_time_formats_exactly_as_logging_does(created):
    formatter = SecondCachedFormatter(LOG_FORMAT)
    reference = logging.Formatter(LOG_FORMAT)
    for when in (created, created):  # computed, then from the cache
        record = logging.makeLogRecord({"name": "servebench.access", "levelno": 20, "levelname": "INFO"})
        record.created, record.msecs = when, (when - int(when)) * 1000
        assert formatter.format(record) == reference.format(record)


def test_the_access_line(caplog):
    with caplog.at_level(logging.INFO, logger="servebench.access"):
        log_access("POST", PREDICT, 200, 0.0012345, "abc")
    assert caplog.messages == ["POST /v1/predict 200 1.234ms abc"]
