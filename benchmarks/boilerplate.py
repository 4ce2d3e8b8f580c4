"""Boilerplate: each front end's code lines by pygount, its third-party imports, and lines per concern.

The concern of a line is decided by this rule (METHOD.md states it too; tests/benchmarks/test_boilerplate.py
checks it):
1. A top-level statement (with its decorators and the comments right above it) preceded by a comment
   `# concern: NAME` belongs to NAME.
2. Otherwise a top-level function or class whose name contains a keyword of NAME_KEYWORDS belongs to that concern.
3. Otherwise the statement belongs to the file's concern: a `# concern: NAME` comment before the module's first
   statement, else FILE_CONCERNS by the file's stem, else "other".
Only code lines count (pygount: comments, docstrings and blank lines excluded).
"""

from __future__ import annotations

import ast
import io
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from pygount import SourceAnalysis

from benchmarks.results import BoilerplateRow

REPO_ROOT = Path(__file__).resolve().parent.parent
CONCERNS = (
    "routing",
    "parsing_validation",
    "error_mapping",
    "docs",
    "observability",
    "server_config",
    "other",
)
MARKER = re.compile(r"#\s*concern:\s*([a-z_]+)")
FILE_CONCERNS: dict[str, str] = {
    "__main__": "server_config",
    "gunicorn_conf": "server_config",
    "server": "server_config",
    "serving": "server_config",
    "settings": "server_config",
    "asgi": "server_config",
    "wsgi": "server_config",
    "cors": "server_config",
    "errors": "error_mapping",
    "exceptions": "error_mapping",
    "docs": "docs",
    "openapi": "docs",
    "metrics": "observability",
    "observability": "observability",
    "timing": "observability",
    "middleware": "observability",
    "logging": "observability",
    "body": "parsing_validation",
    "parsing": "parsing_validation",
    "validation": "parsing_validation",
    "schemas": "parsing_validation",
    "form": "parsing_validation",
    "batch": "parsing_validation",
    "app": "routing",
    "views": "routing",
    "routes": "routing",
    "routing": "routing",
    "endpoints": "routing",
    "service": "routing",
}
NAME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "error_mapping": ("error", "exception"),
    "observability": ("metric", "timing", "request_id", "log"),
    "docs": ("openapi", "docs"),
    "parsing_validation": ("parse", "valid", "body"),
}
FIRST_PARTY = {
    "shared_model",
    "benchmarks",
    "contract_tests",
    "flask_app",
    "fastapi_app",
    "streamlit_app",
    "tests",
}


def code_lines(text: str) -> int:
    """Code lines of Python source by pygount: comments, docstrings and blank lines excluded."""
    source = io.BytesIO(text.encode("utf-8"))
    analysis = SourceAnalysis.from_file("segment.py", "servebench", encoding="utf-8", file_handle=source)
    return int(analysis.code_count)


def concern_lines(text: str, stem: str) -> dict[str, int]:
    """Code lines per concern of one module, by the rule in this module's docstring."""
    lines = text.splitlines(keepends=True)
    tree = ast.parse(text)
    default = _file_concern(lines, tree, stem)
    counts = dict.fromkeys(CONCERNS, 0)
    start = 0
    for node in tree.body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        end = node.end_lineno or node.lineno
        segment = lines[start:end]
        # The comments between the previous statement and this one belong to this one.
        concern = _marked(lines[start:first]) or _by_name(node) or default
        counts[concern] += code_lines("".join(segment))
        start = end
    counts[default] += code_lines("".join(lines[start:]))
    return counts


def third_party_imports(text: str) -> set[str]:
    """Top-level names of imported modules that are neither the standard library nor servebench's own."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names if name not in sys.stdlib_module_names and name not in FIRST_PARTY}


def count_package(folder: Path) -> BoilerplateRow:
    """The boilerplate row of one front-end package (every .py file under it)."""
    files = sorted(folder.rglob("*.py"))
    totals = dict.fromkeys(CONCERNS, 0)
    dependencies: set[str] = set()
    logical = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        logical += code_lines(text)
        dependencies |= third_party_imports(text)
        for concern, count in concern_lines(text, path.stem).items():
            totals[concern] += count
    return BoilerplateRow(
        front_end=folder.name,
        logical_lines=logical,
        files=len(files),
        dependencies=sorted(dependencies),
        lines_per_concern=totals,
    )


def count_front_ends(names: Iterable[str], root: Path = REPO_ROOT) -> list[BoilerplateRow]:
    """One row per front-end package that exists under `root`."""
    return [count_package(root / name) for name in names if (root / name).is_dir()]


def _file_concern(lines: Sequence[str], tree: ast.Module, stem: str) -> str:
    first_statement = tree.body[0].lineno - 1 if tree.body else len(lines)
    # A module docstring is the first statement; a marker may also sit just after it.
    head_end = tree.body[1].lineno - 1 if _has_docstring(tree) and len(tree.body) > 1 else first_statement
    return _marked(lines[:head_end]) or FILE_CONCERNS.get(stem, "other")


def _has_docstring(tree: ast.Module) -> bool:
    first = tree.body[0] if tree.body else None
    return (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )


def _marked(lines: Sequence[str]) -> str | None:
    for line in reversed(lines):
        match = MARKER.search(line)
        if match and match.group(1) in CONCERNS:
            return match.group(1)
    return None


def _by_name(node: ast.stmt) -> str | None:
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return None
    name = node.name.lower()
    for concern, keywords in NAME_KEYWORDS.items():
        if any(keyword in name for keyword in keywords):
            return concern
    return None
