"""The built-in models' data: a synthetic loan book from a fixed seed, and scikit-learn's bundled diabetes data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.datasets import load_diabetes

LOAN_SEED = 20261121
LOAN_ROWS = 6000
HOME_OWNERSHIP = ("rent", "own", "mortgage")


@dataclass(frozen=True, slots=True)
class Dataset:
    """Feature matrix in spec column order, target, and where the data came from."""

    features: NDArray[np.object_] | NDArray[np.float64]
    target: NDArray[np.str_] | NDArray[np.float64]
    source: str


def loan_applications(rows: int = LOAN_ROWS, seed: int = LOAN_SEED) -> Dataset:
    """Synthetic loan applications: a realistic approval rule (credit, debt-to-income, tenure) plus noise."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 80, size=rows)
    income = np.round(rng.lognormal(mean=10.9, sigma=0.5, size=rows), 2)
    credit_score = np.clip(np.round(rng.normal(680, 70, size=rows)), 300, 850).astype(np.int64)
    employment_years = np.round(np.minimum(age - 18, rng.gamma(2.0, 3.5, size=rows)), 1)
    loan_amount = np.round(rng.lognormal(mean=9.6, sigma=0.7, size=rows), 2) + 500.0
    home_ownership = rng.choice(HOME_OWNERSHIP, size=rows, p=(0.4, 0.2, 0.4))

    debt_to_income = loan_amount / np.maximum(income, 1.0)
    tenure = np.minimum(employment_years, 20.0)
    housing = np.select([home_ownership == "own", home_ownership == "mortgage"], [0.5, 0.2], default=-0.3)
    retirement_risk = np.maximum(age - 65, 0) * 0.04
    score = (
        0.02 * (credit_score - 660)
        - 6.0 * (debt_to_income - 0.3)
        + 0.08 * tenure
        + housing
        - retirement_risk
        + rng.logistic(0.0, 0.6, size=rows)
    )
    target = np.where(score > 0, "approved", "denied")

    features = np.empty((rows, 6), dtype=object)
    columns: tuple[NDArray[Any], ...] = (
        age,
        income,
        credit_score,
        employment_years,
        loan_amount,
        home_ownership,
    )
    for index, values in enumerate(columns):
        features[:, index] = values.tolist()
    return Dataset(features, target, f"synthetic, numpy default_rng({seed}), {rows} rows")


def diabetes() -> Dataset:
    """scikit-learn's bundled diabetes data in real units (no download)."""
    bunch = load_diabetes(scaled=False)
    return Dataset(
        bunch.data.astype(np.float64), bunch.target.astype(np.float64), "sklearn.datasets.load_diabetes"
    )
