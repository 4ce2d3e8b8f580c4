"""Verify a peer before it is measured, as our front ends are: the same records must give the same labels, and
probabilities equal to scikit-learn's on the artifact in-process (any difference is counted in ULPs).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.load import Answer, sequential
from benchmarks.peers import oip_payloads
from shared_model import Predictor, Validator
from shared_model.exactness import ulps_apart
from shared_model.predictor import Prediction

CHECKED_RECORDS = 20
# A peer that computes in float64 as we do agrees to the bit; past this many ULPs it computes something else.
MAX_ULPS = 1024


@dataclass(slots=True)
class PeerCheck:
    """What verifying one peer found: every mismatch, and the largest probability difference in ULPs."""

    checked: int = 0
    max_ulps: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.checked > 0 and not self.failures

    def summary(self) -> str:
        """One line for the results file and the report."""
        if not self.passed:
            return f"failed on {self.checked} records: " + "; ".join(self.failures[:3])
        same = "bit-identical" if self.max_ulps == 0 else f"within {self.max_ulps} ULP"
        return f"{self.checked} records: labels equal, probabilities {same} to scikit-learn in-process"


def compare(got: Sequence[Prediction], want: Sequence[Prediction], where: str, check: PeerCheck) -> None:
    """Add to `check` every label that differs and every probability past MAX_ULPS; keep the largest ULPs."""
    if len(got) != len(want):
        check.failures.append(f"{where}: {len(got)} predictions for {len(want)} records")
        return
    for index, (g, w) in enumerate(zip(got, want, strict=True)):
        if g.prediction != w.prediction:
            check.failures.append(f"{where} record {index}: label {g.prediction!r} != {w.prediction!r}")
            continue
        if (g.probabilities is None) != (w.probabilities is None):
            check.failures.append(f"{where} record {index}: probabilities {g.probabilities!r}")
            continue
        if g.probabilities is None or w.probabilities is None:
            continue
        if g.probabilities.keys() != w.probabilities.keys():
            check.failures.append(f"{where} record {index}: classes {sorted(g.probabilities)}")
            continue
        classes = list(w.probabilities)
        worst = int(
            max(
                ulps_apart(
                    [float(g.probabilities[k]) for k in classes], [w.probabilities[k] for k in classes]
                )
            )
        )
        check.max_ulps = max(check.max_ulps, worst)
        if worst > MAX_ULPS:
            check.failures.append(f"{where} record {index}: probabilities {worst} ULP apart")


def check_oip(
    base_url: str, predictor: Predictor, validator: Validator, records: Sequence[dict[str, Any]]
) -> PeerCheck:
    """An OIP peer: each record alone, then all in one request, against `Predictor.predict` on the same rows."""
    chosen = list(records[:CHECKED_RECORDS])
    check = PeerCheck(checked=len(chosen))
    url = base_url + oip_payloads.infer_path(predictor.name)
    for index, answer in enumerate(
        sequential(url, oip_payloads.infer_bodies(predictor, chosen), len(chosen))
    ):
        want = predictor.predict([validator.validate_record(chosen[index])])
        _compare_answer(answer, predictor, want, f"infer record {index}", check)
    batch = json.dumps(oip_payloads.infer_request(predictor.spec, chosen, predictor.is_classifier)).encode()
    answer = sequential(url, [batch], 1)[0]
    want = predictor.predict(validator.validate_records(chosen))
    _compare_answer(answer, predictor, want, "infer batch", check)
    return check


def check_records(
    base_url: str, predictor: Predictor, validator: Validator, records: Sequence[dict[str, Any]]
) -> PeerCheck:
    """A peer that takes our JSON record at `/v1/predict`: the whole answer, floats compared in ULPs."""
    chosen = list(records[:CHECKED_RECORDS])
    check = PeerCheck(checked=len(chosen))
    bodies = [json.dumps(record).encode() for record in chosen]
    for index, answer in enumerate(sequential(f"{base_url}/v1/predict", bodies, len(bodies))):
        where = f"POST /v1/predict record {index}"
        try:
            got = json.loads(answer.body)
            identity = {"model": got.pop("model"), "version": got.pop("version")}
            prediction = Prediction(got["prediction"], got.get("probabilities"))
        except (ValueError, KeyError, TypeError, AttributeError):
            check.failures.append(f"{where}: {answer.status} {answer.body[:200]!r}")
            continue
        if answer.status != 200 or identity != {"model": predictor.name, "version": predictor.version}:
            check.failures.append(f"{where}: {answer.status} {identity!r}")
            continue
        compare([prediction], [predictor.predict_one(validator.validate_record(chosen[index]))], where, check)
    return check


def _compare_answer(
    answer: Answer, predictor: Predictor, want: list[Prediction], where: str, check: PeerCheck
) -> None:
    status, body = answer.status, answer.body
    try:
        got = oip_payloads.predictions(json.loads(body), predictor)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        check.failures.append(f"{where}: {status} {error} {body[:200]!r}")
        return
    if status != 200:
        check.failures.append(f"{where}: status {status}")
        return
    compare(got, want, where, check)
