"""In-process predict latency of each built-in model on each runtime, 1 and 100 rows: `python -m benchmarks.predict_latency`."""

from __future__ import annotations

import argparse
import platform
import statistics

import numpy as np
import onnxruntime
import sklearn

from benchmarks.in_process import WARMUP_S, timed_calls
from shared_model import BUILTIN_MODELS, Validator, load_model
from shared_model.artifacts import RUNTIMES
from shared_model.samples import sample_records

SECONDS = 2.0
REPEATS = 3
BATCH_SIZES = (1, 100)


def main(argv: list[str] | None = None) -> int:
    """Print the median call (µs) of `Predictor.predict` per model, runtime and batch size: median (min–max) of repeats."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=SECONDS, help="timed calls per repeat")
    parser.add_argument(
        "--repeats", type=int, default=REPEATS, help="repeats per model, runtime and batch size"
    )
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, onnxruntime "
        f"{onnxruntime.__version__}, numpy {np.__version__}, {platform.machine()}; {args.repeats} repeats of "
        f"{args.seconds:g} s of back-to-back calls after {WARMUP_S:g} s of warm-up; median call per repeat"
    )
    print(f"{'model':<10} {'runtime':<8} {'rows':>5} {'median µs':>10} {'min–max µs':>17} {'µs/row':>8}")
    for name in BUILTIN_MODELS:
        for runtime in RUNTIMES:
            predictor = load_model(name, runtime=runtime)
            validator = Validator(predictor.spec, max_batch=max(BATCH_SIZES))
            records = sample_records(predictor.spec, max(BATCH_SIZES), seed=1)
            for size in BATCH_SIZES:
                rows = validator.validate_records(records[:size])
                timed_calls(predictor, rows, WARMUP_S)
                medians = [
                    timed_calls(predictor, rows, args.seconds).percentile_us(50.0)
                    for _ in range(args.repeats)
                ]
                median = statistics.median(medians)
                spread = f"{min(medians):.1f}–{max(medians):.1f}"
                print(
                    f"{name:<10} {predictor.runtime:<8} {size:>5} {median:>10.1f} {spread:>17} "
                    f"{median / size:>8.1f}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
