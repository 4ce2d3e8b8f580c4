"""Train the built-in models deterministically: `python -m shared_model.train --all`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from shared_model import datasets
from shared_model.artifacts import ARTIFACTS_DIR, BUILTIN_MODELS, STORE_MODELS, ArtifactPaths, write_artifacts
from shared_model.spec import ModelSpec, load_spec

SPECS_DIR = Path(__file__).resolve().parent / "specs"
SPLIT_SEED = 7
TEST_FRACTION = 0.25


@dataclass(frozen=True, slots=True)
class Recipe:
    """How one built-in model is made: its data, its pipeline, and how it is scored."""

    dataset: Callable[[], datasets.Dataset]
    pipeline: Callable[[ModelSpec], Pipeline]
    score: Callable[[Pipeline, Any, Any], dict[str, float]]
    stratify: bool


def loan_pipeline(spec: ModelSpec) -> Pipeline:
    """Scale the numbers, one-hot the category (with the spec's own categories), then logistic regression."""
    category = spec.feature("home_ownership")
    numeric = [index for index, feature in enumerate(spec.features) if feature.type.is_numeric]
    preprocess = ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            (
                "category",
                OneHotEncoder(categories=[list(category.enum or ())]),
                [spec.features.index(category)],
            ),
        ]
    )
    return Pipeline([("preprocess", preprocess), ("classifier", LogisticRegression(C=1.0, max_iter=1000))])


def diabetes_pipeline(spec: ModelSpec) -> Pipeline:
    """Gradient-boosted trees; scaling is kept so the pipeline shape matches the loan model's."""
    booster = GradientBoostingRegressor(n_estimators=200, max_depth=3, learning_rate=0.05, random_state=0)
    return Pipeline([("scale", StandardScaler()), ("regressor", booster)])


def classification_scores(model: Pipeline, features: Any, target: Any) -> dict[str, float]:
    probabilities = model.predict_proba(features)
    positive = list(model.classes_).index("approved")
    return {
        "accuracy": round(float(accuracy_score(target, model.predict(features))), 6),
        "roc_auc": round(float(roc_auc_score(target == "approved", probabilities[:, positive])), 6),
        "log_loss": round(float(log_loss(target, probabilities, labels=model.classes_)), 6),
    }


def regression_scores(model: Pipeline, features: Any, target: Any) -> dict[str, float]:
    predicted = model.predict(features)
    return {
        "r2": round(float(r2_score(target, predicted)), 6),
        "mae": round(float(mean_absolute_error(target, predicted)), 6),
        "rmse": round(float(root_mean_squared_error(target, predicted)), 6),
    }


RECIPES: dict[str, Recipe] = {
    "loan": Recipe(datasets.loan_applications, loan_pipeline, classification_scores, stratify=True),
    "diabetes": Recipe(datasets.diabetes, diabetes_pipeline, regression_scores, stratify=False),
    # The same loan book and pipeline; its account aggregates are served from the feature store.
    "loan_store": Recipe(datasets.loan_applications, loan_pipeline, classification_scores, stratify=True),
}
TRAINED_MODELS = (*BUILTIN_MODELS, *STORE_MODELS)


def train(
    name: str, artifacts_dir: Path = ARTIFACTS_DIR, progress: Callable[[str], None] = lambda _: None
) -> Path:
    """Train one built-in model and write `artifacts/<name>/`; return the artifact's path."""
    recipe = RECIPES[name]
    spec_path = SPECS_DIR / f"{name}.spec.toml"
    spec = load_spec(spec_path)
    progress("data")
    data = recipe.dataset()
    train_x, test_x, train_y, test_y = train_test_split(
        data.features,
        data.target,
        test_size=TEST_FRACTION,
        random_state=SPLIT_SEED,
        stratify=data.target if recipe.stratify else None,
    )
    progress("fit")
    model = recipe.pipeline(spec).fit(train_x, train_y)
    progress("score")
    metrics = recipe.score(model, test_x, test_y)
    progress("write")
    paths = ArtifactPaths(artifacts_dir / name, name)
    training = {
        "data": data.source,
        "rows": int(np.shape(data.features)[0]),
        "test_fraction": TEST_FRACTION,
        "split_seed": SPLIT_SEED,
        "pipeline": repr(model),
    }
    write_artifacts(
        model,
        spec,
        paths,
        spec_text=spec_path.read_text(encoding="utf-8"),
        metrics=metrics,
        training=training,
    )
    if spec.entity is not None:
        write_store_rows(spec, data.features, paths.store_rows)
    return paths.artifact


def write_store_rows(spec: ModelSpec, features: Any, path: Path) -> None:
    """Every training row as one entity of the store (keys 1, 2, ...), its stored features only, in key order."""
    assert spec.entity is not None
    columns = [(feature.name, spec.features.index(feature)) for feature in spec.store_features]
    lines = [
        json.dumps({spec.entity.name: key, **{name: row[index] for name, index in columns}})
        for key, row in enumerate(np.asarray(features).tolist(), start=1)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


STEPS = ("data", "fit", "score", "write")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--all", action="store_true", help="train every built-in model")
    group.add_argument(
        "--model", choices=TRAINED_MODELS, action="append", help="train this model (repeatable)"
    )
    parser.add_argument(
        "--out", type=Path, default=ARTIFACTS_DIR, help="artifacts folder (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    names: list[str] = list(TRAINED_MODELS) if args.all else args.model
    columns = (
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.fields[step]:<6}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        for name in names:
            task = bar.add_task(name, total=len(STEPS), step="")

            def advance(step: str, task: Any = task) -> None:
                bar.update(task, advance=0 if step == STEPS[0] else 1, step=step)

            artifact = train(name, args.out, advance)
            bar.update(task, completed=len(STEPS), step="done")
            bar.console.print(f"  {name}: {artifact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
