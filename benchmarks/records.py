"""Request records: generated within the spec from a fixed seed, or the user's own from a JSONL file."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from shared_model import Feature, FeatureType, ModelSpec, Validator

SEED = 20261121
GENERATED_COUNT = 200


class RecordsError(ValueError):
    """A records file cannot be used; the message names the file and the line."""


def generated_records(
    spec: ModelSpec, count: int = GENERATED_COUNT, seed: int = SEED
) -> list[dict[str, Any]]:
    """`count` valid records with every feature present, spread over each feature's declared range."""
    rng = random.Random(seed)
    return [{feature.name: _value(feature, rng) for feature in spec.features} for _ in range(count)]


def load_records(path: Path, validator: Validator) -> list[dict[str, Any]]:
    """The records of a JSONL file (one JSON object per line); every one must pass the model's validation."""
    records: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            validator.validate_record(record)
        except Exception as error:
            raise RecordsError(f"{path}:{number}: not a valid record: {error}") from None
        records.append(record)
    if not records:
        raise RecordsError(f"{path}: holds no records")
    return records


def _value(feature: Feature, rng: random.Random) -> Any:
    if feature.type is FeatureType.BOOLEAN:
        return rng.random() < 0.5
    if feature.type is FeatureType.CATEGORY:
        assert feature.enum is not None
        return rng.choice(feature.enum)
    low, high = _range(feature)
    if feature.type is FeatureType.INTEGER:
        return rng.randint(int(low), int(high))
    return round(rng.uniform(low, high), 6)


def _range(feature: Feature) -> tuple[float, float]:
    # Open-ended features are spread around their example, so the generated load looks like real traffic.
    example = float(feature.example) if isinstance(feature.example, int | float) else 1.0
    low = feature.minimum if feature.minimum is not None else feature.exclusive_minimum
    high = feature.maximum if feature.maximum is not None else feature.exclusive_maximum
    low = low if low is not None else example - abs(example)
    high = high if high is not None else max(example * 2, low + 1.0)
    if feature.exclusive_minimum is not None:
        low = low + (high - low) * 1e-3
    if feature.exclusive_maximum is not None:
        high = high - (high - low) * 1e-3
    return low, high
