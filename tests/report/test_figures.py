"""`report.figures.normalised` names a front end one way everywhere, so the report matches targets, not text."""

from __future__ import annotations

from report.figures import normalised, paired, shipped
from tests.report.sample_results import sample_results
from tests.report.test_verdicts_and_scores import with_flask_fastapi_pairs


def test_paired_ratios_and_instructions_name_the_renamed_targets() -> None:
    results = normalised(sample_results())
    labels = {target.label for target in results.targets}
    assert results.paired_ratios
    for ratio in results.paired_ratios:
        assert {ratio.numerator, ratio.denominator} <= labels, ratio
        costly, _, cheap = ratio.name.partition(": ")[0].partition(" over ")
        assert {costly, cheap} == {ratio.numerator, ratio.denominator}, ratio.name
    assert {item.target for item in results.instructions} == {
        "flask",
        "wsgi-floor",
        "fastapi",
        "asgi-floor",
        "in-process",
    }


def test_normalising_twice_changes_nothing() -> None:
    once = normalised(sample_results())
    assert normalised(once) == once


def test_a_pair_is_found_by_its_two_targets_and_its_metric() -> None:
    results = normalised(with_flask_fastapi_pairs(sample_results(), 2.0, 2.5))
    fastapi, flask = shipped(results, "fastapi"), shipped(results, "flask")
    found = paired(results, fastapi, flask, "capacity_rps")
    assert found is not None
    assert found.ratio.repeats == [2.0, 2.5]
    assert paired(results, flask, fastapi, "capacity_rps") is None  # the other way up was not measured
    assert paired(results, fastapi, flask, "throughput_rps") is None
    assert paired(results, None, flask, "capacity_rps") is None
