"""The contract's checks for the Open Inference Protocol v2 routes, as plain functions raising ContractViolation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contract_tests.cases import BadCase, GoodCase, encode
from contract_tests.checks import canonical, expect, expect_allow, expect_json_response, expect_same_body
from contract_tests.clients import JSON_HEADERS, HttpFrontEnd, Reply
from contract_tests.oip_cases import infer_path, infer_request
from contract_tests.reference import ReferenceFrontEnd
from shared_model import ModelSpec

ROUTES = ("/v2", "/v2/health/live", "/v2/health/ready")


def route_paths(spec: ModelSpec) -> list[str]:
    """Every GET route of the protocol for this model."""
    return [*ROUTES, f"/v2/models/{spec.name}", f"/v2/models/{spec.name}/ready"]


def check_routes(front_end: HttpFrontEnd, reference: ReferenceFrontEnd) -> None:
    """Server and model metadata, health and readiness: the reference's status and body (empty for health)."""
    for path in route_paths(reference.predictor.spec):
        got = front_end.request("GET", path)
        want = reference.request("GET", path)
        expect_same_reply(got, want, f"GET {path}")
        if want.content:
            expect_json_response(got, f"GET {path}")


def infer(front_end: HttpFrontEnd, spec: ModelSpec, records: Sequence[Mapping[str, Any]]) -> Reply:
    """POST one inference request for `records` (every output)."""
    return front_end.request("POST", infer_path(spec), encode(infer_request(spec, records)), JSON_HEADERS)


def check_infer(
    front_end: HttpFrontEnd, reference: ReferenceFrontEnd, records: Sequence[Mapping[str, Any]]
) -> None:
    """Infer answers the reference's body, and its outputs are /v1's answer for the same batch, bit for bit."""
    spec = reference.predictor.spec
    got = infer(front_end, spec, records)
    expect_same_body(got, infer(reference, spec, records), f"infer of {len(records)}")
    expect("predict;dur=" in got.headers.get("server-timing", ""), "infer: no predict in Server-Timing", got)
    outputs = {output["name"]: output for output in got.json()["outputs"]}
    batch = reference.predict_batch(records).json()["predictions"]
    labels = [prediction["prediction"] for prediction in batch]
    expect(canonical(outputs["predict"]["data"]) == canonical(labels), "infer: labels differ from /v1's", got)
    if "predict_proba" in outputs:
        rows = [value for prediction in batch for value in prediction["probabilities"].values()]
        expect(
            canonical(outputs["predict_proba"]["data"]) == canonical(rows),
            "infer: probabilities differ from /v1's",
            got,
        )


def check_oip_bad_case(front_end: HttpFrontEnd, reference: ReferenceFrontEnd, case: BadCase) -> Reply:
    """The twin's status; OIP's error body `{"error": "code: ..."}`, the reference's text exactly; Allow on a 405."""
    got = front_end.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
    what = repr(case)
    expect(got.status == case.status, f"{what}: status {got.status}", got)
    expect_json_response(got, what)
    body = got.json()
    expect(
        isinstance(body, dict) and list(body) == ["error"] and isinstance(body["error"], str),
        f"{what}: not OIP's error body",
        got,
    )
    expect(
        body["error"].startswith(f"{case.code}: "), f"{what}: the error does not start with {case.code}", got
    )
    expect_allow(got, case, what)
    want = reference.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
    expect_same_body(got, want, what)
    return got


def check_oip_good_case(front_end: HttpFrontEnd, reference: ReferenceFrontEnd, case: GoodCase) -> None:
    """An unusual but valid inference request answers exactly as the reference does."""
    got = front_end.request("POST", case.path, case.body, case.headers, chunked=case.chunked)
    expect(got.status == 200, f"{case.name}: status {got.status}", got)
    expect_same_body(got, reference.request("POST", case.path, case.body, case.headers), case.name)


def expect_same_reply(got: Reply, want: Reply, what: str) -> None:
    """Same status, and the same JSON body, or both empty."""
    if want.content:
        expect_same_body(got, want, what)
        return
    expect(got.status == want.status, f"{what}: status {got.status}, expected {want.status}", got)
    expect(got.content == b"", f"{what}: a body where the protocol has none", got)
