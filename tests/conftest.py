"""Fixtures shared by every test: the built-in models, loaded once per session from `artifacts/`."""

from __future__ import annotations

import pytest

from shared_model import BUILTIN_MODELS, Predictor, Validator, load_model


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
