"""Valid records generated from a spec: deterministic, spread over each feature's declared range, bounds included."""

from __future__ import annotations

import math
import random

from shared_model.spec import Feature, FeatureType, ModelSpec, Scalar


def sample_records(spec: ModelSpec, count: int, seed: int = 0) -> list[dict[str, Scalar]]:
    """`count` valid records; the first ones put each feature at its bounds, the rest are uniform within them."""
    rng = random.Random(seed)
    records = []
    for index in range(count):
        record = {feature.name: _value(feature, rng, index) for feature in spec.features}
        records.append(record)
    return records


def _value(feature: Feature, rng: random.Random, index: int) -> Scalar:
    if feature.type is FeatureType.BOOLEAN:
        return rng.random() < 0.5
    if feature.type is FeatureType.CATEGORY:
        assert feature.enum is not None
        return rng.choice(feature.enum)
    low, high = _range(feature)
    if index == 0:
        value = low
    elif index == 1:
        value = high
    else:
        value = rng.uniform(low, high)
    if feature.type is FeatureType.INTEGER:
        return min(max(round(value), _ceil(low)), int(high))
    return value


def _range(feature: Feature) -> tuple[float, float]:
    # An open end is placed around the feature's example (0 to twice it), so the records look like real traffic.
    example = abs(float(feature.example)) if isinstance(feature.example, int | float) else 1.0
    integer = feature.type is FeatureType.INTEGER
    if feature.minimum is not None:
        low = float(feature.minimum)
    elif feature.exclusive_minimum is not None:
        low = _next_up(float(feature.exclusive_minimum), integer)
    else:
        low = float(feature.example) - example if isinstance(feature.example, int | float) else 0.0
    if feature.maximum is not None:
        high = float(feature.maximum)
    elif feature.exclusive_maximum is not None:
        high = -_next_up(-float(feature.exclusive_maximum), integer)
    else:
        high = max(low + 2 * example, low + 1.0)
    return low, high


def _next_up(value: float, integer: bool) -> float:
    return math.floor(value) + 1.0 if integer else math.nextafter(value, math.inf)


def _ceil(value: float) -> int:
    return math.ceil(value)
