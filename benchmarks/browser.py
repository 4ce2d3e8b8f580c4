"""Click → rendered result in Debian's Chromium, driven by Playwright, for each page a person uses (Streamlit's app
and the Flask page).

The websocket driver (`streamlit_load`) and the HTTP load generators give the server's time; this gives what a
person sees. Each submit changes one numeric feature, so every answer differs from the one before. The clock is the
page's own: a script installed in every document notes the click event's time, and the time of the first animation
frame after the answer's container holds a new text (the frame that paints it), so neither Playwright's actionability
checks nor its polling are counted. The same script notes when the answer's first and last bytes arrived (Streamlit's
websocket frames; the Flask page's navigation timing), so a submit splits into network + server, and the browser's
own work. Each shown answer is then compared whole with the in-process prediction.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, sync_playwright

from benchmarks import affinity
from benchmarks.targets import SHIPPED_VARIANTS, STREAMLIT, TargetSpec
from shared_model import Feature, FeatureType, ModelSpec
from shared_model.system_tools import tool_path

CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
RESULT = ".st-key-prediction_result [data-testid='stJson']"
TIMEOUT_MS = 30_000
WARMUP_SUBMITS = 2
SUBMIT_LABEL = "Predict"
# The parts of one submit, each in ms from the click: the answer's first byte, its last byte before it was shown,
# the answer in the page's DOM, and the frame that paints it (the figure a person waits for).
PARTS = ("first_byte", "last_byte", "in_dom", "rendered")
# Installed in every document before the page's own scripts (a Flask submit loads a new document, so the click's
# time travels in sessionStorage). Streamlit's answer arrives as websocket frames: each frame's arrival is noted.
CLOCK = """(() => {
    const RESULT = %s, CLICK = "servebench.click", BEFORE = "servebench.before", SHOWN = "servebench.shown";
    const now = () => performance.timeOrigin + performance.now();
    const frames = [];
    const Socket = window.WebSocket;
    window.WebSocket = class extends Socket {
        constructor(...args) { super(...args); this.addEventListener("message", () => frames.push(now())); }
    };
    addEventListener("click", (event) => {
        sessionStorage.setItem(CLICK, String(performance.timeOrigin + event.timeStamp));
    }, true);
    const check = () => {
        const click = Number(sessionStorage.getItem(CLICK));
        const shown = document.querySelector(RESULT);
        if (!click || document.readyState === "loading" || shown === null || !shown.innerText
            || shown.innerText === sessionStorage.getItem(BEFORE)) return;
        sessionStorage.removeItem(CLICK);
        const inDom = now();
        requestAnimationFrame(() => {
            const rendered = now();
            const arrived = frames.filter((t) => t >= click && t <= inDom);
            const nav = performance.getEntriesByType("navigation")[0];
            const first = arrived.length ? arrived[0] : performance.timeOrigin + nav.responseStart;
            const last = arrived.length ? arrived[arrived.length - 1] : performance.timeOrigin + nav.responseEnd;
            const parts = {first_byte: first, last_byte: last, in_dom: inDom, rendered: rendered};
            for (const name in parts) parts[name] -= click;
            sessionStorage.setItem(SHOWN, JSON.stringify(parts));
        });
    };
    new MutationObserver(check).observe(document, {childList: true, subtree: true, characterData: true});
    document.addEventListener("DOMContentLoaded", check);
})()"""
ARM = """([before]) => {
    sessionStorage.setItem("servebench.before", before);
    sessionStorage.removeItem("servebench.shown");
}"""
SHOWN = "sessionStorage.getItem('servebench.shown')"


def shown_json(text: str) -> object:
    """st.json's viewer text as JSON: it shows one entry per line, without the commas."""
    lines = text.split("\n")
    joined = lines[0]
    for previous, line in itertools.pairwise(lines):
        needs_comma = not previous.endswith(("{", "[")) and not line.startswith(("}", "]"))
        joined += ("," if needs_comma else "") + line
    return json.loads(joined)


@dataclass(frozen=True, slots=True)
class PageHooks:
    """Where a page's inputs and answer are, and how its answer's text reads as JSON."""

    input_of: Callable[[str], str]  # a feature's name -> the CSS selector of its input
    result: str  # the CSS selector of the element holding the answer
    answer: Callable[[str], object]


# The Flask page's fixed hooks: each input's `name` is the feature's, the exact JSON body inside #prediction_result.
PAGES = {
    STREAMLIT: PageHooks(lambda name: f".st-key-{name} input", RESULT, shown_json),
    "flask_app": PageHooks(lambda name: f"[name='{name}']", "#prediction_result", json.loads),
}


def measures_page(target: TargetSpec) -> bool:
    """A front end's page for people as shipped, at one worker (Streamlit's defaults: `python -m benchmarks.pages`);
    once per page, not again for the same server sent OIP requests."""
    return (
        target.kind == "front_end"
        and target.protocol == "v1"
        and target.workers == 1
        and target.name in PAGES
        and target.variant == SHIPPED_VARIANTS[target.name]
    )


@dataclass(slots=True)
class BrowserSample:
    """The measured submits' times by part (ms from the click), and the submits whose shown answer was wrong."""

    parts_ms: dict[str, list[float]] = field(default_factory=lambda: {part: [] for part in PARTS})
    wrong: list[str] = field(default_factory=list)

    def add(self, parts: dict[str, float], shown: object, want: object, submitted: str) -> None:
        """One measured submit: its parts, and a wrong answer named by what was submitted."""
        for part in PARTS:
            self.parts_ms[part].append(parts[part])
        if shown != want:
            self.wrong.append(f"{submitted}: shown {shown!r}, expected {want!r}")

    @property
    def submit_ms(self) -> list[float]:
        """Click → the frame that paints the answer, per measured submit."""
        return self.parts_ms["rendered"]


def varied_feature(spec: ModelSpec) -> Feature:
    """The feature the submits change: the first integer feature, else the first number."""
    numeric = [f for f in spec.features if f.type in (FeatureType.INTEGER, FeatureType.NUMBER)]
    if not numeric:
        raise ValueError("the browser cross-check needs a numeric feature to vary")
    return next((f for f in numeric if f.type is FeatureType.INTEGER), numeric[0])


def chromium_path() -> str:
    """Debian's Chromium, or SystemToolMissing naming the make target that installs it."""
    return tool_path("chromium")


def submit_times(
    pages: Sequence[tuple[str, PageHooks]],
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    feature: str,
    *,
    cores: Sequence[int],
    on_submit: Callable[[], None] | None = None,
) -> list[BrowserSample]:
    """Submit each record's value of `feature` on every page in turn; time click → new result, one sample a page.

    Pages are (base URL, hooks), each in its own tab of one Chromium. Submit i of every page is taken moments apart,
    the pages' order flipping from one record to the next, so the host's drifts fall on both alike and submit i
    of two pages pairs (a ratio per submit). The form keeps its examples in the other features.
    """
    samples = [BrowserSample() for _ in pages]
    pinned = affinity.pin_self(cores)  # Chromium and the Playwright driver inherit the generator's cores
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))
            try:
                tabs = [_opened(browser.new_page(), base_url, hooks) for base_url, hooks in pages]
                for index, (record, want) in enumerate(zip(records, expected, strict=True)):
                    order = list(range(len(pages)))
                    for which in order if index % 2 == 0 else order[::-1]:
                        parts, shown = _submit(tabs[which], pages[which][1], feature, record[feature])
                        if index >= WARMUP_SUBMITS:
                            samples[which].add(parts, shown, want, f"{feature}={record[feature]!r}")
                    if on_submit is not None:
                        on_submit()
            finally:
                browser.close()
    finally:
        if pinned:
            affinity.unpin_self()
    return samples


def _opened(page: Page, base_url: str, hooks: PageHooks) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.add_init_script(CLOCK % json.dumps(hooks.result))
    page.goto(base_url)
    page.get_by_role("button", name=SUBMIT_LABEL, exact=True).wait_for()
    return page


def _submit(page: Page, hooks: PageHooks, feature: str, value: Any) -> tuple[dict[str, float], object]:
    result = page.locator(hooks.result)
    page.evaluate(ARM, [result.inner_text() if result.count() else ""])
    page.locator(hooks.input_of(feature)).fill(repr(value))
    page.get_by_role("button", name=SUBMIT_LABEL, exact=True).click()
    page.wait_for_function(f"() => {SHOWN} !== null", polling="raf")
    parts: dict[str, float] = json.loads(page.evaluate(f"() => {SHOWN}"))
    return parts, hooks.answer(page.locator(hooks.result).inner_text())
