"""Ray Serve (`python -m ray_serve` in .ray-venv): the FastAPI app with two replicas, answering as uvicorn does,
and shut down with no Ray process left.

One local cluster for the module (a start takes 30-60 s here). The whole live contract suite runs against it with
`pytest contract_tests --mode live --fastapi-server ray` (docs/deploy.md); this module keeps `make test` short.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from benchmarks.servers import RAY_PYTHON, RunningServer, running_ray_serve
from contract_tests.http_clients import live_client
from contract_tests.reference import ReferenceFrontEnd
from shared_model import Predictor, load_settings
from tests.conftest import LOAN_RECORD

pytestmark = pytest.mark.live
REPO = Path(__file__).resolve().parent.parent.parent
REPLICAS = 2


@pytest.fixture(scope="module")
def ray_server() -> Iterator[RunningServer]:
    with running_ray_serve(replicas=REPLICAS) as server:
        yield server


@pytest.fixture(scope="module")
def client(ray_server: RunningServer) -> Iterator[httpx.Client]:
    with live_client(ray_server.base_url) as client:
        yield client


@pytest.fixture(scope="module")
def reference(loan: Predictor) -> ReferenceFrontEnd:
    return ReferenceFrontEnd(loan, load_settings({"SERVEBENCH_MODEL": "loan"}))


def _replicas(server: RunningServer) -> list[psutil.Process]:
    tree = psutil.Process(server.pid).children(recursive=True)
    return [process for process in tree if "ServeReplica" in " ".join(process.cmdline())]


def test_serves_the_requested_replicas(ray_server: RunningServer) -> None:
    assert len(_replicas(ray_server)) == REPLICAS, ray_server.log()


def test_prediction_equals_the_reference(client: httpx.Client, reference: ReferenceFrontEnd) -> None:
    answer = client.post("/v1/predict", json=LOAN_RECORD)
    expected = reference.predict(LOAN_RECORD)
    assert (answer.status_code, answer.json()) == (expected.status, expected.json())
    # One X-Request-ID, the app's: Serve's proxy appends its own, which ray_serve.proxy removes.
    assert len(answer.headers.get_list("x-request-id")) == 1, answer.headers


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"age": ', 400, "invalid_json"),
        (b'{"age": "35"}', 422, "validation_error"),
        (b"[]", 400, "invalid_json"),
    ],
)
def test_bad_input_gets_the_contract_error(
    client: httpx.Client, reference: ReferenceFrontEnd, body: bytes, status: int, code: str
) -> None:
    headers = {"content-type": "application/json"}
    answer = client.post("/v1/predict", content=body, headers=headers)
    expected = reference.request("POST", "/v1/predict", body, headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (status, code), answer.text
    assert answer.json() == expected.json()


def test_stops_cleanly_leaving_no_ray_process(ray_server: RunningServer) -> None:
    """Last in the module: SIGTERM the launcher, which must exit 0 and take every Ray process with it."""
    tree = psutil.Process(ray_server.pid).children(recursive=True)
    assert len(tree) > REPLICAS  # GCS, raylet, agents, controller, proxy and the replicas
    code = ray_server.stop()
    survivors = [process for process in tree if process.is_running() and process.status() != "zombie"]
    assert (code, survivors) == (0, []), ray_server.log()


def test_ray_environment_is_pinned_exactly() -> None:
    """Every package .ray-venv adds to .venv is pinned in requirements/ray-constraints.txt (or ray.txt)."""
    site = subprocess.run(
        [str(RAY_PYTHON), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    frozen = subprocess.run(
        [str(RAY_PYTHON), "-m", "pip", "freeze", "--exclude-editable", "--path", site],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()
    pinned = {
        line.strip().lower().replace("_", "-")
        for name in ("constraints.txt", "requirements/ray-constraints.txt", "requirements/ray.txt")
        for line in (REPO / name).read_text().splitlines()
        if "==" in line
    }
    pinned |= {pin.replace("[serve]", "") for pin in pinned}
    unpinned = [pin for pin in frozen if pin.lower().replace("_", "-") not in pinned]
    assert not unpinned, f"pin these in requirements/ray-constraints.txt: {unpinned}"
