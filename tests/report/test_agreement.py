"""Two runs side by side: every headline ratio, its difference, and whether the runs agree within 10 %."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.results import Figure, Results
from report import agreement
from report.agreement import AGREEMENT, Agreement, headline_ratios, main
from report.contents import build
from report.document import markdown
from report.figures import ratio_of
from report.scoring import DEFAULT_WEIGHTS, parse_weights
from tests.report.sample_results import sample_results

SINGLE_STREAM = "flask (shipped, 1w) over wsgi-floor (default, 1w): SingleStream p50"


def scaled(results: Results, factor: float, index: int = 0) -> Results:
    """The results with one paired ratio's every pair multiplied by `factor`."""
    ratios = list(results.paired_ratios)
    moved = ratios[index].ratio
    ratios[index] = ratios[index].model_copy(
        update={"ratio": Figure.of(moved.unit, [value * factor for value in moved.repeats])}
    )
    return results.model_copy(update={"paired_ratios": ratios})


def written(tmp_path: Path, name: str, results: Results) -> Path:
    path = tmp_path / name
    path.write_text(results.model_dump_json(), encoding="utf-8")
    return path


def test_every_kind_of_headline_ratio_is_listed() -> None:
    names = list(headline_ratios(sample_results()))
    assert SINGLE_STREAM in names
    assert "lever: a second worker over the shipped FastAPI, capacity" in names
    assert "lever: the framework (Flask) over the shipped FastAPI, capacity" in names
    assert "memory: streamlit idle RSS over fastapi's" in names
    assert "instructions: flask's layer share of a request" in names


def test_the_layer_share_is_the_layer_over_the_whole_request() -> None:
    # The sample's Flask app counts 12 M instructions a request, its WSGI floor 8 M: the layer is a third.
    share = headline_ratios(sample_results())["instructions: flask's layer share of a request"]
    assert share.median == pytest.approx(1 / 3)


def test_a_run_agrees_with_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = written(tmp_path, "a.json", sample_results())
    assert main([str(path), str(path)]) == 0
    out = capsys.readouterr().out
    assert f"agree within 10 % on all {len(headline_ratios(sample_results()))} headline ratios" in out
    assert "Run A: a.json, full plan" in out
    assert "stable (calibration moved 2 %" in out


@pytest.mark.parametrize(("factor", "agrees"), [(1.09, True), (0.91, True), (1.11, False), (0.85, False)])
def test_a_ratio_that_moved_more_than_ten_percent_disagrees(factor: float, agrees: bool) -> None:
    base = sample_results()
    items = {item.name: item for item in agreement.agreement(base, scaled(base, factor))}
    moved = items[SINGLE_STREAM]
    assert moved.difference == pytest.approx(factor - 1)
    assert moved.agrees is agrees
    assert all(item.agrees for name, item in items.items() if name != SINGLE_STREAM)


def test_a_disagreement_exits_non_zero_and_names_the_ratio(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = sample_results()
    a, b = written(tmp_path, "a.json", base), written(tmp_path, "b.json", scaled(base, 1.2))
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith(f"| {SINGLE_STREAM}"))
    assert "+20.0 %" in row
    assert "**NO** (> 10 %)" in row
    assert "DISAGREE on 1 of" in out


def test_a_ratio_only_one_run_has_is_shown_but_not_counted() -> None:
    base = sample_results()
    fewer = base.model_copy(update={"paired_ratios": base.paired_ratios[1:]})
    items = agreement.agreement(fewer, base)
    missing = next(item for item in items if item.name == SINGLE_STREAM)
    assert (missing.a, missing.agrees) == (None, None)
    assert agreement.rows([missing])[0][-1] == "not compared (only in run B)"


def test_both_runs_stability_and_a_different_commit_are_said(tmp_path: Path) -> None:
    calm, busy = sample_results(), sample_results(stable=False)
    env = busy.environment.model_copy(update={"git_revision": "f" * 40})
    text = agreement.text(
        (Path("a.json"), calm), (Path("b.json"), busy.model_copy(update={"environment": env}))
    )
    assert "Run B: b.json, full plan, git ffffffff" in text
    assert "unstable (calibration moved 50 %" in text
    assert "core 0 after round 2: 30.2 ms against 20.0 ms" in text
    assert "(Run B not recorded as stable" in text
    assert "(Not one clean commit" in text


def test_ratios_are_taken_round_by_round_or_else_from_the_extremes() -> None:
    top, bottom = Figure.of("req/s", [100.0, 200.0, 300.0]), Figure.of("req/s", [50.0, 100.0, 100.0])
    assert ratio_of(top, bottom) == Figure.of("×", [2.0, 2.0, 3.0])
    apart = ratio_of(top, bottom, paired=False)
    assert apart is not None
    assert (apart.min, apart.median, apart.max) == (1.0, 2.0, 6.0)
    # A repeat with no capacity gives no ratio of its own; none at all gives no figure.
    assert ratio_of(top, Figure.of("req/s", [0.0, 100.0, 100.0])) == Figure.of("×", [2.0, 3.0])
    assert ratio_of(top, Figure.of("req/s", [0.0, 0.0, 0.0])) is None


def test_the_threshold_is_relative_to_run_a() -> None:
    a, b = Figure.of("×", [1.0]), Figure.of("×", [1.0 + AGREEMENT])
    assert Agreement("x", a, b).agrees is True
    assert Agreement("x", a, Figure.of("×", [1.0 + AGREEMENT + 0.001])).agrees is False


def test_an_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert main([str(broken), str(broken)]) == 2
    assert "not a readable JSON results file" in capsys.readouterr().err


def test_the_report_shows_the_agreement_when_it_has_a_baseline() -> None:
    base = sample_results()
    with_baseline = markdown(build(scaled(base, 1.2), parse_weights(DEFAULT_WEIGHTS), baseline=base))
    section = with_baseline.split("## Agreement with the baseline run", 1)[1].split("\n## ", 1)[0]
    assert "Run A: the baseline, full plan" in section
    row = next(line for line in section.splitlines() if line.startswith(f"| {SINGLE_STREAM}"))
    assert "+20.0 %" in row
    assert "The runs DISAGREE on 1 of" in section
    assert "## Agreement with the baseline run" not in markdown(build(base, parse_weights(DEFAULT_WEIGHTS)))
