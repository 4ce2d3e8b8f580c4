"""A server's master or supervisor reads settings only: NumPy, pandas, scikit-learn and the app load in workers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("numpy", "pandas", "sklearn", "scipy", "joblib", "flask", "fastapi", "starlette", "streamlit")
PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(name for name in sys.argv[2:] if name in sys.modules)))
"""


def heavy_imports(module: str) -> list[str]:
    """The heavy packages a fresh interpreter holds after importing `module`."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module, *HEAVY], capture_output=True, text=True, timeout=60, check=True
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


@pytest.mark.parametrize(
    "module",
    [
        "flask_app.gunicorn_conf",  # what gunicorn's master imports
        "flask_app.__main__",
        "fastapi_app.__main__",  # supervises nginx and uvicorn, whose own supervisor imports nothing of ours
        "streamlit_app.__main__",
        "shared_model.settings",
    ],
)
def test_launch_code_imports_nothing_heavy(module: str) -> None:
    assert heavy_imports(module) == []


def test_the_probe_sees_a_heavy_import() -> None:
    assert heavy_imports("shared_model.predictor") != []
