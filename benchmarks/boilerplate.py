"""Boilerplate: each front end's code lines by pygount, its third-party imports, and lines per concern.

Every line's concern is written in the code, never guessed from names (METHOD.md states the rule;
tests/benchmarks/test_boilerplate.py pins its figures on the real front ends):
1. a `# concern: NAME` comment among the comment lines right above a statement (above its decorators; no blank line
   between) attributes that statement, its body included, to NAME, at any depth;
2. an unmarked statement inside another one has the enclosing statement's concern;
3. an unmarked top-level statement has the file's concern: a `# file concern: NAME` comment before the module's
   first statement after its docstring;
4. anything else is "unmarked", and so is a statement whose marker names no concern of CONCERNS; both, and a marker
   that attributes nothing, are reported by `attribute` as problems.
Only code lines count (pygount: comments, docstrings and blank lines excluded).
"""

from __future__ import annotations

import ast
import io
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
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
    "admission",
    "cors",
    "server_config",
    "ui",
    "oip",
    "batching",
    "feature_store",
)
UNMARKED = "unmarked"
PAGE_CONCERN = "ui"
# A page's files other than Python, by suffix; pygount names the languages by guessing (CSS as "CSS+Lasso").
PAGE_LANGUAGES = {".html": "HTML/Jinja", ".css": "CSS", ".js": "JavaScript"}
MARKER = re.compile(r"^\s*#\s*concern:\s*(\S+)\s*$")
FILE_MARKER = re.compile(r"^\s*#\s*file concern:\s*(\S+)\s*$")
OTHER_FILE_MARKER = re.compile(r"file concern:\s*(\w+)")  # in a template's or stylesheet's first-line comment
FIRST_PARTY = {
    "shared_model",
    "benchmarks",
    "contract_tests",
    "flask_app",
    "fastapi_app",
    "streamlit_app",
    "tests",
}

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Attribution:
    """Code lines per concern of one module (`unmarked` only when there are any), and what its markers miss."""

    lines: dict[str, int]
    problems: tuple[str, ...]


def code_lines(text: str) -> int:
    """Code lines of Python source by pygount: comments, docstrings and blank lines excluded."""
    source = io.BytesIO(text.encode("utf-8"))
    analysis = SourceAnalysis.from_file("segment.py", "servebench", encoding="utf-8", file_handle=source)
    return int(analysis.code_count)


def attribute(text: str) -> Attribution:
    """Code lines per concern of one module, by the rule in this module's docstring."""
    return _Markers(text).attribute(ast.parse(text))


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
        attribution = attribute(text)
        for concern, count in attribution.lines.items():
            totals[concern] = totals.get(concern, 0) + count
        for problem in attribution.problems:
            logger.warning("%s:%s", path, problem)
    pages = _page_lines(folder, totals.get(PAGE_CONCERN, 0))
    return BoilerplateRow(
        front_end=folder.name,
        logical_lines=logical,
        files=len(files),
        dependencies=sorted(dependencies),
        lines_per_concern=totals,
        page_lines=pages if any(pages.values()) else {},
    )


def page_lines(folder: Path) -> dict[str, int]:
    """Code lines a front end's page for people takes, by language: its Python lines of the `ui` concern, and the
    templates, stylesheets and scripts under the package, but for those whose first line marks another concern
    (`{# file concern: docs -#}`); pygount counts, so comments and blank lines are excluded."""
    return _page_lines(folder, count_package(folder).lines_per_concern.get(PAGE_CONCERN, 0))


def _page_lines(folder: Path, python: int) -> dict[str, int]:
    lines = {"Python": python}
    for path in sorted(folder.rglob("*")):
        language = PAGE_LANGUAGES.get(path.suffix)
        if not language or not path.is_file():
            continue
        head = path.read_text(encoding="utf-8").split("\n", 1)[0]
        if (marker := OTHER_FILE_MARKER.search(head)) is None or marker.group(1) == PAGE_CONCERN:
            analysis = SourceAnalysis.from_file(str(path), "servebench", encoding="utf-8")
            lines[language] = lines.get(language, 0) + int(analysis.code_count)
    return lines


def count_front_ends(names: Iterable[str], root: Path = REPO_ROOT) -> list[BoilerplateRow]:
    """One row per front-end package that exists under `root`."""
    return [count_package(root / name) for name in names if (root / name).is_dir()]


class _Markers:
    """One module's lines, the concern each belongs to, and the markers that decided it."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines(keepends=True)
        self.owner = [UNMARKED] * len(self.lines)
        self.used: set[int] = set()
        self.problems: list[str] = []

    def attribute(self, tree: ast.Module) -> Attribution:
        body = tree.body[1:] if _is_docstring(tree.body[0] if tree.body else None) else tree.body
        file_concern = self._file_concern(_first_line(body[0]) if body else len(self.lines))
        for node in body:
            self._assign(node, file_concern)
        self.problems += [
            f"line {index + 1}: marker attributes nothing (it must sit right above a statement)"
            for index, line in enumerate(self.lines)
            if (MARKER.match(line) or FILE_MARKER.match(line)) and index not in self.used
        ]
        counts = dict.fromkeys(CONCERNS, 0)
        for concern, run in groupby(zip(self.owner, self.lines, strict=True), key=lambda pair: pair[0]):
            counts[concern] = counts.get(concern, 0) + code_lines("".join(line for _, line in run))
        if not counts.get(UNMARKED):
            counts.pop(UNMARKED, None)
        return Attribution(counts, tuple(self.problems))

    def _file_concern(self, head_end: int) -> str | None:
        for index in range(head_end):
            if match := FILE_MARKER.match(self.lines[index]):
                self.used.add(index)
                return self._known(match.group(1), index)
        return None

    def _assign(self, node: ast.stmt, inherited: str | None) -> None:
        first = _first_line(node)
        concern = self._marker_above(first) or inherited
        if concern is None:
            self.problems.append(
                f"line {first + 1}: no `# concern:` above this statement and no file concern"
            )
            concern = UNMARKED
        last = node.end_lineno or node.lineno
        self.owner[first:last] = [concern] * (last - first)
        for child in _child_statements(node):
            self._assign(child, concern)

    def _marker_above(self, first: int) -> str | None:
        index = first - 1
        while index >= 0 and self.lines[index].lstrip().startswith("#"):
            if match := MARKER.match(self.lines[index]):
                self.used.add(index)
                return self._known(match.group(1), index)
            index -= 1
        return None

    def _known(self, name: str, index: int) -> str:
        if name in CONCERNS:
            return name
        self.problems.append(f"line {index + 1}: unknown concern {name!r} (one of {', '.join(CONCERNS)})")
        return UNMARKED


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(decorator.lineno for decorator in decorators)]) - 1


def _child_statements(node: ast.stmt) -> Iterator[ast.stmt]:
    for _, value in ast.iter_fields(node):
        for item in value if isinstance(value, list) else ():
            if isinstance(item, ast.stmt):
                yield item
            elif isinstance(item, ast.ExceptHandler | ast.match_case):
                yield from item.body


def _is_docstring(node: ast.stmt | None) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )
