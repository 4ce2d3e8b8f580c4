"""What each model-side lever costs in exactness, in process over the benchmark's records, for the results file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from benchmarks.results import Exactness
from shared_model import Validator, load_model
from shared_model.exactness import Deviation, deviation
from shared_model.settings import Settings

# A batched server predicts at most this many records in one call (SERVEBENCH_BATCH_MAX's default).
BATCH_ROWS: int = Settings.model_fields["BATCH_MAX"].default


def lever_exactness(model: str, records: Sequence[dict[str, Any]]) -> list[Exactness]:
    """The ONNX arm (when the model has one) and batching, each against scikit-learn predicting every record alone."""
    reference = load_model(model)
    rows = Validator(reference.spec, max_batch=max(len(records), 1)).validate_records(list(records))
    alone = [reference.predict_one(row) for row in rows]
    found = []
    compiled = load_model(model, runtime="onnx")
    if compiled.runtime == "onnx":
        answers = [compiled.predict_one(row) for row in rows]
        found.append(_figures("onnx", "each record alone on onnxruntime", deviation(alone, answers)))
    batched = [
        prediction
        for start in range(0, len(rows), BATCH_ROWS)
        for prediction in reference.predict(rows[start : start + BATCH_ROWS])
    ]
    how = f"records in batches of {BATCH_ROWS} (SERVEBENCH_BATCH_MAX), the most one batched call gathers"
    found.append(_figures("batched", how, deviation(alone, batched)))
    return found


def _figures(lever: str, how: str, measured: Deviation) -> Exactness:
    return Exactness(lever=lever, how=how, **measured.as_dict())
