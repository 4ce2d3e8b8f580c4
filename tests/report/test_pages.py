"""Pages for people: both pages' lines by language, click → result, submits/s and memory per person, in their own
section and in the verdict for non-programmers; older results files say what they lack."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from benchmarks.results import BoilerplateRow, Figure, Measurement, Results, Target
from report.__main__ import main
from report.contents import build
from report.document import markdown
from report.figures import normalised
from report.pages import click_ratio, click_ratio_line, lines_text, missing_lines, page_rows, people_of
from report.scoring import DEFAULT_WEIGHTS, parse_weights
from report.verdicts import Verdict, verdicts
from tests.report.recorded import recorded_results
from tests.report.sample_results import fig, legacy, sample_results

# A full run written with schema 1.4 (the example report before the pages' people and lines were recorded).
FULL_RUN_1_4 = Path(__file__).resolve().parent / "data" / "full-run-1.4.json.gz"
LINES = {
    "streamlit_app": {"Python": 121},
    "flask_app": {"Python": 146, "CSS": 73, "HTML/Jinja": 149},
    "fastapi_app": {},
}


def with_pages(
    results: Results,
    *,
    click_ms: dict[str, float],
    rate: dict[str, float],
    per_person_mb: dict[str, float],
    flask_people: tuple[int, ...] = (1, 8),
) -> Results:
    """The run as schema 1.5 records it: each page clicked through, the Flask page's people, the page lines."""

    def pages(target: Target) -> Target:
        if not target.shipped or target.workers != 1 or target.name not in ("flask_app", "streamlit_app"):
            return target
        found = [*target.measurements]
        found.append(
            Measurement(
                scenario="browser",
                params={"submits": 20},
                figures={"submit_to_result_ms": fig("ms", click_ms[target.name], 0.1)},
            )
        )
        if target.name == "flask_app":
            found += [
                Measurement(
                    scenario="page_people",
                    params={"people": n},
                    figures={
                        "throughput_rps": fig("submits/s", rate["flask_app"] * min(n, 2) / 2),
                        "rss_per_person_mb": fig("MiB", per_person_mb["flask_app"]),
                    },
                )
                for n in flask_people
            ]
        else:
            found = [m for m in found if m.scenario != "memory"] + [
                Measurement(
                    scenario="memory",
                    params={},
                    figures={
                        "idle_rss_mb": fig("MB", 230.0),
                        "rss_per_session_mb_at_8": fig("MiB", per_person_mb["streamlit_app"]),
                    },
                )
            ]
            found = [
                m.model_copy(
                    update={"figures": {**m.figures, "throughput_rps": fig("reruns/s", rate[target.name])}}
                )
                if m.scenario == "streamlit_sessions" and m.params["sessions"] == 8
                else m
                for m in found
            ]
        return target.model_copy(update={"measurements": found})

    rows = [
        BoilerplateRow(**{**row.model_dump(), "page_lines": LINES[row.front_end]})
        for row in results.boilerplate
    ]
    return results.model_copy(
        update={
            "schema_version": "1.5",
            "targets": [pages(target) for target in results.targets],
            "boilerplate": rows,
        }
    )


def paged(
    rate: tuple[float, float] = (35.0, 300.0), per_person_mb: tuple[float, float] = (0.6, 0.05)
) -> Results:
    """The sample run with both pages measured: (Streamlit's, the Flask page's) submits/s and MiB per person."""
    return with_pages(
        sample_results(),
        click_ms={"streamlit_app": 80.0, "flask_app": 100.0},
        rate=dict(zip(("streamlit_app", "flask_app"), rate, strict=True)),
        per_person_mb=dict(zip(("streamlit_app", "flask_app"), per_person_mb, strict=True)),
    )


def ui_verdict(results: Results) -> Verdict:
    return next(v for v in verdicts(normalised(results)) if v.need == "Tool for non-programmers")


def test_lines_by_language_read_in_a_fixed_order_with_their_sum() -> None:
    assert (
        lines_text({"CSS": 73, "Python": 146, "HTML/Jinja": 149})
        == "Python 146 + HTML/Jinja 149 + CSS 73 = 368 lines"
    )
    assert lines_text({"Python": 121}) == "Python 121 lines"
    assert lines_text({"Python": 10, "JavaScript": 0}) == "Python 10 lines"
    assert lines_text({}) == "not recorded"


def test_the_table_compares_both_pages_at_the_same_people_at_once() -> None:
    results = normalised(paged())
    assert people_of(results) == 8
    rows = {row.cells[0]: row.cells[1:] for row in page_rows(results)}
    assert rows == {
        "Streamlit app (shipped)": (
            "Python 121 lines",
            "80 (72–88) ms",
            "35.0 (33.2–36.8) submits/s",
            "0.600 (0.570–0.630) MiB",
        ),
        "Flask page (Jinja2, gthread)": (
            "Python 146 + HTML/Jinja 149 + CSS 73 = 368 lines",
            "100 (90–110) ms",
            "300.0 (285.0–315.0) submits/s",
            "0.050 (0.048–0.053) MiB",
        ),
    }
    assert missing_lines(results) == []


def test_the_pages_are_compared_at_the_most_people_both_were_measured_with() -> None:
    results = with_pages(
        sample_results(),
        click_ms={"streamlit_app": 80.0, "flask_app": 100.0},
        rate={"streamlit_app": 35.0, "flask_app": 300.0},
        per_person_mb={"streamlit_app": 0.6, "flask_app": 0.05},
        flask_people=(1,),
    )
    assert people_of(normalised(results)) == 1
    rows = {row.cells[0]: row.cells for row in page_rows(normalised(results))}
    # Streamlit's memory per session is kept at 8 sessions only: at 1 it is not measured, and shows so.
    assert rows["Streamlit app (shipped)"][4] == "—"
    assert rows["Flask page (Jinja2, gthread)"][3] == "150.0 (142.5–157.5) submits/s"


def test_the_ui_verdict_cites_every_figure_of_both_pages() -> None:
    verdict = ui_verdict(paged())
    assert verdict.pick == "streamlit"
    assert "streamlit: click → result in Chromium 80 ms (min 72, max 88); the page is Python 121 lines" in (
        verdict.evidence
    )
    assert (
        "streamlit: 35.0 submits/s (min 33.2, max 36.8) with 8 people at once, 0.600 MiB (min 0.570, max 0.630) of "
        "memory per person" in verdict.evidence
    )
    assert (
        "flask page: click → result in Chromium 100 ms (min 90, max 110); the page is Python 146 + HTML/Jinja 149 "
        "+ CSS 73 = 368 lines" in verdict.evidence
    )
    assert (
        "flask page: 300.0 submits/s (min 285.0, max 315.0) with 8 people at once, 0.050 MiB (min 0.048, max 0.053) of "
        "memory per person" in verdict.evidence
    )
    assert not any("keeps nothing" in line for line in verdict.evidence)
    # Measured lighter beyond the spread: said as caveats, while Python alone still decides the pick.
    assert (
        "With 8 people at once the Flask page serves 300 submits/s against Streamlit's 35." in verdict.caveats
    )
    assert (
        "Each person costs the Flask page's server 0.050 MiB against Streamlit's 0.600 MiB per open session."
        in verdict.caveats
    )
    assert not any("answers a click sooner" in caveat for caveat in verdict.caveats)


def test_no_lighter_page_caveat_when_streamlit_is_as_light() -> None:
    verdict = ui_verdict(paged(rate=(300.0, 300.0), per_person_mb=(0.05, 0.05)))
    assert verdict.caveats == ["Streamlit serves people, not programs: it has no JSON API to call."]


def test_the_section_is_in_the_markdown_and_the_html_from_one_source(tmp_path: Path) -> None:
    source = tmp_path / "results.json"
    source.write_text(paged().model_dump_json(), encoding="utf-8")
    assert main(["--results", str(source), "--out", str(tmp_path / "out")]) == 0
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    section = text.split("## Pages for people", 1)[1].split("\n## ", 1)[0]
    assert (
        "| page | code lines by language | Chromium click → result | submits/s, 8 people at once |" in section
    )
    assert "| Flask page (Jinja2, gthread) | Python 146 + HTML/Jinja 149 + CSS 73 = 368 lines |" in section
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Pages for people" in html
    assert "Python 146 + HTML/Jinja 149 + CSS 73 = 368 lines" in html


@pytest.mark.parametrize(
    ("results", "lacking"),
    [
        (legacy(sample_results()), "schema 1.1"),
        (recorded_results(), "schema 1.1"),
        (Results.model_validate_json(gzip.decompress(FULL_RUN_1_4.read_bytes())), "schema 1.4"),
    ],
    ids=["sample 1.1", "recorded quick run", "example full run"],
)
def test_an_older_results_file_renders_and_says_what_it_lacks(results: Results, lacking: str) -> None:
    text = markdown(build(results, parse_weights(DEFAULT_WEIGHTS)))
    section = text.split("## Pages for people", 1)[1].split("\n## ", 1)[0]
    assert f"Lines by language are not in this results file ({lacking})" in section
    assert "Flask page (Jinja2, gthread): no people at once in this results file" in section
    assert "| Streamlit app (shipped) | not recorded |" in section


def clicked(streamlit_ms: list[float], flask_ms: list[float], *, interleaved: bool) -> Results:
    """The paged sample with these submits, the two pages' taken in turn (schema 1.6) or one page after the other."""

    def browser(target: Target) -> Target:
        if not any(m.scenario == "browser" for m in target.measurements):
            return target
        mine, theirs = (
            ("streamlit_app", "flask_app")
            if target.name == "streamlit_app"
            else ("flask_app", "streamlit_app")
        )
        params: dict[str, float | int | str] = {"submits": len(streamlit_ms)}
        if interleaved:
            params["interleaved_with"] = theirs
        times = streamlit_ms if mine == "streamlit_app" else flask_ms
        found = [m for m in target.measurements if m.scenario != "browser"]
        found.append(
            Measurement(
                scenario="browser", params=params, figures={"submit_to_result_ms": Figure.of("ms", times)}
            )
        )
        return target.model_copy(update={"measurements": found})

    results = paged()
    return results.model_copy(
        update={"schema_version": "1.6", "targets": [browser(target) for target in results.targets]}
    )


def test_the_click_ratio_pairs_submits_taken_in_turn_and_else_divides_the_medians() -> None:
    # The host slowed both pages alike on the third submit: paired, the ratio does not see it.
    streamlit, flask = [40.0, 50.0, 200.0, 60.0], [100.0, 100.0, 500.0, 100.0]
    paired = click_ratio(clicked(streamlit, flask, interleaved=True))
    assert paired is not None
    assert paired.repeats == [0.4, 0.5, 0.4, 0.6]
    assert paired.median == pytest.approx(0.45)
    line = click_ratio_line(clicked(streamlit, flask, interleaved=True))
    assert line is not None
    assert "0.45×" in line
    assert "submit-by-submit" in line
    apart = click_ratio(clicked(streamlit, flask, interleaved=False))
    assert apart is not None
    assert apart.repeats == []
    assert apart.median == pytest.approx(55.0 / 100.0)
    assert apart.min == pytest.approx(40.0 / 500.0)
    assert apart.max == pytest.approx(200.0 / 100.0)
    assert "ratio of the two medians" in (
        click_ratio_line(clicked(streamlit, flask, interleaved=False)) or ""
    )
