"""`python -m benchmarks.pages [--submits N] [--repeats R] [--people 1,4]`: the pages for people alone.

For each page (Streamlit's app shipped and on Streamlit's defaults, Streamlit's floor app on the shipped
configuration, the Flask page as shipped): R repeats of N submits in Chromium (click → the frame painting the answer,
and its parts, see `browser`), then each count of people submitting at once, browser-less (Streamlit: websocket
sessions; Flask: form posts with their CSRF token): submits/s, median latency, and the server tree's RSS above idle
per person; and the code lines each page takes by language (`boilerplate.page_lines`). Figures are min / median /
max over the repeats of each repeat's median; the load average is printed beside them, as a busy machine moves them.
Writes `benchmarks/results/pages-<UTC timestamp>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import browser, resources
from benchmarks.boilerplate import REPO_ROOT, page_lines
from benchmarks.load import LoadSample
from benchmarks.page_load import mib_per_person, run_people
from benchmarks.servers import RunningServer, running_command, running_server
from benchmarks.streamlit_load import run_sessions
from benchmarks.verify import expected_answer
from shared_model import Validator, load_model, load_settings
from shared_model.loopback import LOOPBACK
from streamlit_app.server import SHIPPED, server_options

OUT = Path(__file__).resolve().parent / "results"
FLOOR_APP = Path(__file__).with_name("streamlit_floor_app.py")
STREAMLIT_FLOOR = "streamlit floor app (shipped)"
WARMUP_S = 0.5
MEASURE_S = 3.0
Starter = Callable[[str], AbstractContextManager[RunningServer]]


def streamlit_floor(model: str) -> AbstractContextManager[RunningServer]:
    """The floor app under `streamlit run` with the shipped options, on a free loopback port."""

    def arguments(port: int) -> list[str]:
        options = server_options(load_settings(), SHIPPED) | {
            "server.port": str(port),
            "server.address": LOOPBACK,
        }
        flags = [part for name, value in options.items() for part in (f"--{name}", value)]
        return ["-m", "streamlit", "run", str(FLOOR_APP), *flags]

    return running_command(
        "streamlit_app", arguments, ready_path="/_stcore/health", env={"SERVEBENCH_MODEL": model}
    )


PAGES: dict[str, tuple[str, Starter]] = {
    "streamlit_app (shipped)": ("streamlit_app", lambda model: running_server("streamlit_app", model=model)),
    "streamlit_app (default)": (
        "streamlit_app",
        lambda model: running_server("streamlit_app", variant="default", model=model),
    ),
    STREAMLIT_FLOOR: ("streamlit_app", streamlit_floor),
    "flask_app page (gthread)": ("flask_app", lambda model: running_server("flask_app", model=model)),
}


def spread(values: Sequence[float]) -> dict[str, float]:
    """min / median / max, rounded to 0.1."""
    return {
        "min": round(min(values), 1),
        "median": round(statistics.median(values), 1),
        "max": round(max(values), 1),
    }


def submitted_records(model: str) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """The varied feature, the 20 records a page is sent (the example, that number varied), each one's exact answer."""
    predictor = load_model(model)
    validator = Validator(predictor.spec, max_batch=1000)
    feature = browser.varied_feature(predictor.spec).name
    example = predictor.spec.example_record()
    base = example[feature]
    assert isinstance(base, int | float)  # varied_feature is a number
    records = [{**example, feature: base + offset} for offset in range(-10, 10)]
    expected = [expected_answer(predictor, validator, record) for record in records]
    return feature, records, expected


def measure_page(
    name: str, start: Starter, model: str, *, submits: int, repeats: int, people: Sequence[int]
) -> dict[str, Any]:
    """One page: its browser repeats, then each count of people, on one server."""
    feature, records, expected = submitted_records(model)
    hooks = browser.PAGES[name]
    out: dict[str, Any] = {"browser": {}, "people": {}}
    with start(model) as server:
        medians: dict[str, list[float]] = {part: [] for part in browser.PARTS}
        for _ in range(repeats):
            count = browser.WARMUP_SUBMITS + submits
            chosen = [records[i % len(records)] for i in range(count)]
            wanted = [expected[i % len(expected)] for i in range(count)]
            (sample,) = browser.submit_times([(server.base_url, hooks)], chosen, wanted, feature, cores=[])
            if sample.wrong:
                raise RuntimeError(f"{name}: the browser showed wrong answers: {sample.wrong[:2]}")
            for part, times in sample.parts_ms.items():
                medians[part].append(statistics.median(times))
        out["browser"] = {f"{part}_ms": spread(values) for part, values in medians.items()}
        for count in people:
            idle = resources.rss_bytes(server.pid)[0]
            with resources.PeakRss(server.pid) as peak:
                load = _people(name, server.base_url, records, expected, count)
            out["people"][str(count)] = {
                "submits_per_s": round(load.throughput, 1),
                "median_ms": round(load.percentile_us(50) / 1000, 1),
                "wrong_or_failed": load.non_200 + load.errors,
                "mib_per_person": round(mib_per_person(idle, peak.peak, count), 2),
            }
    return out


def _people(
    name: str, url: str, records: Sequence[dict[str, Any]], expected: Sequence[dict[str, Any]], count: int
) -> LoadSample:
    if name == "streamlit_app":
        return run_sessions(url, records, expected, sessions=count, warmup_s=WARMUP_S, measure_s=MEASURE_S)
    return run_people(url, records, expected, people=count, warmup_s=WARMUP_S, measure_s=MEASURE_S)


def _print(label: str, figures: dict[str, Any]) -> None:
    parts = "  ".join(
        f"{part.removesuffix('_ms')} {s['median']:.0f} [{s['min']:.0f}-{s['max']:.0f}]"
        for part, s in figures["browser"].items()
    )
    print(f"{label:<32} click → (ms, median [min-max] of repeats' medians): {parts}", flush=True)
    for count, row in figures["people"].items():
        print(
            f"{'':<32} {count} at once: {row['submits_per_s']:.1f} submits/s, median {row['median_ms']:.1f} ms, "
            f"{row['mib_per_person']:.2f} MiB/person, {row['wrong_or_failed']} wrong or failed",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Measure every page and write the results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages", description=__doc__)
    parser.add_argument("--submits", type=int, default=20, help="measured browser submits per repeat")
    parser.add_argument("--repeats", type=int, default=3, help="browser repeats per page")
    parser.add_argument("--people", default="1,4", help="counts of people submitting at once")
    parser.add_argument("--model", default=None, help="model name or path (default: SERVEBENCH_MODEL)")
    parser.add_argument("--only", choices=sorted(PAGES), action="append", help="measure only this page")
    args = parser.parse_args(argv)
    model = args.model or load_settings().MODEL
    people = [int(part) for part in args.people.split(",")]
    results: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(), "model": model, "pages": {}}
    for label in args.only or PAGES:
        name, start = PAGES[label]
        print(f"{label}: {args.repeats} x {args.submits} submits, people {people} ...", flush=True)
        figures = measure_page(name, start, model, submits=args.submits, repeats=args.repeats, people=people)
        figures["load_average"] = round(os.getloadavg()[0], 2)
        results["pages"][label] = figures
        _print(label, figures)
        print(f"{'':<32} load average {figures['load_average']}", flush=True)
    results["lines_by_language"] = {
        name: page_lines(REPO_ROOT / name) for name in ("streamlit_app", "flask_app")
    }
    print(f"code lines each page takes, by language: {results['lines_by_language']}")
    OUT.mkdir(exist_ok=True)
    path = OUT / f"pages-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
