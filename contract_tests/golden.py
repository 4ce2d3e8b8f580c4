"""Golden records: hypothesis strategies generated from the spec (bounds included) and a fixed catalogue."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import strategies as st

from shared_model import ModelSpec
from shared_model.spec import Feature, FeatureType, Scalar

# An open-ended number is drawn up to this magnitude: far beyond any real input, still a plain double.
OPEN_END = 1e12


def record_strategy(spec: ModelSpec) -> st.SearchStrategy[dict[str, Any]]:
    """Valid records: every required feature, optional ones sometimes, each value anywhere in its range."""
    required = {feature.name: value_strategy(feature) for feature in spec.features if feature.required}
    optional = {feature.name: value_strategy(feature) for feature in spec.features if not feature.required}
    return st.fixed_dictionaries(required, optional=optional)


def batch_strategy(spec: ModelSpec, max_size: int = 12) -> st.SearchStrategy[list[dict[str, Any]]]:
    """Small batches of valid records (one row included, so batch-of-one composition is exercised too)."""
    return st.lists(record_strategy(spec), min_size=1, max_size=max_size)


def value_strategy(feature: Feature) -> st.SearchStrategy[Any]:
    """Any value the feature admits, with its bounds drawn explicitly as well as by chance."""
    if feature.type is FeatureType.BOOLEAN:
        return st.booleans()
    if feature.type is FeatureType.CATEGORY:
        assert feature.enum is not None
        return st.sampled_from(feature.enum)
    low, high = _low(feature), _high(feature)
    if feature.type is FeatureType.INTEGER:
        integers = st.integers(math.ceil(low), math.floor(high))
        return st.one_of(st.sampled_from(sorted({math.ceil(low), math.floor(high)})), integers)
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(sorted({low, high})), floats)


def fixed_records(spec: ModelSpec) -> list[dict[str, Scalar]]:
    """About ten hand-picked records: the example, then each numeric feature at its low and high bound in turn."""
    base = dict(spec.example_record())
    records: list[dict[str, Scalar]] = [base]
    for feature in spec.features:
        if feature.type.is_numeric:
            for value in (_low(feature), _high(feature)):
                typed = int(value) if feature.type is FeatureType.INTEGER else value
                records.append({**base, feature.name: typed})
        elif feature.type is FeatureType.CATEGORY and feature.enum:
            records.extend({**base, feature.name: choice} for choice in feature.enum[1:])
        elif feature.type is FeatureType.BOOLEAN:
            records.append({**base, feature.name: not base.get(feature.name, False)})
    unique = list({repr(sorted(record.items())): record for record in records}.values())
    return unique[:10] if len(unique) > 10 else unique


def edge_records(spec: ModelSpec) -> list[dict[str, Scalar]]:
    """Every numeric feature at each bound (all of them, not only ten), for the in-process modes."""
    base = dict(spec.example_record())
    return [
        {**base, feature.name: int(value) if feature.type is FeatureType.INTEGER else value}
        for feature in spec.features
        if feature.type.is_numeric
        for value in (_low(feature), _high(feature))
    ]


def _low(feature: Feature) -> float:
    if feature.minimum is not None:
        return feature.minimum
    if feature.exclusive_minimum is not None:
        # The least value above an exclusive bound: the next integer, or the next double.
        if feature.type is FeatureType.INTEGER:
            return math.floor(feature.exclusive_minimum) + 1
        return math.nextafter(feature.exclusive_minimum, math.inf)
    return -OPEN_END


def _high(feature: Feature) -> float:
    if feature.maximum is not None:
        return feature.maximum
    if feature.exclusive_maximum is not None:
        if feature.type is FeatureType.INTEGER:
            return math.ceil(feature.exclusive_maximum) - 1
        return math.nextafter(feature.exclusive_maximum, -math.inf)
    return OPEN_END


def random_records(spec: ModelSpec, count: int, seed: int) -> list[dict[str, Scalar]]:
    """`count` valid records from a seeded generator (numbers spread over each range, on a log scale when open)."""
    rng = random.Random(seed)
    return [{feature.name: _random_value(feature, rng) for feature in spec.features} for _ in range(count)]


def _random_value(feature: Feature, rng: random.Random) -> Scalar:
    if feature.type is FeatureType.BOOLEAN:
        return rng.random() < 0.5
    if feature.type is FeatureType.CATEGORY:
        assert feature.enum is not None
        return rng.choice(feature.enum)
    low, high = _low(feature), _high(feature)
    if high - low > 1e6:
        # Open-ended: log-uniform over the magnitudes a real input has, anchored at the low bound.
        high = low + 10 ** rng.uniform(0, 6)
    if feature.type is FeatureType.INTEGER:
        return rng.randint(math.ceil(low), math.floor(high))
    return rng.uniform(low, high)
