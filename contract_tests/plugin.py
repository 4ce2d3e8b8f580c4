"""The suite's command-line options, loadable early (`-p contract_tests.plugin`) so `pytest --mode live` works from the root.

contract_tests/conftest.py registers the same option when this plugin is not loaded; registering twice is a no-op.
"""

from __future__ import annotations

import contextlib

import pytest

MODE_CHOICES = ("inprocess", "live", "both")


def add_options(parser: pytest.Parser) -> None:
    """`--mode inprocess|live|both` (default both) and `--models NAME,...`, once."""
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


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
