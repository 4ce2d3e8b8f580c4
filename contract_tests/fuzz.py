"""Schema fuzzing: schemathesis cases from a front end's own /openapi.json, sent through the suite's adapter.

Cases go through the same `request()` as every other check (so in-process and live are fuzzed alike) and each
answer is judged by schemathesis' own checks: no 5xx, documented status codes, content types and response schemas,
invalid data refused and valid data accepted.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from contract_tests.clients import HttpFrontEnd
from contract_tests.http_clients import NO_ANSWER

FAKE_BASE = "http://contract.test"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
SKIPPED_PATHS = ("/metrics",)  # Prometheus text, documented as such; nothing to generate for it
# OIP's infer has rules across fields that JSON Schema cannot state (every input the same n, shape = len(data), each
# feature's values typed by its datatype): a body valid by the schema may still be refused, so only the negative
# mode applies; its valid bodies are the contract suite's (contract_tests/oip_cases.py, test_oip.py).
SCHEMA_WIDER_THAN_RULES = ("/v2/models/{name}/infer",)


def fuzz(front_end: HttpFrontEnd, max_examples: int, *, derandomize: bool = True) -> list[str]:
    """Fuzz every operation in both generation modes; return one message per (operation, mode) that failed."""
    document = front_end.request("GET", "/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    failures: list[str] = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            failures.append(f"an operation of /openapi.json cannot be tested: {result.err()}")
            continue
        operation = result.ok()
        if operation.path in SKIPPED_PATHS:
            continue
        for mode in _modes(operation):
            try:
                _fuzz_operation(front_end, operation, mode, max_examples, derandomize)
            except (
                Exception,
                BaseExceptionGroup,
            ) as error:  # schemathesis' failure groups included: all reported
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}")
    return failures


def _modes(operation: Any) -> list[GenerationMode]:
    # Negative data needs something to negate: a body or a parameter.
    has_input = operation.body or any(True for _ in operation.iter_parameters())
    if operation.path in SCHEMA_WIDER_THAN_RULES:
        return [GenerationMode.NEGATIVE]
    return [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if has_input else [GenerationMode.POSITIVE]


def _fuzz_operation(
    front_end: HttpFrontEnd, operation: Any, mode: GenerationMode, examples: int, derandomize: bool
) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=derandomize,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def answers_as_documented(case: Any) -> None:
        sent = case.as_transport_kwargs(base_url=FAKE_BASE)
        response = _send(front_end, sent)
        case.validate_response(response, checks=CHECKS, headers=sent.get("headers"))

    answers_as_documented()


def _send(front_end: HttpFrontEnd, sent: dict[str, Any]) -> httpx.Response:
    url = urlsplit(sent["url"])
    path = url.path + (f"?{urlencode(sent['params'], doseq=True)}" if sent.get("params") else "")
    headers = {name: str(value) for name, value in (sent.get("headers") or {}).items()}
    if "json" in sent:
        body = json.dumps(sent["json"]).encode()
    else:
        data = sent.get("data", b"")
        body = data.encode() if isinstance(data, str) else bytes(data or b"")
    reply = front_end.request(sent["method"], path, body, headers)
    if reply.status == NO_ANSWER:
        raise ConnectionError(reply.content.decode())
    request = httpx.Request(sent["method"], sent["url"], headers=headers, content=body)
    response = httpx.Response(
        reply.status, headers=list(reply.headers.items()), content=reply.content, request=request
    )
    response.elapsed = timedelta(0)  # set by httpx's client normally; schemathesis reads it
    return response
