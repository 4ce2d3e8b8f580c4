"""The suite's command-line option, loadable early (`-p contract_tests.plugin`) so `pytest --mode live` works from the root.

contract_tests/conftest.py registers the same option when this plugin is not loaded; registering twice is a no-op.
"""

from __future__ import annotations

import contextlib

import pytest

MODE_CHOICES = ("inprocess", "live", "both")


def add_mode_option(parser: pytest.Parser) -> None:
    """`--mode inprocess|live|both` (default both), once."""
    # The other of plugin and conftest may have added it already (pytest raises ValueError then).
    with contextlib.suppress(ValueError):
        parser.addoption(
            "--mode",
            choices=MODE_CHOICES,
            default="both",
            help="contract suite: in-process test clients, live production servers, or both (default)",
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    add_mode_option(parser)
