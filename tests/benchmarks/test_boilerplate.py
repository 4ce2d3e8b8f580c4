"""The boilerplate rule: markers, then names, then the file's concern; code lines only; totals add up."""

from __future__ import annotations

import textwrap

import pytest

from benchmarks.boilerplate import code_lines, concern_lines, count_package, third_party_imports

MODULE = textwrap.dedent(
    '''\
    """Module docstring: not code."""

    # concern: routing
    from __future__ import annotations

    import json
    import flask
    from prometheus_client import Counter
    from shared_model import load_model


    def handle_error(error):
        """Docstring: not code."""
        # a comment: not code
        return json.dumps({"error": str(error)})


    # concern: observability
    def wrap(app):
        return app


    @flask.Flask.route("/")
    def index():

        return "ok"
    '''
)


def test_code_lines_exclude_docstrings_comments_and_blanks() -> None:
    assert code_lines('"""Doc."""\n\n# comment\nx = 1\n\ndef f():\n    """Doc."""\n    return x\n') == 3


def test_concerns_follow_marker_then_name_then_file() -> None:
    counts = concern_lines(MODULE, "views")
    assert counts == {
        "routing": 8,  # 5 imports (marked) + the decorated index (3 lines, file concern of views.py)
        "parsing_validation": 0,
        "error_mapping": 2,  # handle_error, by its name
        "docs": 0,
        "observability": 2,  # wrap, by its marker
        "server_config": 0,
        "other": 0,
    }
    assert sum(counts.values()) == code_lines(MODULE)


@pytest.mark.parametrize(
    ("stem", "concern"),
    [
        ("errors", "error_mapping"),
        ("__main__", "server_config"),
        ("metrics", "observability"),
        ("whatever", "other"),
    ],
)
def test_file_concern_by_stem(stem: str, concern: str) -> None:
    assert concern_lines("x = 1\ny = 2\n", stem)[concern] == 2


def test_file_marker_after_the_docstring_overrides_the_stem() -> None:
    assert concern_lines('"""Doc."""\n# concern: docs\nx = 1\n', "views")["docs"] == 1


def test_third_party_imports_skip_stdlib_and_first_party() -> None:
    assert third_party_imports(MODULE) == {"flask", "prometheus_client"}


def test_count_package_adds_up(tmp_path) -> None:
    package = tmp_path / "demo_app"
    package.mkdir()
    (package / "__init__.py").write_text('"""Doc."""\n')
    (package / "errors.py").write_text("import fastapi\n\nX = 1\n")
    (package / "views.py").write_text(MODULE)
    row = count_package(package)
    assert row.front_end == "demo_app"
    assert row.files == 3
    assert row.logical_lines == 2 + code_lines(MODULE)
    assert row.dependencies == ["fastapi", "flask", "prometheus_client"]
    assert sum(row.lines_per_concern.values()) == row.logical_lines
    assert row.lines_per_concern["error_mapping"] == 2 + 2
