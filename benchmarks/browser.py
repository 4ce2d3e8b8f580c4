"""A real-browser cross-check of the Streamlit figures: Debian's Chromium, driven by Playwright, submits the form.

The websocket driver (`streamlit_load`) gives the server's time; this gives what a person sees, click to rendered
result, including the browser's own rendering. Each submit changes one numeric feature, so every result differs
from the one before; the time runs from the click until the result container shows a new answer, which is then
compared whole with the in-process prediction.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Page, sync_playwright

from benchmarks import affinity
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
# True once the result container's text is present and differs from the text before the click.
CHANGED = """([selector, before]) => {
    const shown = document.querySelector(selector);
    return shown !== null && shown.innerText.length > 0 && shown.innerText !== before;
}"""


@dataclass(slots=True)
class BrowserSample:
    """Click-to-result times of the measured submits, and the submits whose shown answer was wrong."""

    submit_ms: list[float] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)


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
    base_url: str,
    records: Sequence[dict[str, Any]],
    expected: Sequence[dict[str, Any]],
    feature: str,
    cores: Sequence[int],
) -> BrowserSample:
    """Submit each record's value of `feature` (the form keeps its examples elsewhere); time click → new result."""
    sample = BrowserSample()
    pinned = affinity.pin_self(cores)  # Chromium and the Playwright driver inherit the generator's cores
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_FLAGS))
            try:
                page = browser.new_page()
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(base_url)
                page.get_by_role("button", name="Predict").wait_for()
                for index, (record, want) in enumerate(zip(records, expected, strict=True)):
                    elapsed_ms, shown = _submit(page, feature, record[feature])
                    if index < WARMUP_SUBMITS:
                        continue
                    sample.submit_ms.append(elapsed_ms)
                    if shown != want:
                        sample.wrong.append(
                            f"{feature}={record[feature]!r}: shown {shown!r}, expected {want!r}"
                        )
            finally:
                browser.close()
    finally:
        if pinned:
            affinity.unpin_self()
    return sample


def _submit(page: Page, feature: str, value: Any) -> tuple[float, object]:
    result = page.locator(RESULT)
    before = result.inner_text() if result.count() else ""
    page.locator(f".st-key-{feature} input").fill(repr(value))
    started = time.perf_counter()
    page.get_by_role("button", name="Predict").click()
    page.wait_for_function(CHANGED, arg=[RESULT, before], polling="raf")
    elapsed_ms = (time.perf_counter() - started) * 1000
    return elapsed_ms, shown_json(result.inner_text())


def shown_json(text: str) -> object:
    """st.json's viewer text as JSON: it shows one entry per line, without the commas."""
    lines = text.split("\n")
    joined = lines[0]
    for previous, line in itertools.pairwise(lines):
        needs_comma = not previous.endswith(("{", "[")) and not line.startswith(("}", "]"))
        joined += ("," if needs_comma else "") + line
    return json.loads(joined)
