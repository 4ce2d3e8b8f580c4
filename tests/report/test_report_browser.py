"""The HTML report of a recorded real run in Chromium with no network: every chart visible; a screenshot is kept."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route

from report.charts import BUILDERS
from report.contents import build
from report.render import write
from report.scoring import DEFAULT_WEIGHTS, parse_weights
from tests.conftest import TEST_ARTIFACTS
from tests.report.recorded import recorded_results

pytestmark = pytest.mark.browser


def test_every_chart_renders_offline(chromium: Browser, tmp_path: Path) -> None:
    report = build(recorded_results(), parse_weights(DEFAULT_WEIGHTS))
    _, html = write(report, tmp_path)
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, offline=True)
    page = context.new_page()
    fetched: list[str] = []

    def refuse(route: Route) -> None:
        fetched.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.goto(html.as_uri())
    charts = page.locator("figure.chart")
    assert charts.count() == len(report.charts) >= len(BUILDERS) - 1  # a 1.1 file: no capacity chart
    for index in range(charts.count()):
        chart = charts.nth(index)
        svg = chart.locator("svg")
        assert svg.is_visible(), chart.get_attribute("data-chart")
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 100
    assert page.locator("blockquote.banner", has_text="QUICK RUN").is_visible()
    assert page.locator("#verdicts").is_visible()
    TEST_ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(TEST_ARTIFACTS / "report.png"), full_page=True)
    assert fetched == []
    context.close()
