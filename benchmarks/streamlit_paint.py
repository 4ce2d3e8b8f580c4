"""`python -m benchmarks.streamlit_paint [--rounds N] [PAGE ...]`: where Streamlit's click → painted answer goes.

Each PAGE is `shipped` (streamlit_app as shipped) or `floor` with parts of the shipped page put back, e.g.
`floor+fragment+card` (`streamlit_floor_app.PARTS`). All pages are open at once, one browser context each, and
submitted round-robin with the order rotated every round, so a busy machine's drift falls on all of them alike.
Per page: the median of each part of a submit (`browser.PARTS`, plus the click → the form's websocket send), the
browser main thread's script time per submit (DevTools' ScriptDuration), and the median paired difference to the
first page with how many rounds it was faster. Every answer shown is compared whole with the in-process one.
Writes `benchmarks/results/streamlit-paint-<UTC timestamp>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from playwright.sync_api import CDPSession, Page, sync_playwright

from benchmarks import browser
from benchmarks.pages import OUT, streamlit_floor, submitted_records
from benchmarks.servers import RunningServer, running_server
from shared_model import load_settings

# The shipped page's parts the floor app puts back when its URL asks `?with=part,part` (streamlit_floor_app.py).
FLOOR_PARTS = ("fragment", "card", "batch", "answer")
SHIPPED_PAGE = "shipped"
FLOOR_PAGE = "floor"
DEFAULT_PAGES = ("shipped", "floor", "floor+fragment", "floor+fragment+card", "floor+fragment+answer")
# Notes the time the page hands its first websocket message to the socket after a click: the form's submit.
SEND_CLOCK = """(() => {
    const send = WebSocket.prototype.send;
    addEventListener("click", (event) => {
        window.servebenchClick = performance.timeOrigin + event.timeStamp;
        window.servebenchSent = null;
    }, true);
    WebSocket.prototype.send = function (data) {
        if (window.servebenchSent === null) window.servebenchSent = performance.timeOrigin + performance.now();
        return send.call(this, data);
    };
})()"""
SENT = "() => window.servebenchSent - window.servebenchClick"
MEASURES = ("sent", *browser.PARTS, "script")


@dataclass(slots=True)
class OpenPage:
    """One page under test: its browser tab, its DevTools session and what each measured submit took."""

    name: str
    page: Page
    devtools: CDPSession
    times: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in MEASURES})
    wrong: int = 0

    def script_s(self) -> float:
        """The main thread's script time so far, in seconds (DevTools' ScriptDuration)."""
        metrics = self.devtools.send("Performance.getMetrics")["metrics"]
        return float(next(m["value"] for m in metrics if m["name"] == "ScriptDuration"))


def page_url(name: str, servers: dict[str, RunningServer]) -> str:
    """The URL of a page: the shipped app, or the floor app with the named parts put back."""
    if name == SHIPPED_PAGE:
        return servers[SHIPPED_PAGE].base_url
    base, *parts = name.split("+")
    unknown = [part for part in parts if part not in FLOOR_PARTS]
    if base != FLOOR_PAGE or unknown:
        raise ValueError(f"unknown page {name!r}: shipped, or floor[+{'+'.join(FLOOR_PARTS)}]")
    return servers[FLOOR_PAGE].base_url + (f"/?with={','.join(parts)}" if parts else "")


@contextmanager
def running_pages(names: Sequence[str], model: str) -> Iterator[dict[str, RunningServer]]:
    """The shipped app's server and the floor app's, each started once however many pages use it."""
    with ExitStack() as stack:
        servers = {}
        if SHIPPED_PAGE in names:
            servers[SHIPPED_PAGE] = stack.enter_context(running_server("streamlit_app", model=model))
        if any(name != SHIPPED_PAGE for name in names):
            servers[FLOOR_PAGE] = stack.enter_context(streamlit_floor(model))
        yield servers


def measure(names: Sequence[str], model: str, rounds: int) -> tuple[list[OpenPage], list[float]]:
    """Open every page, then submit `rounds` (after the warm-up) round-robin; return the pages and load averages."""
    feature, records, expected = submitted_records(model)
    hooks = browser.PAGES["streamlit_app"]
    loads = []
    with running_pages(names, model) as servers, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=browser.chromium_path(), args=list(browser.CHROMIUM_FLAGS)
        )
        try:
            pages = []
            for name in names:
                page = chromium.new_context().new_page()
                page.set_default_timeout(browser.TIMEOUT_MS)
                page.add_init_script(SEND_CLOCK)
                page.add_init_script(browser.CLOCK % json.dumps(hooks.result))
                page.goto(page_url(name, servers))
                page.get_by_role("button", name=browser.SUBMIT_LABEL, exact=True).wait_for()
                devtools = page.context.new_cdp_session(page)
                devtools.send("Performance.enable")
                pages.append(OpenPage(name, page, devtools))
            for turn in range(browser.WARMUP_SUBMITS + rounds):
                shift = turn % len(pages)
                for index, open_page in enumerate(pages[shift:] + pages[:shift]):
                    record = (turn * len(pages) + index) % len(records)
                    _submit(open_page, hooks, feature, records[record], expected[record], turn=turn)
                loads.append(os.getloadavg()[0])
        finally:
            chromium.close()
    return pages, loads


def _submit(
    open_page: OpenPage,
    hooks: browser.PageHooks,
    feature: str,
    record: dict[str, Any],
    want: dict[str, Any],
    *,
    turn: int,
) -> None:
    page = open_page.page
    page.bring_to_front()
    result = page.locator(hooks.result)
    page.evaluate(browser.ARM, [result.inner_text() if result.count() else ""])
    script_before = open_page.script_s()
    page.locator(hooks.input_of(feature)).fill(repr(record[feature]))
    page.get_by_role("button", name=browser.SUBMIT_LABEL, exact=True).click()
    page.wait_for_function(f"() => {browser.SHOWN} !== null", polling="raf")
    parts: dict[str, float] = json.loads(page.evaluate(f"() => {browser.SHOWN}"))
    if hooks.answer(page.locator(hooks.result).inner_text()) != want:
        open_page.wrong += 1
    if turn < browser.WARMUP_SUBMITS:
        return
    parts["sent"] = page.evaluate(SENT)
    parts["script"] = (open_page.script_s() - script_before) * 1000
    for measure_name in MEASURES:
        open_page.times[measure_name].append(parts[measure_name])


def summary(pages: Sequence[OpenPage]) -> dict[str, Any]:
    """Per page: each measure's median, and the median paired difference of click → painted to the first page."""
    first = pages[0].times["rendered"]
    out = {}
    for open_page in pages:
        rendered = open_page.times["rendered"]
        out[open_page.name] = {
            **{f"{m}_ms": round(statistics.median(open_page.times[m]), 1) for m in MEASURES},
            f"rendered_minus_{pages[0].name}_ms": round(
                statistics.median(a - b for a, b in zip(rendered, first, strict=True)), 1
            ),
            "rounds_faster": sum(a < b for a, b in zip(rendered, first, strict=True)),
            "wrong": open_page.wrong,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure the pages interleaved, print the table, write the results file."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.streamlit_paint", description=__doc__)
    parser.add_argument(
        "pages", nargs="*", default=list(DEFAULT_PAGES), help="pages; the first is the reference"
    )
    parser.add_argument("--rounds", type=int, default=40, help="measured submits per page")
    parser.add_argument("--model", default=None, help="model name or path (default: SERVEBENCH_MODEL)")
    args = parser.parse_args(argv)
    model = args.model or load_settings().MODEL
    pages, loads = measure(args.pages, model, args.rounds)
    figures = summary(pages)
    print(f"{args.rounds} rounds, load average {min(loads):.1f}-{max(loads):.1f} (ms, medians)")
    print(f"{'page':<30} " + " ".join(f"{m:>10}" for m in MEASURES) + f"  vs {pages[0].name}  faster  wrong")
    for name, row in figures.items():
        cells = " ".join(f"{row[f'{m}_ms']:>10.1f}" for m in MEASURES)
        delta = row[f"rendered_minus_{pages[0].name}_ms"]
        print(
            f"{name:<30} {cells}  {delta:>+8.1f}  {row['rounds_faster']:>3}/{args.rounds}  {row['wrong']:>5}"
        )
    if any(row["wrong"] for row in figures.values()):
        print("wrong answers shown: the figures are not valid")
        return 1
    OUT.mkdir(exist_ok=True)
    path = OUT / f"streamlit-paint-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    document = {
        "started_at": datetime.now(UTC).isoformat(),
        "model": model,
        "rounds": args.rounds,
        "load_average": [min(loads), max(loads)],
        "pages": figures,
        "times_ms": {p.name: p.times for p in pages},
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
