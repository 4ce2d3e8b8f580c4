"""A user's model that is not built in: the loan spec with one more feature, retrained, written to a folder."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from shared_model import Feature, FeatureType, load_spec
from shared_model.artifacts import ArtifactPaths, write_artifacts
from shared_model.datasets import loan_applications
from shared_model.train import SPECS_DIR

NEW_FEATURE = Feature(
    name="has_cosigner",
    type=FeatureType.BOOLEAN,
    required=True,
    description="Whether someone co-signs the loan.",
    example=False,
)
NAME = "loan_cosigned"
ROWS = 1500
SEED = 3


def build_loan_with_new_feature(directory: Path) -> Path:
    """Write `<directory>/loan_cosigned.{joblib,spec.toml,manifest.json}` and return the `.joblib` path."""
    base = load_spec(SPECS_DIR / "loan.spec.toml")
    spec = dataclasses.replace(base, name=NAME, features=(*base.features, NEW_FEATURE))
    data = loan_applications(rows=ROWS)
    cosigned = np.random.default_rng(SEED).random(ROWS) < 0.3
    features = np.empty((ROWS, len(spec.features)), dtype=object)
    features[:, :-1] = data.features
    features[:, -1] = cosigned.tolist()
    # A co-signer turns some denials into approvals, so the new feature matters to the model.
    target = np.where(
        cosigned & (np.random.default_rng(SEED + 1).random(ROWS) < 0.5), "approved", data.target
    )
    numeric = [index for index, feature in enumerate(spec.features) if feature.type.is_numeric]
    category = spec.features.index(spec.feature("home_ownership"))
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            (
                "category",
                OneHotEncoder(categories=[list(spec.feature("home_ownership").enum or ())]),
                [category],
            ),
            ("flag", "passthrough", [len(spec.features) - 1]),
        ],
        sparse_threshold=0.0,
    )
    model = Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression(max_iter=1000))])
    model.fit(features, target)
    paths = ArtifactPaths(directory, NAME)
    write_artifacts(
        model, spec, paths, metrics={"train_accuracy": round(float(model.score(features, target)), 6)}
    )
    return paths.artifact
