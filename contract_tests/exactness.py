"""The contract's exactness checks: answer bodies against the reference's, measured by `shared_model.exactness`.

The bound is in machine epsilons (2⁻⁵²) at the value's scale, at least 1 (`Deviation.max_epsilons`). Counted in
the value's own ULPs instead (`max_ulps`, shown, not bounded), a small probability computed as 1 − p inherits p's
rounding and lies hundreds of its own ULPs away (512 seen here on loan).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.checks import expect
from shared_model.exactness import Deviation, deviation
from shared_model.predictor import Prediction

Body = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Answer bodies against the reference's for the same records: the core's figures, and what a failure shows."""

    measured: Deviation
    rows_differing: int  # rows with any float other than the reference's
    label_mismatches: tuple[str, ...]

    def __str__(self) -> str:
        found = self.measured
        return (
            f"{found.rows} rows, {self.rows_differing} with other floats than the reference's, largest distance "
            f"{found.max_epsilons:g} ε at scale ({found.max_ulps} in the values' own ULPs), "
            f"{found.labels_differing} other labels"
        )


def compare(answers: Sequence[Body], reference: Sequence[Body]) -> Comparison:
    """Compare answer bodies (`{"prediction", "probabilities"?...}`) with the reference's, record by record."""
    want = [_prediction(body, body) for body in reference]
    got = [_prediction(body, like) for body, like in zip(answers, reference, strict=True)]
    mismatches = tuple(
        f"record {index}: {answer.get('prediction')!r} != {like['prediction']!r}"
        for index, (answer, like) in enumerate(zip(answers, reference, strict=True))
        if "probabilities" in like and answer.get("prediction") != like["prediction"]
    )
    differing = sum(
        1 for one, other in zip(want, got, strict=True) if deviation([one], [other]).max_ulps != 0
    )
    return Comparison(deviation(want, got), differing, mismatches)


def expect_within(
    answers: Sequence[Body], reference: Sequence[Body], max_epsilons: float, what: str
) -> Comparison:
    """Every label the reference's and every float within `max_epsilons` of it; the comparison, for further checks."""
    found = compare(answers, reference)
    expect(
        not found.label_mismatches,
        f"{what}: labels differ from the reference's: {found.label_mismatches[:5]}",
    )
    expect(
        found.measured.max_epsilons <= max_epsilons, f"{what}: past the bound of {max_epsilons:g} ε: {found}"
    )
    return found


def _prediction(body: Body, like: Body) -> Prediction:
    # The body's floats in the order of `like`'s; one it lacks is NaN, so past any bound.
    if "probabilities" not in like:
        return Prediction(float(body.get("prediction", math.nan)))
    probabilities = body.get("probabilities") or {}
    return Prediction(
        body.get("prediction", ""),
        {key: float(probabilities.get(key, math.nan)) for key in like["probabilities"]},
    )
