"""nginx's own answers for an app server that fails, in the contract's shape and status, checked on nginx itself."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import httpx
import pytest

from benchmarks.servers import RunningServer, running_command
from shared_model.errors import ServerUnavailable
from shared_model.oip import error_body as oip_error_body
from shared_model.proxied import UPSTREAM_PLACEHOLDER

pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def proxy() -> Iterator[RunningServer]:
    """nginx, as every proxied front end runs it, in front of an app server that hangs up on all but liveness."""
    upstream = [sys.executable, "-m", "tests.http.broken_upstream", UPSTREAM_PLACEHOLDER]
    with running_command(
        "broken-upstream",
        lambda port: ["-m", "shared_model.proxied", "--port", str(port), "--", *upstream],
        ready_path="/health/live",
    ) as running:
        yield running


@pytest.mark.parametrize("path", ["/v1/model", "/v1/predict"])
def test_an_app_server_that_hangs_up_is_a_503_server_unavailable(proxy: RunningServer, path: str):
    answer = (
        httpx.post(f"{proxy.base_url}{path}", json={})
        if path.endswith("predict")
        else httpx.get(f"{proxy.base_url}{path}")
    )
    assert (answer.status_code, answer.json()) == (503, ServerUnavailable().body()), answer.text
    assert answer.headers["x-request-id"]


def test_under_the_inference_protocol_the_503_is_in_its_error_shape(proxy: RunningServer):
    answer = httpx.post(f"{proxy.base_url}/v2/models/loan/infer", json={"inputs": []})
    assert (answer.status_code, answer.json()) == (503, oip_error_body(ServerUnavailable()))
