"""Each peer by name: its variants, the protocol it is sent, how to start it and how to verify it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Literal

from benchmarks.peers import mlserver, oip_payloads
from benchmarks.peers.bentoml import running_bentoml
from benchmarks.peers.checks import PeerCheck, check_oip, check_records
from benchmarks.peers.mlserver import running_mlserver
from benchmarks.servers import RunningServer
from shared_model import Predictor, Validator

Protocol = Literal["v1", "oip"]
# The configuration each peer is measured in first; MLServer's others are its documented alternatives.
DEFAULT_VARIANTS = {"mlserver": mlserver.DEFAULT_VARIANT, "bentoml": "default"}
VARIANTS = {"mlserver": tuple(mlserver.VARIANTS), "bentoml": ("default",)}
PROTOCOLS: dict[str, Protocol] = {"mlserver": "oip", "bentoml": "v1"}
SERVERS = {
    "mlserver": "MLServer 1.7.1 + mlserver-sklearn (uvicorn)",
    "bentoml": "BentoML 1.4.40 (bentoml serve)",
}


@contextmanager
def running_peer(name: str, variant: str, predictor: Predictor, model: str) -> Iterator[RunningServer]:
    """Start peer `name` in `variant` on a free loopback port; stopped on exit, also on failure."""
    if name == "mlserver":
        with running_mlserver(predictor, model, variant) as server:
            yield server
    elif name == "bentoml":
        with running_bentoml(predictor, model) as server:
            yield server
    else:
        raise ValueError(f"unknown peer {name!r}; expected one of {tuple(VARIANTS)}")


def predict_request(
    protocol: Protocol, predictor: Predictor, records: Sequence[dict[str, Any]]
) -> tuple[str, list[bytes]]:
    """The path and the single-record bodies a load generator sends to a target speaking `protocol`."""
    if protocol == "oip":
        return oip_payloads.infer_path(predictor.name), oip_payloads.infer_bodies(predictor, records)
    return "/v1/predict", [json.dumps(record).encode() for record in records]


def check_peer(
    protocol: Protocol,
    base_url: str,
    predictor: Predictor,
    validator: Validator,
    records: Sequence[dict[str, Any]],
) -> PeerCheck:
    """Verify a started target through `protocol` against in-process predictions on the same records."""
    check = check_oip if protocol == "oip" else check_records
    return check(base_url, predictor, validator, records)
