"""Deliberately broken front ends: a working adapter wrapped so it breaks exactly one rule of the contract.

The suite must fail on each (test_broken.py); that is how we know its checks can fail at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contract_tests.clients import HttpFrontEnd, HttpOperations, Reply, json_bytes

PROBABILITY_DIGITS = 6
INTERNAL_ERROR = {"error": {"code": "internal_error", "message": "The server failed.", "details": []}}


class BrokenFrontEnd(HttpOperations):
    """A front end with one flaw; everything else is passed to the working front end inside."""

    flaw = "none"

    def __init__(self, inner: HttpFrontEnd) -> None:
        self.inner = inner
        self.name = f"{inner.name}+{self.flaw}"
        self.mode = inner.mode
        self.kind = inner.kind
        self.model = inner.model

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        return self.inner.request(method, path, body, headers, chunked=chunked)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.inner!r})"


class RoundsProbabilities(BrokenFrontEnd):
    """Writes probabilities with six decimals, as a front end that formats floats for humans would."""

    flaw = "rounds-probabilities"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        reply = self.inner.request(method, path, body, headers, chunked=chunked)
        if reply.status != 200 or not path.startswith("/v1/predict"):
            return reply
        answer = reply.json()
        for item in answer.get("predictions", [answer]):
            if "probabilities" in item:
                item["probabilities"] = {
                    k: round(v, PROBABILITY_DIGITS) for k, v in item["probabilities"].items()
                }
            if isinstance(item["prediction"], float):
                item["prediction"] = round(item["prediction"], PROBABILITY_DIGITS)
        return Reply(200, json.dumps(answer).encode(), reply.headers)


class CrashesOnNan(BrokenFrontEnd):
    """Answers 500 to a NaN token, as a front end whose parser lets NaN through to the model would."""

    flaw = "500-on-nan"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        if b"NaN" in body:
            return Reply(500, json.dumps(INTERNAL_ERROR).encode(), {"content-type": "application/json"})
        return self.inner.request(method, path, body, headers, chunked=chunked)


class AcceptsDuplicateKeys(BrokenFrontEnd):
    """Keeps the last of duplicate keys (Python's json.loads), as Flask's get_json() does."""

    flaw = "accepts-duplicate-keys"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        try:
            pairs: Any = json.loads(body, object_pairs_hook=lambda items: items)
        except (ValueError, RecursionError):
            return self.inner.request(method, path, body, headers, chunked=chunked)
        if _has_duplicates(pairs):
            body = json_bytes(json.loads(body))  # the lenient parse, re-encoded: the duplicate is gone
        return self.inner.request(method, path, body, headers, chunked=chunked)


class PredictsRowByRow(BrokenFrontEnd):
    """Predicts a batch one row at a time, so rows get their batch-of-one floats, not the batch's."""

    flaw = "predicts-row-by-row"

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        reply = self.inner.request(method, path, body, headers, chunked=chunked)
        if reply.status != 200 or path != "/v1/predict/batch":
            return reply
        answer = reply.json()
        instances = json.loads(body)["instances"]
        singles = [self.inner.predict(record).json() for record in instances]
        answer["predictions"] = [
            {k: v for k, v in single.items() if k not in ("model", "version")} for single in singles
        ]
        return Reply(200, json.dumps(answer).encode(), reply.headers)


def _has_duplicates(value: Any) -> bool:
    if (
        isinstance(value, list)
        and all(isinstance(item, tuple) and len(item) == 2 for item in value)
        and value
    ):
        keys = [key for key, _ in value]
        return len(keys) != len(set(keys)) or any(_has_duplicates(child) for _, child in value)
    if isinstance(value, list):
        return any(_has_duplicates(item) for item in value)
    return False


BROKEN_VARIANTS: dict[type[BrokenFrontEnd], str] = {
    RoundsProbabilities: "predict.fixed",
    CrashesOnNan: "errors.catalogue",
    AcceptsDuplicateKeys: "errors.catalogue",
    PredictsRowByRow: "predict.batch",
}
"""Each flaw, and the clause whose checks must catch it."""
