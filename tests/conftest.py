"""Fixtures shared by every test: the built-in models, loaded once per session from `artifacts/`."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from benchmarks.browser import CHROMIUM_FLAGS, chromium_path
from shared_model import BUILTIN_MODELS, Predictor, Validator, load_model
from shared_model.system_tools import SystemToolMissing

# One valid loan record, written out so tests read plainly (it is the loan spec's example record).
LOAN_RECORD = {
    "age": 35,
    "income": 58000.0,
    "credit_score": 690,
    "employment_years": 4.5,
    "loan_amount": 15000.0,
    "home_ownership": "rent",
}
# A loan CSV batch for the pages' browser tests: a good row, a row under age's minimum, a row of edge values.
LOAN_BATCH_CSV = (
    b"age,income,credit_score,employment_years,loan_amount,home_ownership\n"
    b"35,73512.123456789,690,4.5,15000.0,rent\n"
    b"17,58000.0,690,4.5,15000.0,rent\n"
    b"61,0.1,849,59.99999999999999,1e-300,mortgage\n"
)


def bits(value: float) -> bytes:
    """A float's 8 bytes, so that two floats compare bit for bit."""
    return struct.pack("<d", value)


@pytest.fixture(scope="session", params=BUILTIN_MODELS)
def predictor(request: pytest.FixtureRequest) -> Predictor:
    """Each built-in model in turn (run `make models` first; `make test` does)."""
    return load_model(request.param)


@pytest.fixture(scope="session")
def loan() -> Predictor:
    return load_model("loan")


@pytest.fixture(scope="session")
def diabetes() -> Predictor:
    return load_model("diabetes")


@pytest.fixture(scope="session")
def loan_validator(loan: Predictor) -> Validator:
    return Validator(loan.spec, max_batch=1000)


TEST_ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium under Playwright, one per test module (Playwright's sync API owns the thread's event loop
    while it runs, so it is kept out of the way of modules that use asyncio)."""
    try:
        path = chromium_path()
    except SystemToolMissing as missing:
        pytest.fail(str(missing))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_FLAGS))
        yield browser
        browser.close()
