"""`python -m benchmarks.levers [--model NAME|PATH] [--records PATH] [--slo-ms MS] [--out DIR]`: one model's levers.

Runs only the shipped FastAPI (one worker) and the levers set against it — a second worker, `--variant batched`,
the compiled runtime (when the model has an ONNX conversion) and Flask shipped — in closed loops at c=1 and 8 and
at capacity within the latency objective, in interleaved rounds, and writes `levers-<model>-<UTC timestamp>.json`
(a results file) beside the others. The report shows the newest such file of each model in its Levers section.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import tempfile
from pathlib import Path

from benchmarks import plan
from benchmarks.cli import INTERRUPTED, add_model_options, announce, interruptible, stderr_console
from benchmarks.results import DEFAULT_SLO_MS, Results, results_path
from benchmarks.runner import execute
from shared_model import load_model, load_settings

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
PREFIX = "levers-"


def levers_path(out_dir: Path, results: Results) -> Path:
    """`<out_dir>/levers-<model>-<UTC timestamp>.json`: apart from the main runs' files, newest last per model."""
    model = re.sub(r"[^A-Za-z0-9_.]+", "_", results.model["name"])
    return out_dir / f"{PREFIX}{model}-{results_path(out_dir, results.started_at).name}"


def main(argv: list[str] | None = None) -> int:
    """Measure one model's levers and write their results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.levers", description=__doc__)
    add_model_options(parser, DEFAULT_OUT)
    parser.add_argument("--slo-ms", type=float, default=DEFAULT_SLO_MS, help="p99 objective in ms")
    args = parser.parse_args(argv)
    model = args.model or load_settings().MODEL
    console = stderr_console()
    # The compiled arm only where the model has a conversion: otherwise it would measure scikit-learn again.
    compiled = load_model(model, runtime="onnx").runtime == "onnx"
    if not compiled:
        console.print(f"{model}: no ONNX conversion in its manifest, so no compiled-runtime arm")
    settings = dataclasses.replace(plan.LEVERS, slo_ms=args.slo_ms, onnx=compiled)

    def measure() -> Results:
        with tempfile.TemporaryDirectory(prefix="servebench-levers-") as scratch:
            return execute(settings, model, args.records, Path(scratch), console)[1]

    results = interruptible(measure, console)
    if results is None:
        return INTERRUPTED
    note = (
        "levers plan: the shipped FastAPI and the levers set against it only, closed loop at c="
        f"{' and '.join(map(str, settings.concurrencies))} and capacity at p99 ≤ {args.slo_ms:g} ms, "
        f"{settings.repeats} interleaved rounds"
    )
    results = results.model_copy(update={"notes": [note, *results.notes]})
    args.out.mkdir(parents=True, exist_ok=True)
    path = levers_path(args.out, results)
    path.write_text(results.model_dump_json(indent=2) + "\n", encoding="utf-8")
    announce(path, results, console)
    return 0


if __name__ == "__main__":
    sys.exit(main())
