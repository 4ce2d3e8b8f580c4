"""The Flask page under gunicorn behind nginx, driven by Debian's Chromium with JavaScript off: exact answers,
inline errors, a CSV batch and its download, the Swagger UI, and no request leaving the machine."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, FilePayload, Page, Route

from benchmarks.servers import RunningServer, running_server
from shared_model import FeatureType, Predictor, Validator
from shared_model.http import json_bytes, prediction_body
from shared_model.samples import sample_records
from shared_model.spec import Scalar
from shared_model.tabular import cell_text, predict_csv, predictions_csv
from tests.conftest import LOAN_BATCH_CSV, TEST_ARTIFACTS, bits

pytestmark = [pytest.mark.browser, pytest.mark.live]

SCREENSHOT = TEST_ARTIFACTS / "flask-page.png"
TIMEOUT_MS = 30_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    # Two workers: a form served by one must pass the other's CSRF check (one key per run, from the launcher).
    with running_server("flask_app", model="loan", workers=2) as running:
        yield running


class Outside:
    """Every request the page makes is let through only to loopback; anything else is refused and recorded."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.passed = 0

    def __call__(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK_HOSTS:
            self.passed += 1
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


def opened(chromium: Browser, server: RunningServer, path: str, *, javascript: bool) -> Iterator[Page]:
    """A fresh context on `path`; on leaving, no request may have gone beyond loopback."""
    outside = Outside()
    context: BrowserContext = chromium.new_context(
        java_script_enabled=javascript, accept_downloads=True, viewport={"width": 1100, "height": 900}
    )
    context.route("**/*", outside)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server.base_url + path)
        yield page
    finally:
        context.close()
    assert outside.refused == []
    assert outside.passed > 0  # the interception saw the page's own requests, so it was in the way


@pytest.fixture
def page(chromium: Browser, server: RunningServer) -> Iterator[Page]:
    """The page with JavaScript off: it has none, and everything must work without it."""
    yield from opened(chromium, server, "/", javascript=False)


def fill(page: Page, record: Mapping[str, Scalar], loan: Predictor) -> None:
    for feature in loan.spec.features:
        text = cell_text(record[feature.name]) if feature.name in record else ""
        control = page.locator(f"[name='{feature.name}']")
        if feature.type in (FeatureType.CATEGORY, FeatureType.BOOLEAN):
            control.select_option(value=text)
        else:
            control.fill(text)


def test_random_records_show_the_api_s_exact_answer(page: Page, loan: Predictor) -> None:
    validator = Validator(loan.spec, max_batch=1)
    for record in sample_records(loan.spec, 3, seed=14):
        fill(page, record, loan)
        page.get_by_role("button", name="Predict", exact=True).click()
        shown = page.locator("#prediction_result").inner_text()
        expected = prediction_body(loan, loan.predict_one(validator.validate_record(record)))
        assert shown.encode() == json_bytes(expected)
        probabilities = json.loads(shown)["probabilities"]
        assert [bits(p) for p in probabilities.values()] == [
            bits(p) for p in expected["probabilities"].values()
        ]
        assert page.locator("#prediction_errors").count() == 0


def test_bad_fields_show_the_shared_messages_beside_them(page: Page) -> None:
    page.locator("[name='age']").fill("17")
    page.locator("[name='income']").fill("")
    page.locator("[name='home_ownership']").select_option(value="")
    page.get_by_role("button", name="Predict", exact=True).click()
    errors = page.locator("#prediction_errors")
    assert [line for line in errors.inner_text().splitlines() if line] == [
        "The request does not match the model's feature spec.",
        "age: Input should be greater than or equal to 18",
        "income: Field required",
        "home_ownership: Field required",
    ]
    assert page.locator("#error-age").inner_text() == "Input should be greater than or equal to 18"
    assert page.locator("#error-income").inner_text() == "Field required"
    assert page.locator("[name='age']").input_value() == "17"  # the person's text is kept to be corrected
    assert page.locator("#prediction_result").count() == 0


def test_a_csv_batch_lists_problems_and_downloads_exact_predictions(
    page: Page, loan: Predictor, loan_validator: Validator
) -> None:
    upload: FilePayload = {"name": "batch.csv", "mimeType": "text/csv", "buffer": LOAN_BATCH_CSV}
    page.locator("input[type=file]").set_input_files(files=[upload])
    page.get_by_role("button", name="Predict the file").click()
    problems = page.locator("#batch_problems tbody tr").all_inner_texts()
    assert [row.split("\t") for row in problems] == [
        ["row 1 · age", "Input should be greater than or equal to 18", "greater_than_equal"]
    ]
    cells = page.locator("#batch_predictions tbody tr").first.inner_text().split("\t")
    assert cells[:7] == ["0", "35", "73512.123456789", "690", "4.5", "15000.0", "rent"]
    with page.expect_download() as download:
        page.locator("#batch_download").click()
    _, table = predict_csv(LOAN_BATCH_CSV, loan, loan_validator)
    assert table is not None
    assert download.value.suggested_filename == "loan-1.0.0-predictions.csv"
    assert Path(download.value.path()).read_bytes() == predictions_csv(table)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_swagger_ui_documents_the_api_from_local_files(chromium: Browser, server: RunningServer) -> None:
    for docs in opened(chromium, server, "/docs", javascript=True):
        # Swagger UI 5 renders OpenAPI 3.1 (swagger-ui-bundle 1.1.0's 4.15 said "Unable to render this definition").
        docs.locator(".opblock-summary-path[data-path='/v1/predict']").wait_for()
        assert docs.locator(".swagger-ui .info .title").inner_text().startswith("servebench: loan")
        assert docs.locator(".opblock-summary-path[data-path='/v1/predict/batch']").count() == 1
