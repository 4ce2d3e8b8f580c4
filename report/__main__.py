"""`python -m report --results PATH | --latest [--weights TEXT] [--baseline PATH] [--out DIR]`."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from report.contents import build, reproducing
from report.io_wait import load_io, newest_io
from report.loading import ResultsError, load_results, newest_results
from report.model_levers import load_levers, newest_levers
from report.render import write
from report.scale_out import load_scale_out, newest_scale_out
from report.scoring import DEFAULT_WEIGHTS, WeightsError, parse_weights
from report.soak import load_soak, newest_soak

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
OUT_DIR = REPO_ROOT / "reports" / "latest"


def _shown(path: Path) -> str:
    """A path as a reader types it: relative to the repository when inside it, never this machine's layout."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m report", description="Write the decision report.")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--results", type=Path, help="a results file written by `make bench`")
    source.add_argument("--latest", action="store_true", help="the newest file in benchmarks/results/")
    parser.add_argument("--weights", default=DEFAULT_WEIGHTS, help="ranking weights (default: %(default)s)")
    parser.add_argument("--baseline", type=Path, help="an older results file to compare with")
    parser.add_argument(
        "--soak", type=Path, help="a soak results file (default: the newest soak-*.json beside the results)"
    )
    parser.add_argument(
        "--scale-out",
        type=Path,
        help="a scale-out results file (default: the newest scale-out-*.json beside the results)",
    )
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: reports/latest)")
    args = parser.parse_args(argv)
    try:
        weights = parse_weights(args.weights)
        path = newest_results(RESULTS_DIR) if args.latest else args.results
        results = load_results(path)
        baseline = load_results(args.baseline) if args.baseline else None
        soak_file = args.soak or newest_soak(path.parent)
        soak = (soak_file.name, load_soak(soak_file)) if soak_file else None
        scale_file = args.scale_out or newest_scale_out(path.parent)
        scale_out = (scale_file.name, load_scale_out(scale_file)) if scale_file else None
        io_file = newest_io(path.parent)
        io_wait = (io_file.name, load_io(io_file)) if io_file else None
        levers_files = newest_levers(path.parent)
        model_levers = tuple(load_levers(levers_files))
    except (WeightsError, FileNotFoundError, ResultsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    options = (f" WEIGHTS={args.weights}" if args.weights != DEFAULT_WEIGHTS else "") + (
        f" BASELINE={_shown(args.baseline)}" if args.baseline else ""
    )
    measure = reproducing(results)
    # The results are kept beside the report, so the rebuild command points at that copy.
    rebuild = f"make report RESULTS={_shown(args.out / 'results.json')}{options}"
    command = f"{measure} (measure afresh) · {rebuild} (rebuild this report from its results)"
    markdown, html = write(
        build(
            results,
            weights,
            baseline,
            command,
            soak,
            scale_out=scale_out,
            io_wait=io_wait,
            model_levers=model_levers,
        ),
        args.out,
        path,
        soak_file,
    )
    for levers_file in levers_files:
        # Beside the kept results, where a rebuild from them finds each model's levers again.
        if levers_file.resolve() != (args.out / levers_file.name).resolve():
            shutil.copyfile(levers_file, args.out / levers_file.name)
    print(f"wrote {markdown}\nwrote {html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
