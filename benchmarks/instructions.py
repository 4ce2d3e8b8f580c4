"""Instructions per request of each target called in-process, counted by callgrind: a twin of wall time that does
not drift with the host.

`python -m benchmarks.instructions [--model NAME] [--calls K] [--runs N] [TARGET ...]`. Each run is one valgrind
process (benchmarks.instruction_probe) that imports everything once, uninstrumented, then counts K and 2K calls
of every target in turn; a target's figure is the difference over K, so what does not repeat per call cancels.
The runs go side by side (a count does not depend on how busy the cores are), under PYTHONHASHSEED=0, on the same
bodies, and must agree: the spread is (max − min) / median of the runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from benchmarks.app_calls import FASTAPI, FLASK, TARGETS
from benchmarks.callgrind import callgrind_command, read_dumps
from benchmarks.floors import ASGI_FLOOR, WSGI_FLOOR
from benchmarks.instruction_probe import label
from benchmarks.results import Figure, InstructionCount
from shared_model import load_settings

CALLS = (20, 40)
RUNS = 2
PROBE = "benchmarks.instruction_probe"
LAYERS = (
    (FLASK, WSGI_FLOOR),
    (FASTAPI, ASGI_FLOOR),
)  # a front end and the floor doing the same work without it

Progress = Callable[[str], None]


class ProbeFailed(RuntimeError):
    """A valgrind run exited with an error or without a count; the message carries the end of its output."""


def probe_env(model: str, metrics_dir: Path) -> dict[str, str]:
    """The probe's environment: none of the caller's SERVEBENCH_* settings but the model; fixed hashing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SERVEBENCH_")}
    env.update(SERVEBENCH_MODEL=model, PYTHONHASHSEED="0", PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    return env


def _forward(stream: IO[str], prefix: str, progress: Progress) -> None:
    with stream:
        for line in stream:
            progress(f"{prefix}{line.rstrip()}")


def _run_all(
    folders: list[Path], model: str, targets: Sequence[str], calls: tuple[int, int], progress: Progress
) -> None:
    processes: list[subprocess.Popen[str]] = []
    forwarders: list[threading.Thread] = []
    try:
        for number, folder in enumerate(folders, start=1):
            (folder / "metrics").mkdir(parents=True)
            command = [
                *callgrind_command(folder),
                sys.executable,
                "-m",
                PROBE,
                f"--calls={calls[0]},{calls[1]}",
                *targets,
            ]
            with (folder / "stderr.txt").open("w") as errors:
                process = subprocess.Popen(
                    command,
                    env=probe_env(model, folder / "metrics"),
                    stdout=subprocess.PIPE,
                    stderr=errors,
                    text=True,
                )
            processes.append(process)
            assert process.stdout is not None
            forwarder = threading.Thread(target=_forward, args=(process.stdout, f"run {number}: ", progress))
            forwarder.start()
            forwarders.append(forwarder)
        for process, folder in zip(processes, folders, strict=True):
            if process.wait() != 0:
                tail = (folder / "stderr.txt").read_text(encoding="utf-8", errors="replace")[-3000:]
                raise ProbeFailed(f"valgrind run exited with {process.returncode}:\n{tail}")
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for forwarder in forwarders:
            forwarder.join()


def per_request(counts: dict[str, int], target: str, calls: tuple[int, int]) -> float:
    """Instructions per call of `target`: the difference between its two counted windows over their difference."""
    low, high = calls
    try:
        return (counts[label(target, high)] - counts[label(target, low)]) / (high - low)
    except KeyError as missing:
        raise ProbeFailed(f"no count labelled {missing} among {sorted(counts)}") from None


def instruction_count(target: str, calls: tuple[int, int], per_run: list[float]) -> InstructionCount:
    """The result row of one target from its per-run figures."""
    figure = Figure.of("instructions", per_run)
    return InstructionCount(
        target=target,
        calls=list(calls),
        per_request=figure,
        spread=(figure.max - figure.min) / figure.median,
    )


def count_instructions(
    model: str,
    targets: Sequence[str] = TARGETS,
    calls: tuple[int, int] = CALLS,
    runs: int = RUNS,
    progress: Progress | None = None,
) -> list[InstructionCount]:
    """Instructions per request of each target, one figure per valgrind run; every run started at once."""
    if not 0 < calls[0] < calls[1]:
        raise ValueError(f"calls must be two increasing positive numbers, not {calls}")
    unknown = set(targets) - set(TARGETS)
    if unknown:
        raise ValueError(f"unknown targets {sorted(unknown)}; expected some of {TARGETS}")
    with tempfile.TemporaryDirectory(prefix="servebench-callgrind-") as scratch:
        folders = [Path(scratch) / f"run{number}" for number in range(1, runs + 1)]
        _run_all(folders, model, targets, calls, progress or (lambda line: None))
        counts = [read_dumps(folder) for folder in folders]
    return [
        instruction_count(target, calls, [per_request(run, target, calls) for run in counts])
        for target in targets
    ]


def layer_cost(counts: Sequence[InstructionCount], front_end: str, floor: str) -> tuple[float, float] | None:
    """A front end's own instructions per request (over its floor's median) and their share of its request."""
    medians = {count.target: count.per_request.median for count in counts}
    if front_end not in medians or floor not in medians:
        return None
    layer = medians[front_end] - medians[floor]
    return layer, layer / medians[front_end]


def _print_table(counts: Sequence[InstructionCount]) -> None:
    runs = len(counts[0].per_request.repeats) if counts else 0
    print(f"{'target':<12} " + " ".join(f"{f'run {n}':>12}" for n in range(1, runs + 1)) + f" {'spread':>8}")
    for count in counts:
        values = " ".join(f"{value:>12,.0f}" for value in count.per_request.repeats)
        print(f"{count.target:<12} {values} {count.spread:>8.3%}")
    for front_end, floor in LAYERS:
        cost = layer_cost(counts, front_end, floor)
        if cost is not None:
            print(
                f"{front_end}'s layer costs {cost[0]:,.0f} instructions per request, {cost[1]:.1%} of the request"
            )


def main(argv: list[str] | None = None) -> int:
    """Count, and print a table of instructions per request per run."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.instructions", description=__doc__)
    parser.add_argument(
        "--model", default=None, help="a built-in model or a MODEL.joblib (default: SERVEBENCH_MODEL)"
    )
    parser.add_argument(
        "--calls", type=int, default=CALLS[0], help="K: each target is counted over K and 2K calls"
    )
    parser.add_argument("--runs", type=int, default=RUNS, help="valgrind runs, side by side")
    parser.add_argument("targets", nargs="*", default=list(TARGETS), help=f"some of {', '.join(TARGETS)}")
    args = parser.parse_args(argv)
    if set(args.targets) - set(TARGETS):
        parser.error(f"targets are some of {', '.join(TARGETS)}")
    model = args.model or load_settings().MODEL
    calls = (args.calls, 2 * args.calls)
    print(
        f"callgrind: {len(args.targets)} targets on {model}, {calls[0]} and {calls[1]} calls each, "
        f"{args.runs} runs side by side"
    )
    started = time.monotonic()

    def progress(line: str) -> None:
        print(f"{time.monotonic() - started:5.0f} s  {line}", flush=True)

    counts = count_instructions(model, args.targets, calls, args.runs, progress)
    _print_table(counts)
    print(f"wall time {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
