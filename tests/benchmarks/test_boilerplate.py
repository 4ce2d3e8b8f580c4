"""The boilerplate rule: concerns written in the code, code lines only, totals adding up, figures pinned."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from benchmarks.boilerplate import (
    CONCERNS,
    REPO_ROOT,
    UNMARKED,
    attribute,
    code_lines,
    count_package,
    page_lines,
    third_party_imports,
)
from report.tables import FEATURES

MODULE = textwrap.dedent(
    '''\
    """Module docstring: not code."""

    # file concern: routing

    from __future__ import annotations

    import json
    import flask
    from prometheus_client import Counter
    from shared_model import load_model


    # concern: error_mapping
    def handle_error(error):
        """Docstring: not code."""
        # a comment: not code
        return json.dumps({"error": str(error)})


    # concern: observability
    # Comments between the marker and the statement keep it attached.
    @flask.Flask.route("/metrics")
    def metrics(app):
        count = Counter("x", "y")
        # concern: docs
        if app:
            return {"openapi": "3.1"}
        return count


    @flask.Flask.route("/")
    def index():

        return "ok"
    '''
)
# What the front ends count today. A change here is a change of a published figure: say why in the commit.
FRONT_END_CONCERNS = {
    "flask_app": {
        "routing": 65,
        "parsing_validation": 24,
        "error_mapping": 31,
        "docs": 19,
        "observability": 45,
        "admission": 16,  # the core's Admission: judge and enter, then leave
        "cors": 33,
        "server_config": 96,  # settling the heap in post_worker_init; THREADS in the package, for the WSGI floor
        "ui": 157,
        "batching": 4,
        "feature_store": 8,
        "oip": 47,
    },
    "fastapi_app": {
        "routing": 77,
        "parsing_validation": 57,
        "error_mapping": 35,
        "docs": 26,
        "observability": 78,
        "admission": 61,  # the turn taken, the stamp read and judged, the place taken and given back by the core
        "cors": 9,
        "server_config": 119,  # settling the heap in the lifespan
        "ui": 0,
        "batching": 13,
        "feature_store": 41,
        "oip": 55,
    },
    "streamlit_app": {
        "routing": 2,
        "parsing_validation": 1,
        "error_mapping": 9,
        "docs": 0,
        "observability": 0,
        "admission": 0,
        "cors": 0,
        "server_config": 68,
        "ui": 121,
        "batching": 0,
        "feature_store": 11,
        "oip": 0,
    },
}


def counts(**nonzero: int) -> dict[str, int]:
    return {**dict.fromkeys(CONCERNS, 0), **nonzero}


def test_code_lines_exclude_docstrings_comments_and_blanks() -> None:
    assert code_lines('"""Doc."""\n\n# comment\nx = 1\n\ndef f():\n    """Doc."""\n    return x\n') == 3


def test_markers_then_enclosing_statement_then_file() -> None:
    attribution = attribute(MODULE)
    assert attribution.lines == counts(
        routing=8,  # 5 imports and the decorated index (3 lines), by the file's concern
        error_mapping=2,  # handle_error, by its marker
        observability=4,  # metrics but its marked `if`, decorator included
        docs=2,  # the `if` inside metrics, by its own marker
    )
    assert attribution.problems == ()
    assert sum(attribution.lines.values()) == code_lines(MODULE)


@pytest.mark.parametrize(
    ("source", "unmarked", "problem"),
    [
        ('"""Doc."""\nx = 1\n\n\ndef f():\n    return 2\n', 3, "line 2: no `# concern:`"),
        (
            "# file concern: routing\nx = 1\n# concern: rooting\ny = 2\n",
            1,
            "line 3: unknown concern 'rooting'",
        ),
        (
            "# file concern: docs\nx = 1\n\n# concern: routing\n\ny = 2\n",
            0,
            "line 4: marker attributes nothing",
        ),
        ("x = 1\n# file concern: docs\ny = 2\n", 2, "line 1: no `# concern:`"),
    ],
)
def test_code_without_a_known_concern_is_unmarked_and_reported(
    source: str, unmarked: int, problem: str
) -> None:
    attribution = attribute(source)
    assert attribution.lines.get(UNMARKED, 0) == unmarked
    assert any(reported.startswith(problem) for reported in attribution.problems), attribution.problems
    assert sum(attribution.lines.values()) == code_lines(source)


def test_a_statement_inside_an_unmarked_one_is_unmarked_too() -> None:
    attribution = attribute("def f():\n    x = 1\n    return x\n")
    assert attribution.lines == {**counts(), UNMARKED: 3}
    assert attribution.problems == ("line 1: no `# concern:` above this statement and no file concern",)


def test_fully_marked_module_has_no_unmarked_key() -> None:
    assert UNMARKED not in attribute("# file concern: cors\nx = 1\n").lines


def test_third_party_imports_skip_stdlib_and_first_party() -> None:
    assert third_party_imports(MODULE) == {"flask", "prometheus_client"}


def test_count_package_adds_up(tmp_path: Path) -> None:
    package = tmp_path / "demo_app"
    package.mkdir()
    (package / "__init__.py").write_text('"""Doc."""\n')
    (package / "errors.py").write_text("# file concern: error_mapping\nimport fastapi\n\nX = 1\n")
    (package / "views.py").write_text(MODULE)
    row = count_package(package)
    assert row.front_end == "demo_app"
    assert row.files == 3
    assert row.logical_lines == 2 + code_lines(MODULE)
    assert row.dependencies == ["fastapi", "flask", "prometheus_client"]
    assert sum(row.lines_per_concern.values()) == row.logical_lines
    assert row.lines_per_concern["error_mapping"] == 2 + 2


def test_page_lines_by_language_leave_out_files_of_another_concern(tmp_path: Path) -> None:
    package = tmp_path / "demo_app"
    (package / "templates").mkdir(parents=True)
    (package / "static").mkdir()
    (package / "views.py").write_text("# concern: ui\nX = 1\n# concern: routing\nY = 2\n")
    (package / "templates" / "page.html").write_text("{# the page #}\n<p>{{ x }}</p>\n\n<p>y</p>\n")
    (package / "templates" / "docs.html").write_text("{# file concern: docs -#}\n<p>docs</p>\n")
    (package / "static" / "page.css").write_text("/* look */\np { margin: 0; }\n")
    assert page_lines(package) == {"Python": 1, "HTML/Jinja": 2, "CSS": 1}


def test_the_flask_page_needs_html_and_css_and_streamlit_s_python_only() -> None:
    flask, streamlit = page_lines(REPO_ROOT / "flask_app"), page_lines(REPO_ROOT / "streamlit_app")
    assert set(flask) == {"Python", "HTML/Jinja", "CSS"}  # no JavaScript: the page works with scripts off
    assert all(count > 0 for count in flask.values())
    assert set(streamlit) == {"Python"}
    assert streamlit["Python"] > 0


@pytest.mark.parametrize("front_end", sorted(FRONT_END_CONCERNS))
def test_every_line_of_the_real_front_ends_is_attributed(front_end: str) -> None:
    for path in sorted((REPO_ROOT / front_end).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        attribution = attribute(text)
        assert attribution.problems == (), path
        assert sum(attribution.lines.values()) == code_lines(text), path


@pytest.mark.parametrize("front_end", sorted(FRONT_END_CONCERNS))
def test_real_front_ends_lines_per_concern(front_end: str) -> None:
    row = count_package(REPO_ROOT / front_end)
    assert row.lines_per_concern == FRONT_END_CONCERNS[front_end]
    assert sum(row.lines_per_concern.values()) == row.logical_lines


def test_the_feature_matrix_names_counted_concerns() -> None:
    # A misspelt concern there shows no cost at all, silently.
    named = {concern for _, _, concern in FEATURES if concern is not None}
    assert named <= set(CONCERNS)
