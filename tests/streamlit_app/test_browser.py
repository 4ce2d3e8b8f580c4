"""The production Streamlit server driven by Debian's Chromium: fill the form, read the exact result, upload a CSV."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize

from benchmarks.browser import RESULT as RESULT_JSON
from benchmarks.browser import shown_json as shown_text_json
from benchmarks.servers import RunningServer, running_server
from shared_model import Predictor, Validator
from shared_model.tabular import check_csv, prediction_table, predictions_csv
from tests.conftest import LOAN_BATCH_CSV, bits

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Streamlit scrolls an inner container, so a full-page screenshot is only the viewport: make the viewport tall.
VIEWPORT: ViewportSize = {"width": 1280, "height": 2400}
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-artifacts" / "streamlit.png"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with running_server("streamlit_app", model="loan") as running:
        yield running


@pytest.fixture
def page(chromium: Browser, server: RunningServer) -> Iterator[Page]:
    context = chromium.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(server.base_url)
    page.get_by_role("button", name="Predict").wait_for()
    yield page
    context.close()


def shown_json(page: Page) -> object:
    """The result shown, as JSON."""
    return shown_text_json(page.locator(RESULT_JSON).inner_text())


def grid_cells(page: Page, container: str) -> list[str]:
    """The texts of a st.dataframe's cells (glide's accessible table; columns beyond the width are virtualised)."""
    return page.locator(f".st-key-{container} table [role=gridcell]").all_inner_texts()


def test_a_person_predicts_a_record_and_a_batch(
    page: Page, loan: Predictor, loan_validator: Validator
) -> None:
    record = {
        "age": 35,
        "income": 73512.123456789,
        "credit_score": 701,
        "employment_years": 7.25,
        "loan_amount": 15000.0,
        "home_ownership": "mortgage",
    }
    page.locator(".st-key-income input").fill("73512.123456789")
    page.locator(".st-key-credit_score input").fill("701")
    page.locator(".st-key-employment_years input").fill("7.25")
    page.get_by_role("combobox", name="home_ownership").click()
    page.get_by_role("option", name="mortgage").click()
    page.get_by_role("button", name="Predict").click()
    page.locator(RESULT_JSON).wait_for()
    expected = loan.predict_one(loan_validator.validate_record(record))
    body = shown_json(page)
    assert body == {**expected.as_dict(), "model": "loan", "version": loan.version}
    assert isinstance(body, dict)
    assert expected.probabilities is not None
    assert [bits(p) for p in body["probabilities"].values()] == [
        bits(p) for p in expected.probabilities.values()
    ]

    upload: FilePayload = {"name": "batch.csv", "mimeType": "text/csv", "buffer": LOAN_BATCH_CSV}
    page.locator(".st-key-batch_csv input[type=file]").set_input_files(files=[upload])
    page.locator(".st-key-batch_predictions table [role=gridcell]").first.wait_for(state="attached")
    assert grid_cells(page, "batch_problems") == [
        "row 1 · age",
        "Input should be greater than or equal to 18",
        "greater_than_equal",
    ]
    # The index (row number) and the inputs, as the browser renders them; the rest is checked in the download.
    assert grid_cells(page, "batch_predictions")[:12] == [
        "0",
        "35",
        "73512.123456789",
        "690",
        "4.5",
        "15000",
        "2",
        "61",
        "0.1",
        "849",
        "59.99999999999999",
        "1e-300",
    ]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download predictions").click()
    checked = check_csv(LOAN_BATCH_CSV, loan_validator)
    table = prediction_table(loan.spec, checked, loan.predict(checked.rows), loan.classes)
    assert Path(download.value.path()).read_bytes() == predictions_csv(table)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_a_cleared_field_shows_the_validator_s_message(page: Page) -> None:
    page.locator(".st-key-age input").fill("")
    page.get_by_role("button", name="Predict").click()
    alert = page.locator("[data-testid='stAlertContentError']")
    alert.wait_for()
    assert alert.inner_text() == "These inputs do not match the model's feature spec:\n\nage: Field required"
    assert page.locator(RESULT_JSON).count() == 0
