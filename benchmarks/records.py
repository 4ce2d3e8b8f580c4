"""Request records: generated from the spec with a fixed seed (`shared_model.samples`), or the user's own JSONL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shared_model import ModelSpec, Validator
from shared_model.samples import sample_records

SEED = 20261121
GENERATED_COUNT = 200


def generated_records(spec: ModelSpec) -> list[dict[str, Any]]:
    """The benchmark's default records: the same every run, every feature present, bounds included."""
    return list(sample_records(spec, GENERATED_COUNT, seed=SEED))


class RecordsError(ValueError):
    """A records file cannot be used; the message names the file and the line."""


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
