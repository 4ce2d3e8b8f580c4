"""`python -m benchmarks.user_model [--out DIR]`: a user's model, brought the way README says a user brings one.

A random forest fitted on a DataFrame of scikit-learn's bundled breast-cancer data (30 measurements, no download),
saved with joblib, then described by `python -m shared_model.byom` from a CSV sample: its spec, manifest and ONNX
conversion. Neither built-in model is a forest or a classifier of 30 features, so its levers are a third case;
`make levers MODEL=<printed path>` measures them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import joblib
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from shared_model.byom import main as byom

NAME = "breast_cancer"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "artifacts" / "user"
TREES = 100
DEPTH = 8


def fitted() -> tuple[Pipeline, pd.DataFrame]:
    """The pipeline fitted on every row, and the rows it was fitted on (the sample byom infers bounds from)."""
    data = load_breast_cancer(as_frame=True)
    frame: pd.DataFrame = data.frame.drop(columns="target")
    labels = data.target.map(
        dict(enumerate(data.target_names))
    )  # "malignant" / "benign", as a user keeps them
    forest = RandomForestClassifier(n_estimators=TREES, max_depth=DEPTH, random_state=0, n_jobs=1)
    return Pipeline([("scale", StandardScaler()), ("forest", forest)]).fit(frame, labels), frame


def build(out: Path) -> Path:
    """Write `<out>/breast_cancer.joblib` with its spec, manifest and ONNX file; return the artifact's path."""
    out.mkdir(parents=True, exist_ok=True)
    artifact, sample = out / f"{NAME}.joblib", out / f"{NAME}.sample.csv"
    pipeline, frame = fitted()
    joblib.dump(pipeline, artifact)
    frame.to_csv(sample, index=False)
    if byom([str(artifact), "--sample", str(sample)]) != 0:
        raise SystemExit(f"shared_model.byom could not describe {artifact}")
    return artifact


def main(argv: list[str] | None = None) -> int:
    """Build the example user's model and print its path."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.user_model", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder (default: artifacts/user)")
    print(build(parser.parse_args(argv).out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
