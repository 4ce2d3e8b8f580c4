"""In-process predict latency of each built-in model, 1 row and 100 rows: `python -m benchmarks.predict_latency`."""

from __future__ import annotations

import argparse
import platform
import statistics
import time

import numpy as np
import sklearn

from shared_model import BUILTIN_MODELS, Validator, load_model
from shared_model.samples import sample_records

REPEATS = 2000
WARMUP = 200
BATCH_SIZES = (1, 100)


def median_microseconds(call: object, repeats: int) -> tuple[float, float, float]:
    """Median, 10th and 90th percentile wall time of `call()` in µs, after a warm-up."""
    assert callable(call)
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1000)
    deciles = statistics.quantiles(samples, n=10)
    return statistics.median(samples), deciles[0], deciles[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    args = parser.parse_args(argv)
    print(
        f"python {platform.python_version()}, scikit-learn {sklearn.__version__}, numpy {np.__version__}, "
        f"{platform.machine()}; {args.repeats} timed calls after {WARMUP} warm-up calls"
    )
    print(f"{'model':<10} {'rows':>5} {'median µs':>10} {'p10 µs':>8} {'p90 µs':>8} {'µs/row':>8}")
    for name in BUILTIN_MODELS:
        predictor = load_model(name)
        validator = Validator(predictor.spec, max_batch=max(BATCH_SIZES))
        records = sample_records(predictor.spec, max(BATCH_SIZES), seed=1)
        for size in BATCH_SIZES:
            rows = validator.validate_records(records[:size])
            median, p10, p90 = median_microseconds(lambda p=predictor, r=rows: p.predict(r), args.repeats)
            print(f"{name:<10} {size:>5} {median:>10.1f} {p10:>8.1f} {p90:>8.1f} {median / size:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
