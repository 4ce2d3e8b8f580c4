"""`python -m benchmarks [--quick] [--smoke] [--capacity-rounds N] [--records PATH] [--model NAME] [--out DIR]`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from benchmarks import plan
from benchmarks.cli import INTERRUPTED, add_model_options, announce, interruptible, stderr_console
from benchmarks.results import DEFAULT_SLO_MS
from benchmarks.runner import execute
from shared_model import load_settings

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _positive(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of ms, not {text!r}")
    return value


def _rounds(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of rounds, at least 1, not {text!r}")
    return value


def main(argv: list[str] | None = None) -> int:
    """Run the plan of the chosen mode and write one results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="c 1 and 8, 1 worker, batch 1 and 100, Server search of 3 trials, 3 x 1 s, one cold start, no contract catalogue",
    )
    parser.add_argument("--smoke", action="store_true", help="a few seconds per target; for `make test`")
    parser.add_argument(
        "--peers",
        action="store_true",
        help="also MLServer and BentoML, and the front ends over OIP (make peers)",
    )
    parser.add_argument(
        "--onnx",
        action="store_true",
        help="also FastAPI with SERVEBENCH_RUNTIME=onnx (the compiled runtime arm)",
    )
    add_model_options(parser, DEFAULT_OUT)
    parser.add_argument(
        "--slo-ms",
        type=_positive,
        default=DEFAULT_SLO_MS,
        help="the Server scenario's p99 objective in ms (default %(default)s)",
    )
    parser.add_argument(
        "--capacity-rounds",
        type=_rounds,
        default=None,
        help="rounds of the Server search (default: every round, 3 in the full plan); those past the plan's rounds "
        "search capacity and probe the host only, about 2 minutes each in the full plan (METHOD.md: how many "
        "rounds a capacity ratio needs to reproduce)",
    )
    args = parser.parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    model = args.model or load_settings().MODEL
    console = stderr_console()
    settings = dataclasses.replace(
        plan.MODES[mode],
        slo_ms=args.slo_ms,
        peers=args.peers,
        onnx=args.onnx,
        capacity_rounds=args.capacity_rounds,
    )
    written = interruptible(lambda: execute(settings, model, args.records, args.out, console), console)
    if written is None:
        return INTERRUPTED
    announce(*written, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
