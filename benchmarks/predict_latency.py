"""In-process predict latency of each built-in model, 1 row and 100 rows: `python -m benchmarks.predict_latency`."""

from __future__ import annotations

import argparse
import platform

import numpy as np
import sklearn

from benchmarks.in_process import WARMUP_S, timed_calls
from shared_model import BUILTIN_MODELS, Validator, load_model
from shared_model.samples import sample_records

SECONDS = 2.0
BATCH_SIZES = (1, 100)


def main(argv: list[str] | None = None) -> int:
    """Print median, p10 and p90 of `Predictor.predict` per model and batch size (the benchmark's timing loop)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="timed calls per model and batch size")
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
        f"{platform.machine()}; {args.seconds:g} s of back-to-back calls after {WARMUP_S:g} s of warm-up"
    )
    print(
        f"{'model':<10} {'rows':>5} {'calls':>6} {'median µs':>10} {'p10 µs':>8} {'p90 µs':>8} {'µs/row':>8}"
    )
    for name in BUILTIN_MODELS:
        predictor = load_model(name)
        validator = Validator(predictor.spec, max_batch=max(BATCH_SIZES))
        records = sample_records(predictor.spec, max(BATCH_SIZES), seed=1)
        for size in BATCH_SIZES:
            rows = validator.validate_records(records[:size])
            timed_calls(predictor, rows, WARMUP_S)
            sample = timed_calls(predictor, rows, args.seconds)
            median, p10, p90 = (sample.percentile_us(p) for p in (50.0, 10.0, 90.0))
            print(
                f"{name:<10} {size:>5} {sample.requests:>6} {median:>10.1f} {p10:>8.1f} {p90:>8.1f} "
                f"{median / size:>8.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
