"""People at once on the Flask page in the main run: the plan places them, the figures (memory per person above all)
are computed from each repeat, and a live repeat against the shipped Flask answers every submit exactly."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from benchmarks import plan
from benchmarks.boilerplate import count_package, page_lines
from benchmarks.page_load import MIB, mib_per_person
from benchmarks.repeats import Repeat
from benchmarks.runs import Run
from benchmarks.scenarios import PagePeople, StreamlitSessions
from benchmarks.targets import front_end, running
from benchmarks.verify import expected_answer
from shared_model import Predictor, Validator


def test_memory_per_person_is_the_growth_over_the_people_and_never_negative() -> None:
    assert mib_per_person(100 * MIB, 112 * MIB, 8) == 1.5
    assert mib_per_person(100 * MIB, 100 * MIB + MIB // 4, 1) == 0.25
    assert mib_per_person(100 * MIB, 90 * MIB, 4) == 0.0  # the tree shrank while they were on
    with pytest.raises(ValueError, match="at least 1"):
        mib_per_person(0, MIB, 0)


def repeat(throughput: float, before_mb: float, peak_mb: float) -> Repeat:
    found = Repeat(
        throughput=throughput,
        percentiles_ms={"50": 5.0, "90": 7.0, "99": 9.0, "99.9": 11.0},
        samples=int(throughput),
        errors=0,
        non_200=0,
        peak_rss_mb=peak_mb,
    )
    found.extra["rss_before_mb"] = before_mb
    return found


def test_the_page_people_figures_are_submits_per_second_and_each_repeat_s_growth_per_person() -> None:
    scenario = PagePeople(8)
    measured = scenario.measurement(
        [repeat(300.0, 200.0, 204.0), repeat(320.0, 204.0, 204.5), repeat(310.0, 205.0, 201.0)], {}
    )
    assert (measured.scenario, measured.params) == ("page_people", {"people": 8})
    assert measured.figures["throughput_rps"].unit == "submits/s"
    assert measured.figures["throughput_rps"].repeats == [300.0, 320.0, 310.0]
    per_person = measured.figures["rss_per_person_mb"]
    assert (per_person.unit, per_person.repeats) == ("MiB", [0.5, 0.0625, 0.0])
    assert measured.figures["rss_before_mb"].unit == "MiB"
    assert str(PagePeople(1)) == "1 person at once on the Flask page"
    assert str(scenario) == "8 people at once on the Flask page"


@pytest.mark.parametrize("settings", [plan.FULL, plan.QUICK, plan.SMOKE], ids=lambda s: s.mode)
def test_the_main_run_puts_people_on_the_flask_page_only_within_its_budget(settings: plan.Settings) -> None:
    placed = {
        target.label: [s.people for s in plan.scenarios(settings, target) if isinstance(s, PagePeople)]
        for target in plan.targets(settings)
    }
    assert {label: people for label, people in placed.items() if people} == {
        "flask_app (gthread, 1w)": list(settings.page_people)
    }
    streamlit = plan.scenarios(settings, front_end("streamlit_app"))
    assert [s.sessions for s in streamlit if isinstance(s, StreamlitSessions)] == list(
        settings.streamlit_sessions
    )
    # Both pages are compared at the same people at once (the report's table takes one number for both).
    assert set(settings.page_people) <= set(settings.streamlit_sessions)
    assert plan.describe(settings).page_people == list(settings.page_people)
    budget = {"full": 20 * 60, "quick": 3 * 60, "smoke": 60}[settings.mode]
    assert plan.estimate_s(settings) <= budget


def test_a_boilerplate_row_carries_its_page_lines_only_when_it_has_a_page(tmp_path: Path) -> None:
    page = tmp_path / "demo_app"
    (page / "templates").mkdir(parents=True)
    (page / "views.py").write_text("# file concern: ui\nX = 1\nY = 2\n")
    (page / "templates" / "page.html").write_text("<p>{{ x }}</p>\n")
    api = tmp_path / "api_app"
    api.mkdir()
    (api / "views.py").write_text("# file concern: routing\nX = 1\n")
    assert count_package(page).page_lines == page_lines(page) == {"Python": 2, "HTML/Jinja": 1}
    assert count_package(api).page_lines == {}


@dataclass
class Bench:
    """The harness as PagePeople sees it: settings, records and their exact answers, no core to pin to."""

    settings: plan.Settings
    records: Sequence[dict[str, Any]]
    expected: Sequence[dict[str, Any]]

    def generator_cores_for(self, run: Run) -> list[int]:
        return []


@pytest.mark.live
def test_a_repeat_against_the_shipped_flask_page_answers_every_submit(
    loan: Predictor, loan_validator: Validator
) -> None:
    records = [{**loan.spec.example_record(), "age": age} for age in range(30, 40)]
    bench = Bench(plan.SMOKE, records, [expected_answer(loan, loan_validator, r) for r in records])
    scenario = PagePeople(2)
    target = front_end("flask_app")
    with running(target, "loan") as server:
        run = Run(target, [scenario], server=server)
        done = scenario.run(bench, run)  # type: ignore[arg-type]  # the parts of Bench PagePeople uses
    assert done.samples > 0
    assert (done.errors, done.non_200, done.refused) == (0, 0, 0)
    assert done.extra["rss_before_mb"] > 50  # Python, NumPy, scikit-learn and the model at least
