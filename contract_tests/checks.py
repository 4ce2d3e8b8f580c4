"""The contract's checks as plain functions: callable from pytest, from the benchmarks, or on a broken front end.

Each check takes the front end under test and the reference (shared_model in-process) and raises
ContractViolation, showing the whole reply, when the front end differs. Comparisons are of whole bodies, with
floats compared by their repr (so bit for bit, -0.0 included), keys in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contract_tests.cases import BadCase, GoodCase
from contract_tests.clients import FrontEnd, HttpFrontEnd, Reply
from shared_model.http import JSON_MEDIA_TYPE

TRACEBACK_MARKERS = (b"Traceback (most recent call last)", b'File "/')


class ContractViolation(AssertionError):
    """A front end answered differently from what the contract says."""


def canonical(value: object) -> str:
    """JSON text that differs whenever two values differ in any bit, key or key order."""
    return json.dumps(value, allow_nan=True, ensure_ascii=True)


def expect(condition: bool, message: str, reply: Reply | None = None) -> None:
    """Raise ContractViolation with the reply shown when `condition` is false."""
    if not condition:
        raise ContractViolation(f"{message}\n  got: {reply!r}" if reply is not None else message)


def expect_same_body(got: Reply, want: Reply, what: str) -> None:
    """The two replies have the same status and the same JSON body, bit for bit and in key order."""
    expect(got.status == want.status, f"{what}: status {got.status}, expected {want.status}", got)
    body = _json_or_none(got)
    expect(body is not None, f"{what}: the body is not JSON", got)
    want_body = want.json()
    expect(
        canonical(body) == canonical(want_body),
        f"{what}: body differs from the reference\n  want: {canonical(want_body)[:800]}",
        got,
    )


def check_prediction(front_end: FrontEnd, reference: FrontEnd, record: Mapping[str, Any]) -> None:
    """One record: the front end's answer equals shared_model's batch-of-one answer, bit for bit."""
    expect_same_body(front_end.predict(record), reference.predict(record), f"predict {dict(record)}")


def check_batch(front_end: FrontEnd, reference: FrontEnd, records: Sequence[Mapping[str, Any]]) -> None:
    """A batch: equal to shared_model's answer for the very same batch composition (rows in one call)."""
    expect_same_body(
        front_end.predict_batch(records), reference.predict_batch(records), f"batch of {len(records)}"
    )


def check_model_card(front_end: FrontEnd, reference: FrontEnd) -> None:
    """The model card is shared_model's card, whole."""
    expect_same_body(front_end.model_card(), reference.model_card(), "model card")


def check_health(front_end: HttpFrontEnd, reference: HttpFrontEnd) -> None:
    """Liveness, readiness and its alias answer the contract's bodies."""
    for path in ("/health/live", "/health/ready", "/health"):
        got = front_end.request("GET", path)
        expect_json_response(got, path)
        expect_same_body(got, reference.request("GET", path), f"GET {path}")


def check_bad_case(front_end: HttpFrontEnd, reference: HttpFrontEnd, case: BadCase) -> Reply:
    """The exact status, code and `loc`s; a JSON error body with no traceback; for 400/422 the reference's body."""
    got = front_end.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
    what = repr(case)
    expect(got.status == case.status, f"{what}: status {got.status}", got)
    expect_json_response(got, what)
    body = got.json()
    error = body.get("error") if isinstance(body, dict) else None
    expect(
        isinstance(error, dict) and set(error) == {"code", "message", "details"},
        f"{what}: not the shared error body",
        got,
    )
    assert isinstance(error, dict)
    expect(error["code"] == case.code, f"{what}: code {error['code']!r}", got)
    locs = tuple(tuple(detail.get("loc", ())) for detail in error["details"] if isinstance(detail, dict))
    expect(locs == case.locs, f"{what}: locs {locs}, expected {case.locs}", got)
    expect_allow(got, case, what)
    if case.status in (400, 422):
        # These messages come from shared_model's parser and validator: every front end passes them on unchanged.
        want = reference.request(case.method, case.path, case.body, case.headers, chunked=case.chunked)
        expect_same_body(got, want, what)
    return got


def expect_allow(got: Reply, case: BadCase, what: str) -> None:
    """A 405 case's answer lists the case's method in `Allow`."""
    if case.allow is not None:
        allowed = {method.strip().upper() for method in got.headers.get("allow", "").split(",")}
        expect(case.allow in allowed, f"{what}: Allow header {got.headers.get('allow')!r}", got)


def check_good_case(front_end: HttpFrontEnd, reference: HttpFrontEnd, case: GoodCase) -> None:
    """An unusual but valid request answers exactly as the plain request does."""
    got = front_end.request("POST", case.path, case.body, case.headers, chunked=case.chunked)
    expect_json_response(got, case.name)
    expect_same_body(got, reference.request("POST", case.path, case.body, case.headers), case.name)


def check_still_serving(front_end: FrontEnd, reference: FrontEnd, record: Mapping[str, Any]) -> None:
    """After a bad request, a valid one still succeeds (no worker died, no state was poisoned)."""
    check_prediction(front_end, reference, record)


def check_same_error(first: Reply, second: Reply, what: str) -> None:
    """Two HTTP front ends answered one bad request identically: status and whole body."""
    expect(first.status == second.status, f"{what}: statuses {first.status} and {second.status}", second)
    expect(
        canonical(_json_or_none(first)) == canonical(_json_or_none(second)),
        f"{what}: bodies differ\n  first: {first!r}",
        second,
    )


def check_request_id(front_end: HttpFrontEnd) -> None:
    """Every response carries X-Request-ID; a sane client value is echoed, an unsafe one replaced."""
    for path in ("/health/live", "/v1/nothing"):
        reply = front_end.request("GET", path)
        expect(bool(reply.headers.get("x-request-id")), f"GET {path}: no X-Request-ID", reply)
    sane = "contract-test-0123456789"
    echoed = front_end.request("GET", "/health/live", headers={"x-request-id": sane})
    expect(echoed.headers.get("x-request-id") == sane, "a sane X-Request-ID is not echoed", echoed)
    unsafe = "bad id\twith spaces;" + "x" * 300
    replaced = front_end.request("GET", "/health/live", headers={"x-request-id": unsafe})
    got = replaced.headers.get("x-request-id", "")
    expect(bool(got) and got != unsafe, "an unsafe X-Request-ID is echoed back", replaced)


def expect_json_response(reply: Reply, what: str) -> None:
    """A JSON answer: `application/json` content type, a parseable body, no traceback anywhere."""
    media = reply.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    expect(media == JSON_MEDIA_TYPE, f"{what}: content type {reply.headers.get('content-type')!r}", reply)
    expect(_json_or_none(reply) is not None, f"{what}: the body is not JSON", reply)
    expect(
        not any(marker in reply.content for marker in TRACEBACK_MARKERS), f"{what}: a traceback leaked", reply
    )


def _json_or_none(reply: Reply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


Check = Callable[[], object]


def run_checks(checks: Mapping[str, Sequence[Check]]) -> dict[str, str | None]:
    """Run named groups of checks; map each group to None (passed) or the first violation's message."""
    outcome: dict[str, str | None] = {}
    for name, group in checks.items():
        outcome[name] = None
        for check in group:
            try:
                check()
            except ContractViolation as violation:
                outcome[name] = str(violation)
                break
    return outcome
