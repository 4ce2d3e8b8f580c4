"""Verdicts and the ranking follow the figures: swap two front ends' figures and the picks swap too."""

from __future__ import annotations

import pytest

from benchmarks.results import Figure, Measurement, PairedRatio, Results
from report.compare import changes, significant_changes
from report.figures import headlines, normalised
from report.scoring import DEFAULT_WEIGHTS, WeightsError, parse_weights, rank
from report.verdicts import Verdict, verdicts
from tests.report.sample_results import fig, legacy, sample_results

API = "Public JSON API under load"
UI = "Tool for non-programmers"
LINES = "Prototype in an afternoon"
FLASK = "Existing Flask codebase"
MEMORY = "Tight memory budget"


def picks(results: Results) -> dict[str, str | None]:
    return {verdict.need: verdict.pick for verdict in verdicts(normalised(results))}


def swapped(results: Results, left: str, right: str) -> Results:
    """The same run with two front ends' names exchanged: every figure of one now belongs to the other."""
    names = {left: right, right: left}
    targets = [t.model_copy(update={"name": names.get(t.name, t.name)}) for t in results.targets]
    rows = [
        row.model_copy(update={"front_end": names.get(row.front_end, row.front_end)})
        for row in results.boilerplate
    ]
    return results.model_copy(update={"targets": targets, "boilerplate": rows})


def test_each_need_gets_a_pick_from_a_named_rule() -> None:
    assert picks(sample_results()) == {
        API: "fastapi",
        UI: "streamlit",
        LINES: "streamlit",
        FLASK: "flask",
        MEMORY: "fastapi",
    }
    for verdict in verdicts(sample_results()):
        assert verdict.evidence, verdict.rule
        assert verdict.caveats, verdict.rule


def test_swapping_flask_and_fastapi_figures_swaps_the_verdicts() -> None:
    after = picks(swapped(sample_results(), "flask_app", "fastapi_app"))
    assert after[API] == "flask"
    assert after[MEMORY] == "flask"
    # Flask now has the better throughput, so staying on it is still the call.
    assert after[FLASK] == "flask"


def slowed(measurement: Measurement) -> Measurement:
    """The measurement with its throughput (closed loop) or capacity (Server) cut to 100 req/s."""
    key = {"closed_loop": "throughput_rps", "server": "capacity_rps"}.get(measurement.scenario)
    if key is None:
        return measurement
    return measurement.model_copy(update={"figures": {**measurement.figures, key: fig("req/s", 100.0)}})


def with_flask_slowed(results: Results) -> Results:
    """The run with Flask's throughput figures cut to 100 req/s."""
    slow = [
        t.model_copy(update={"measurements": [slowed(m) for m in t.measurements]})
        if t.name == "flask_app"
        else t
        for t in results.targets
    ]
    return results.model_copy(update={"targets": slow})


def test_a_much_slower_flask_recommends_moving_to_fastapi() -> None:
    assert picks(with_flask_slowed(sample_results()))[FLASK] == "fastapi"


def with_flask_fastapi_pairs(results: Results, *fastapi_over_flask: float) -> Results:
    """The run with FastAPI's capacity over Flask's measured pair by pair, one value per round."""
    pair = PairedRatio(
        name="flask_app (shipped, 1w) over fastapi_app (shipped, 1w): capacity at the SLO",
        numerator="fastapi_app (shipped, 1w)",
        denominator="flask_app (shipped, 1w)",
        metric="capacity_rps",
        ratio=Figure.of("×", list(fastapi_over_flask)),
        within_noise=False,
    )
    return results.model_copy(update={"paired_ratios": [*results.paired_ratios, pair]})


def test_flask_is_left_only_when_every_pair_puts_it_under_half_of_fastapi() -> None:
    # The sample's medians keep Flask above half; the pairs, measured back to back, decide.
    moved = verdicts(normalised(with_flask_fastapi_pairs(sample_results(), 2.2, 2.5, 2.8)))
    (verdict,) = [v for v in moved if v.need == FLASK]
    assert verdict.pick == "fastapi"
    assert verdict.key_figure.startswith("Flask serves 0.40× (0.36–0.45, pair by pair)")


def test_pairs_across_the_half_line_keep_flask_even_when_the_medians_fall_under_it() -> None:
    noisy = with_flask_fastapi_pairs(with_flask_slowed(sample_results()), 1.5, 2.4, 2.6)
    (verdict,) = [v for v in verdicts(normalised(noisy)) if v.need == FLASK]
    assert verdict.pick == "flask"
    assert any(caveat.startswith("Within noise of the 50% line") for caveat in verdict.caveats)


def test_a_front_end_that_failed_the_contract_is_never_picked() -> None:
    results = sample_results()
    failed = [
        t.model_copy(update={"verified": False}) if t.name == "fastapi_app" else t for t in results.targets
    ]
    after = picks(results.model_copy(update={"targets": failed}))
    assert after[API] == "flask"
    assert "fastapi" not in [
        score.front_end
        for score in rank(
            headlines(normalised(results.model_copy(update={"targets": failed}))),
            parse_weights(DEFAULT_WEIGHTS),
        )
    ]


def test_weights_change_the_ranking() -> None:
    heads = headlines(normalised(sample_results()))
    by_speed = [s.front_end for s in rank(heads, parse_weights("latency:1,throughput:1"))]
    by_size = [s.front_end for s in rank(heads, parse_weights("loc:1"))]
    assert by_speed[0] == "fastapi"
    assert by_size == ["streamlit", "fastapi", "flask"]
    top = rank(heads, parse_weights("loc:1"))[0]
    assert top.score == 1.0
    assert top.parts == {"loc": 1.0}


def test_score_is_the_weighted_mean_of_best_over_value() -> None:
    heads = headlines(normalised(sample_results()))
    flask = next(s for s in rank(heads, parse_weights("loc:2,memory:1")) if s.front_end == "flask")
    assert flask.parts["loc"] == pytest.approx(150 / 260)
    assert flask.parts["memory"] == pytest.approx(181 / 190)
    assert flask.score == pytest.approx((2 * 150 / 260 + 181 / 190) / 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("speed:1", "unknown weight key 'speed'"),
        ("latency", "needs the form key:number"),
        ("latency:fast", "is not a number"),
        ("latency:-1", "must be zero or more"),
        ("latency:1,latency:2", "given twice"),
        ("latency:0", "at least one weight"),
        ("", "at least one weight"),
    ],
)
def test_bad_weights_are_errors(text: str, message: str) -> None:
    with pytest.raises(WeightsError, match=message):
        parse_weights(text)


def test_a_change_counts_only_outside_the_old_range_and_beyond_ten_percent() -> None:
    old = sample_results()

    def scaled(factor: float) -> Results:
        targets = [
            t.model_copy(
                update={
                    "measurements": [
                        m.model_copy(
                            update={
                                "figures": {
                                    k: fig(f.unit, f.median * factor, 0.01) if k == "throughput_rps" else f
                                    for k, f in m.figures.items()
                                }
                            }
                        )
                        for m in t.measurements
                    ]
                }
            )
            for t in old.targets
        ]
        return old.model_copy(update={"targets": targets})

    assert significant_changes(old, scaled(1.04)) == []  # inside the old ±5 % spread
    assert significant_changes(old, scaled(1.08)) == []  # outside the spread but not beyond 10 %
    counted = significant_changes(old, scaled(1.25))
    assert counted
    assert {c.key for c in counted} == {"throughput_rps"}
    assert all(c.relative == pytest.approx(0.25) for c in counted)
    assert len(changes(old, old)) > len(counted)


def with_p99_at_peak(results: Results, name: str, p99_ms: float) -> Results:
    """The run with `name`'s p99 at its highest closed-loop concurrency replaced."""

    def changed(target_name: str, measurement: Measurement) -> Measurement:
        if target_name != name or measurement.scenario != "closed_loop":
            return measurement
        if measurement.params["concurrency"] != 32:
            return measurement
        return measurement.model_copy(
            update={"figures": {**measurement.figures, "p99_ms": fig("ms", p99_ms)}}
        )

    targets = [
        t.model_copy(update={"measurements": [changed(t.name, m) for m in t.measurements]})
        for t in results.targets
    ]
    return results.model_copy(update={"targets": targets})


def test_a_pick_whose_tail_turns_past_saturation_carries_a_caveat() -> None:
    def api_caveats(results: Results) -> list[str]:
        (api,) = [v for v in verdicts(normalised(results)) if v.need == API]
        assert api.pick == "fastapi"
        return [c for c in api.caveats if c.startswith("Past saturation")]

    assert api_caveats(sample_results()) == []
    turned = with_p99_at_peak(with_p99_at_peak(sample_results(), "fastapi_app", 1900.0), "flask_app", 200.0)
    assert api_caveats(turned) == [
        "Past saturation the tail turns: at c=32 fastapi's p99 is 1,900 ms against flask's 200 ms. "
        "Cap concurrent requests per worker (or add workers) before the queue grows that long."
    ]


def test_the_api_verdict_rests_on_capacity_at_the_slo_and_falls_back_to_c8_for_older_files() -> None:
    def api(results: Results) -> Verdict:
        (found,) = [v for v in verdicts(normalised(results)) if v.need == API]
        return found

    current, older = api(sample_results()), api(legacy(sample_results()))
    assert (current.rule, current.pick) == ("highest_capacity_at_slo", "fastapi")
    assert current.key_figure == "1,008 req/s capacity at p99 ≤ 50 ms (against flask 624 req/s)"
    assert all("capacity at p99 ≤ 50 ms" in line for line in current.evidence)
    assert (older.rule, older.pick) == ("highest_throughput_at_c8", "fastapi")
    assert all("closed-loop throughput at c=8" in line for line in older.evidence)
    heads = {h.front_end: h for h in headlines(normalised(sample_results()))}
    assert heads["flask"].value("throughput") == pytest.approx(624.0)  # the ranking weighs capacity too


def test_a_verdict_is_unstable_when_its_figures_spread_or_the_run_was_unstable() -> None:
    def steadiness(results: Results) -> dict[str, tuple[bool, str]]:
        return {v.need: (v.steady, v.steadiness) for v in verdicts(normalised(results))}

    calm = steadiness(sample_results())
    assert calm[API] == (True, "stable: every figure spreads ≤ 25 %")
    assert calm[LINES] == (True, "counted, not timed")
    assert steadiness(legacy(sample_results()))[API][1].endswith("the machine's stability was not recorded")
    assert steadiness(sample_results(stable=False))[MEMORY] == (
        False,
        "unstable: the run was unstable",
    )
    wide = [
        t.model_copy(
            update={
                "measurements": [
                    m.model_copy(update={"figures": {**m.figures, "capacity_rps": fig("req/s", 600.0, 0.2)}})
                    if m.scenario == "server"
                    else m
                    for m in t.measurements
                ]
            }
        )
        if t.name == "flask_app"
        else t
        for t in sample_results().targets
    ]
    steady, text = steadiness(sample_results().model_copy(update={"targets": wide}))[API]
    assert not steady
    assert text == "unstable: flask capacity at p99 ≤ 50 ms spreads 40 % (> 25 %)"


def clicked(results: Results, click_ms: dict[str, float]) -> Results:
    """The run with a browser click → result figure on each named front end's shipped target."""
    targets = [
        t.model_copy(
            update={
                "measurements": [
                    *t.measurements,
                    Measurement(
                        scenario="browser",
                        params={"submits": 20},
                        figures={"submit_to_result_ms": fig("ms", click_ms[t.name], spread=0.1)},
                    ),
                ]
            }
        )
        if t.name in click_ms and t.shipped
        else t
        for t in results.targets
    ]
    return results.model_copy(update={"targets": targets})


def non_programmers_verdict(results: Results) -> Verdict:
    return next(v for v in verdicts(normalised(results)) if v.need == UI)


def test_the_ui_verdict_compares_both_pages_click_to_result() -> None:
    slower_flask = non_programmers_verdict(
        clicked(sample_results(), {"streamlit_app": 45.0, "flask_app": 90.0})
    )
    assert slower_flask.pick == "streamlit"
    assert slower_flask.key_figure == "click → result 45 ms in Chromium"
    assert any(
        line.startswith("flask page: click → result in Chromium 90 ms") for line in slower_flask.evidence
    )
    assert not any("answers a click sooner" in caveat for caveat in slower_flask.caveats)
    faster_flask = non_programmers_verdict(
        clicked(sample_results(), {"streamlit_app": 90.0, "flask_app": 45.0})
    )
    # Python alone still decides for people who write no HTML; a faster Flask page is said, not picked.
    assert faster_flask.pick == "streamlit"
    assert any(
        "The Flask page answers a click sooner (45 ms against 90 ms)" in c for c in faster_flask.caveats
    )
