"""Every system command a test or benchmark runs is installed by `make test`: listed, and a prerequisite."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared_model.system_tools import SYSTEM_PACKAGES, SYSTEM_TOOLS, read_system_packages

REPO = Path(__file__).resolve().parent.parent
SCANNED = (
    "benchmarks",
    "contract_tests",
    "tests",
    "shared_model",
    "flask_app",
    "fastapi_app",
    "streamlit_app",
)
LOOKUPS = {"tool_path", "installed", "which"}  # system_tools' lookups, and shutil.which
SPAWNS = {"run", "Popen", "check_output", "check_call", "call", "create_subprocess_exec", "execv", "execvp"}
VENV_BIN = Path(sys.executable).parent


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else None


def _literal_command(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.List | ast.Tuple) and node.elts:
        return _literal_command(node.elts[0])
    return None


def commands_in(source: str) -> Iterator[str]:
    """Commands named by a literal in a lookup (`tool_path("wrk")`) or a spawn (`subprocess.run(["git", ...])`)."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = _called_name(node)
        if name in LOOKUPS or name in SPAWNS:
            command = _literal_command(node.args[0])
            if command is not None and "/" not in command and " " not in command:
                yield command


def used_commands() -> dict[str, list[str]]:
    """Each system command used in the repository's Python code, with the files that use it."""
    found: dict[str, list[str]] = {}
    for folder in SCANNED:
        for path in sorted((REPO / folder).rglob("*.py")):
            for command in commands_in(path.read_text(encoding="utf-8")):
                found.setdefault(command, []).append(str(path.relative_to(REPO)))
    return found


def test_the_scan_finds_lookups_and_spawns() -> None:
    source = 'tool_path("wrk")\nshutil.which("chromium")\nsubprocess.run(["git", "log"])\nprint("valgrind")\n'
    assert list(commands_in(source)) == ["wrk", "chromium", "git"]


def test_every_command_used_is_listed_in_the_system_packages() -> None:
    used = used_commands()
    assert {"wrk", "chromium"} <= set(used), used  # the scan sees the tools the benchmarks are known to run
    unlisted = {
        command: files
        for command, files in used.items()
        if command not in SYSTEM_TOOLS and not (VENV_BIN / command).exists()
    }
    assert unlisted == {}, f"add these to {SYSTEM_PACKAGES.relative_to(REPO)} as `COMMAND PACKAGE`"


def test_the_test_target_installs_the_listed_system_packages() -> None:
    # A dry run prints the recipes `make test` would run, prerequisites included, without running them.
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "scripts/require-system-package.sh" in dry_run, "`make test` no longer runs `system-packages`"
    assert str(SYSTEM_PACKAGES.relative_to(REPO)) in dry_run, "`system-packages` no longer reads the list"


def test_a_malformed_system_packages_line_names_the_file_and_line(tmp_path: Path) -> None:
    listed = tmp_path / "system.txt"
    listed.write_text("# comment\nwrk wrk\nchromium\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"system\.txt:3: expected `COMMAND PACKAGE`"):
        read_system_packages(listed)
