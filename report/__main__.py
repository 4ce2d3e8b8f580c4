"""`python -m report --results PATH | --latest [--weights TEXT] [--baseline PATH] [--out DIR]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from benchmarks.results import read_results
from report.contents import build
from report.render import write
from report.scoring import DEFAULT_WEIGHTS, WeightsError, parse_weights

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
OUT_DIR = REPO_ROOT / "reports" / "latest"


def newest_results(folder: Path = RESULTS_DIR) -> Path:
    """The most recent results file (names are UTC timestamps, so they sort by time)."""
    files = sorted(folder.glob("*.json"))
    if not files:
        raise FileNotFoundError(f"no results in {folder}; run `make bench` or give RESULTS=path")
    return files[-1]


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
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (default: reports/latest)")
    args = parser.parse_args(argv)
    try:
        weights = parse_weights(args.weights)
        path = newest_results() if args.latest else args.results
        results = read_results(path)
        baseline = read_results(args.baseline) if args.baseline else None
    except (WeightsError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(f"error: a results file does not match the schema:\n{error}", file=sys.stderr)
        return 2
    options = (f" WEIGHTS={args.weights}" if args.weights != DEFAULT_WEIGHTS else "") + (
        f" BASELINE={_shown(args.baseline)}" if args.baseline else ""
    )
    measure = "make report" + (" QUICK=1" if results.quick else "")
    # The results are kept beside the report, so the rebuild command points at that copy.
    rebuild = f"make report RESULTS={_shown(args.out / 'results.json')}{options}"
    command = f"{measure} (measure afresh) · {rebuild} (rebuild this report from its results)"
    markdown, html = write(build(results, weights, baseline, command), args.out, path)
    print(f"wrote {markdown}\nwrote {html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
