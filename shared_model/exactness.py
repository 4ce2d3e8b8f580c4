"""How far two answers for the same rows lie apart: label agreement, and float deviation absolute, relative, in ULPs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from shared_model.predictor import Prediction

EPSILON = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class Deviation:
    """The worst disagreement over a set of rows (0 everywhere means bit for bit)."""

    rows: int
    labels_differing: int
    max_abs: float
    max_rel: float
    max_ulps: int
    # The gap in machine epsilons at the value's scale (at least 1): a probability near 0 computed as 1 - p keeps
    # p's rounding and lies many of its own ULPs away, yet no more than a few epsilons.
    max_epsilons: float

    @property
    def identical(self) -> bool:
        """Every label equal and every float bit for bit."""
        return self.labels_differing == 0 and self.max_ulps == 0

    def within(self, limit: Deviation) -> bool:
        """No label differs and no figure exceeds `limit`'s."""
        return (
            self.labels_differing == 0
            and self.max_abs <= limit.max_abs
            and self.max_rel <= limit.max_rel
            and self.max_ulps <= limit.max_ulps
            and self.max_epsilons <= limit.max_epsilons
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self)


def ulps_apart(first: Any, second: Any) -> Any:
    """Representable float64 values between each pair (0 when equal, 1 for neighbours; +0.0 and -0.0 are 0 apart)."""
    a = _ordered(np.asarray(first, dtype=np.float64))
    b = _ordered(np.asarray(second, dtype=np.float64))
    # Differences of two int64 can overflow; as Python ints per element they cannot.
    return np.array([abs(int(x) - int(y)) for x, y in zip(a.ravel(), b.ravel(), strict=True)], dtype=object)


def _ordered(values: Any) -> Any:
    # IEEE 754 bit patterns ordered like the floats: negatives mirrored below zero.
    bits = values.view(np.int64)
    return np.where(bits < 0, np.int64(np.iinfo(np.int64).min) - bits, bits)


def deviation(reference: Sequence[Prediction], other: Sequence[Prediction]) -> Deviation:
    """Compare `other` with `reference` row by row: labels, and every float (probabilities, or a regressor's value)."""
    if len(reference) != len(other):
        raise ValueError(f"{len(reference)} reference rows against {len(other)}")
    # A regressor's value is its float, compared below; only a classifier has a label to agree on.
    labels = sum(
        1
        for want, got in zip(reference, other, strict=True)
        if want.probabilities is not None and want.prediction != got.prediction
    )
    want = np.array(list(_floats(reference)), dtype=np.float64)
    got = np.array(list(_floats(other)), dtype=np.float64)
    if want.size == 0:
        return Deviation(len(reference), labels, 0.0, 0.0, 0, 0.0)
    gap = np.abs(want - got)
    scale = np.abs(want)
    # Relative to the reference; where it is 0, a non-zero gap is infinitely far (reported as such).
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(gap == 0, 0.0, gap / scale)
    return Deviation(
        rows=len(reference),
        labels_differing=labels,
        max_abs=float(gap.max()),
        max_rel=float(relative.max()),
        max_ulps=int(max(ulps_apart(want, got))),
        max_epsilons=float((gap / (np.maximum(1.0, np.maximum(scale, np.abs(got))) * EPSILON)).max()),
    )


def _floats(predictions: Iterable[Prediction]) -> Iterable[float]:
    for prediction in predictions:
        if prediction.probabilities is not None:
            yield from prediction.probabilities.values()
        elif isinstance(prediction.prediction, float):
            yield prediction.prediction
