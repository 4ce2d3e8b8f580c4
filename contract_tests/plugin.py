"""The suite's command-line options, loadable early (`-p contract_tests.plugin`) so `pytest --mode live` works from the root.

contract_tests/conftest.py registers the same option when this plugin is not loaded; registering twice is a no-op.
"""

from __future__ import annotations

import contextlib

import pytest

MODE_CHOICES = ("inprocess", "live", "both")
FASTAPI_SERVERS = ("uvicorn", "ray")


def add_options(parser: pytest.Parser) -> None:
    """`--mode inprocess|live|both` (default both), `--models NAME,...` and `--fastapi-server`, once."""
    # The other of plugin and conftest may have added them already (pytest raises ValueError then).
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--mode",
            choices=MODE_CHOICES,
            default="both",
            help="contract suite: in-process test clients, live production servers, or both (default)",
        )
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--models",
            default=None,
            help="contract suite: comma-separated model names or paths (default: the built-in models, plus "
            "SERVEBENCH_MODEL when it names another)",
        )
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--fastapi-server",
            choices=FASTAPI_SERVERS,
            default="uvicorn",
            help="contract suite: what serves the live FastAPI front end, its launcher (uvicorn behind nginx, "
            "default) or Ray Serve (python -m ray_serve in .ray-venv; the same app)",
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
