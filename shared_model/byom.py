"""Bring your own model: `python -m shared_model.byom MODEL.joblib|MODEL.skops [--sample data.csv]`.

Writes `<stem>.spec.toml` and `<stem>.manifest.json` beside the artifact, inferring feature names from
`feature_names_in_`, and types, bounds and categories from a sample of the training data when given, and tries
converting the model to ONNX (`<stem>.onnx`, for `SERVEBENCH_RUNTIME=onnx`); then
`SERVEBENCH_MODEL=path/to/MODEL.joblib` selects the model for every front end, test and benchmark.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from shared_model import secure_format
from shared_model.artifacts import load_model, resolve, write_manifest
from shared_model.errors import ServeError
from shared_model.settings import load_settings
from shared_model.spec import Feature, FeatureType, ModelSpec, Task
from shared_model.validation import Validator

MAX_CATEGORIES = 50
SMOKE_ROWS = 5


@dataclass(frozen=True, slots=True)
class Inference:
    """The spec inferred for a user's model, and what a person should check before trusting it."""

    spec: ModelSpec
    review: list[str] = field(default_factory=list)


def infer_spec(
    model: Any, name: str, sample: pd.DataFrame | None = None, version: str = "1.0.0"
) -> Inference:
    """Infer a feature spec from a fitted estimator and, optionally, a sample of its training data."""
    review: list[str] = []
    names = _feature_names(model, sample, review)
    task = (
        Task.CLASSIFICATION
        if hasattr(model, "predict_proba") and hasattr(model, "classes_")
        else Task.REGRESSION
    )
    if sample is not None:
        missing = [column for column in names if column not in sample.columns]
        if missing:
            raise ValueError(f"the sample has no column for features {missing}")
    features = tuple(
        _infer_feature(column, sample[column] if sample is not None else None, review) for column in names
    )
    if sample is None:
        review.append(
            "No --sample given: every feature is typed `number` with no bounds; set types and ranges."
        )
    review.append("Write a `description` and `unit` for each feature: the forms and API docs show them.")
    spec = ModelSpec(name=name, version=version, task=task, features=features, description=None)
    return Inference(spec, review)


def _feature_names(model: Any, sample: pd.DataFrame | None, review: list[str]) -> list[str]:
    fitted = getattr(model, "feature_names_in_", None)
    if fitted is not None:
        return [str(column) for column in fitted.tolist()]
    count = getattr(model, "n_features_in_", None)
    if sample is not None and (count is None or count == len(sample.columns)):
        review.append(
            "The model was fitted without column names: feature order is taken from the sample's columns."
        )
        return [str(column) for column in sample.columns]
    if count is None:
        raise ValueError(
            "the model has neither feature_names_in_ nor n_features_in_; give --sample with its columns"
        )
    review.append(
        f"The model was fitted without column names: features are named x0..x{count - 1}; rename them."
    )
    return [f"x{index}" for index in range(count)]


def _infer_feature(name: str, column: pd.Series[Any] | None, review: list[str]) -> Feature:
    if column is None:
        return Feature(name=name, type=FeatureType.NUMBER)
    values = column.dropna()
    required = len(values) == len(column)
    if not required:
        review.append(
            f"{name}: the sample has missing values, so it is optional; check the model imputes them."
        )
    if pd.api.types.is_bool_dtype(column):
        return Feature(name=name, type=FeatureType.BOOLEAN, required=required, example=bool(values.iloc[0]))
    if pd.api.types.is_numeric_dtype(column):
        integer = pd.api.types.is_integer_dtype(column) or bool((values == np.round(values)).all())
        kind = FeatureType.INTEGER if integer else FeatureType.NUMBER
        low, high = _python(values.min(), integer), _python(values.max(), integer)
        median = _python(values.median() if not integer else round(float(values.median())), integer)
        review.append(f"{name}: bounds [{low}, {high}] are the sample's range; widen them to what is valid.")
        return Feature(name=name, type=kind, required=required, minimum=low, maximum=high, example=median)
    categories = sorted({str(value) for value in values})
    if len(categories) > MAX_CATEGORIES:
        review.append(f"{name}: {len(categories)} distinct values; is this really a category?")
    return Feature(
        name=name, type=FeatureType.CATEGORY, required=required, enum=tuple(categories), example=categories[0]
    )


def _python(value: Any, integer: bool) -> float:
    return int(value) if integer else float(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared_model.byom", description=__doc__.splitlines()[0])
    parser.add_argument(
        "artifact",
        type=Path,
        help="a fitted scikit-learn estimator saved with joblib (.joblib) or skops (.skops)",
    )
    parser.add_argument(
        "--sample", type=Path, help="CSV with a sample of the training data (columns = features)"
    )
    parser.add_argument("--name", help="model name (default: the artifact's file name)")
    parser.add_argument("--version", default="1.0.0", help="model version (default: %(default)s)")
    args = parser.parse_args(argv)
    console = Console()
    paths = resolve(args.artifact)
    if not paths.artifact.is_file():
        console.print(f"[red]error:[/] no such file {paths.artifact}")
        return 2
    trusted = load_settings().SKOPS_TRUSTED
    try:
        model = _load_users_model(paths.artifact, trusted)
    except ServeError as error:
        console.print(f"[red]error:[/] {error.message}")
        return 1
    # pandas 3 parses floats round-trip by default (its float_precision argument is deprecated).
    sample = pd.read_csv(args.sample) if args.sample else None
    inference = infer_spec(model, args.name or paths.stem, sample, args.version)
    paths.spec.write_text(inference.spec.to_toml(), encoding="utf-8")
    manifest = write_manifest(model, inference.spec, paths, training={"source": "bring your own model"})
    _print_summary(console, inference, paths.spec, paths.manifest, manifest.sha256)
    console.print(f"ONNX (SERVEBENCH_RUNTIME=onnx): {manifest.onnx.get('refused') or manifest.onnx}")
    try:
        predictor = load_model(paths.artifact, trusted=trusted)
        if sample is not None:
            # Prove the spec fits the model: the sample's first rows go through validation and prediction.
            records = json.loads(sample.head(SMOKE_ROWS).to_json(orient="records"))
            predictor.predict(Validator(inference.spec, SMOKE_ROWS).validate_records(records))
    except ServeError as error:
        console.print(f"[red]The written files do not serve:[/] {error.message} {error.details or ''}")
        return 1
    console.print(
        f"\nNext: SERVEBENCH_MODEL={paths.artifact} make run-fastapi   (or run-flask, run-streamlit, test, bench)"
    )
    return 0


def _load_users_model(path: Path, trusted: tuple[str, ...]) -> Any:
    if path.suffix == secure_format.SKOPS_SUFFIX:
        return secure_format.loads(path.read_bytes(), trusted)
    # The user's own file, which they vouch for: unpickled once to inspect it, then pinned by its sha256.
    return joblib.load(path)


def _print_summary(console: Console, inference: Inference, spec: Path, manifest: Path, sha256: str) -> None:
    table = Table(title=f"{inference.spec.name} ({inference.spec.task.value})")
    for column in ("feature", "type", "required", "bounds / categories", "example"):
        table.add_column(column)
    for feature in inference.spec.features:
        card = feature.as_dict()
        bounds = card.get("enum") or [card.get("minimum"), card.get("maximum")]
        table.add_row(
            feature.name, feature.type.value, str(feature.required), str(bounds), repr(feature.example)
        )
    console.print(table)
    console.print(f"wrote {spec}\nwrote {manifest} (sha256 {sha256[:12]}…)")
    console.print("\n[bold]Review before serving:[/]")
    for item in inference.review:
        console.print(f"  • {item}")


if __name__ == "__main__":
    sys.exit(main())
