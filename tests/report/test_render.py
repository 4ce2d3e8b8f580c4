"""The report is written as Markdown and self-contained HTML, from a results file alone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from benchmarks.results import Results
from report.__main__ import main
from report.charts import BUILDERS
from report.contents import reproducing
from report.loading import newest_results
from report.soak import Soak, soak_rows
from report.tables import Row
from tests.report.sample_results import legacy, paired, sample_results


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    results = folder / "results.in.json"
    results.write_text(sample_results(quick=True).model_dump_json(), encoding="utf-8")
    assert main(["--results", str(results), "--out", str(folder / "out"), "--baseline", str(results)]) == 0
    return folder / "out"


def test_markdown_and_html_hold_verdicts_tables_and_every_chart(written: Path) -> None:
    markdown = (written / "report.md").read_text()
    html = (written / "report.html").read_text()
    for text in (markdown, html):
        assert "QUICK RUN — NOT FOR DECISIONS" in text
        for heading in (
            "Verdicts",
            "Ranking",
            "Framework overhead",
            "Variants",
            "Contract",
            "Feature matrix",
            "Method and environment",
        ):
            assert heading in text
        assert "highest_capacity_at_slo" in text
        assert "latency:3" in text
    assert len(re.findall(r'<figure class="chart" data-chart="', html)) == len(BUILDERS)
    assert len(list((written / "charts").glob("*.svg"))) == len(BUILDERS)
    assert "No figure changed by that rule." in markdown
    assert (written / "results.json").is_file()


def test_a_report_rebuilds_from_the_results_kept_beside_it(written: Path) -> None:
    before = (written / "report.md").read_text()
    assert main(["--results", str(written / "results.json"), "--out", str(written)]) == 0
    after = (written / "report.md").read_text()

    def verdicts(text: str) -> str:
        return text.split("## Verdicts")[1].split("## Charts", maxsplit=1)[0]

    assert verdicts(after) == verdicts(before)


def test_html_needs_no_network(written: Path) -> None:
    html = (written / "report.html").read_text()
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', html)
    assert "<script" not in html
    assert "<link" not in html
    assert "@import" not in html


def test_cli_rejects_unknown_weights_and_malformed_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    results = tmp_path / "results.json"
    results.write_text(sample_results().model_dump_json(), encoding="utf-8")
    assert main(["--results", str(results), "--weights", "speed:1", "--out", str(tmp_path)]) == 2
    assert "unknown weight key 'speed'" in capsys.readouterr().err
    results.write_text('{"schema_version": "1.0"}', encoding="utf-8")
    assert main(["--results", str(results), "--out", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "does not match the schema 1.0 (" in error
    assert error.count("\n") == 1


def test_html_is_the_markdown_rendered_so_the_two_cannot_differ(written: Path) -> None:
    markdown = (written / "report.md").read_text()
    html = (written / "report.html").read_text()
    headings = re.findall(r"^#{1,3} (.+)$", markdown, flags=re.MULTILINE)
    assert len(headings) > 10
    for text in headings:
        assert re.search(rf"<h[1-3] id=\"[a-z0-9-]+\">{re.escape(text)}</h[1-3]>", html), text
    assert markdown.count("\n| ") == html.count("<tr>")


def test_text_from_the_results_cannot_break_a_table_or_inject_markup(tmp_path: Path) -> None:
    results = sample_results()
    hostile = "bad | cell <script>alert(1)</script>"
    rows = [row.model_copy(update={"passed": False, "failures": [hostile]}) for row in results.contract]
    source = tmp_path / "results.json"
    source.write_text(results.model_copy(update={"contract": rows}).model_dump_json(), encoding="utf-8")
    assert main(["--results", str(source), "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert "<script" not in html
    assert "<td>bad | cell &lt;script&gt;alert(1)&lt;/script&gt;</td>" in html


def markdown_of(results: Results, folder: Path) -> str:
    source = folder / "results.json"
    source.write_text(results.model_dump_json(), encoding="utf-8")
    assert main(["--results", str(source), "--out", str(folder / "out")]) == 0
    return (folder / "out" / "report.md").read_text(encoding="utf-8")


def test_schema_1_2_sections_are_rendered(written: Path) -> None:
    markdown = (written / "report.md").read_text()
    summary = markdown.split("## Summary")[1].split("## Verdicts")[0]
    assert "The run was **stable**: calibration probes moved 2 % (limit 10 %)" in summary
    assert "| Public JSON API under load | **fastapi** | 1,008 req/s capacity at p99 ≤ 50 ms" in summary
    capacity = markdown.split("## Capacity at the latency SLO (Server)")[1].split("## Charts")[0]
    assert "| fastapi | shipped | 2 | p99 ≤ 50 ms | 2,016 (1,915–2,117) req/s |" in capacity
    assert (
        "| flask | shipped, 1w | 2 | 811 | 803 | 81.0 | 2,150 | 2 / 0 | failed: p99 81.0 ms > 50 ms, 2 errors |"
        in capacity
    )
    assert (
        "| flask | shipped, 1w | 1 | 811 | 803 | 81.0 | — | 0 / 0 | failed: p99 81.0 ms > 50 ms |" in capacity
    )
    assert "passed: p99 41.0 ms ≤ 50 ms" in capacity
    overhead = markdown.split("## Framework overhead")[1].split("## Variants")[0]
    (fastapi_p50,) = [
        line for line in overhead.splitlines() if line.startswith("| fastapi (shipped, 1w) over")
    ]
    assert "within noise" in fastapi_p50
    assert "a finding" not in fastapi_p50
    # The floor sits on top of a capacity ratio, yet the reading names the front end as the costlier.
    (flask_capacity,) = [line for line in overhead.splitlines() if "capacity at the SLO" in line]
    assert "| flask (shipped, 1w) costs 1.20× |" in flask_capacity

    assert (
        "Flask's layer costs 2.80 M instructions per request (2.66 M–2.94 M), 33 % of the request" in overhead
    )
    assert "FastAPI's layer costs 0.90 M instructions per request" in overhead
    assert "In-process predict alone costs 4.90 M instructions per request." in overhead
    assert "| after round 2 | 20.2 | 20.2 |" in markdown.split("### Stability")[1]
    assert "UNSTABLE RUN" not in markdown


def test_a_ratio_below_one_names_the_other_target_as_the_costlier() -> None:
    from report.overhead import reading

    faster = paired("flask_app", "wsgi-floor", "capacity_rps", "capacity at the SLO", median=0.8, spread=0.05)
    assert reading(faster) == "wsgi-floor (default, 1w) costs 1.25×"
    slower = paired("flask_app", "wsgi-floor", "p50_ms", "SingleStream p50", median=0.5, spread=0.05)
    assert reading(slower) == "wsgi-floor (default, 1w) costs 2.00×"


def test_an_unstable_run_opens_with_a_banner_and_its_reasons(tmp_path: Path) -> None:
    markdown = markdown_of(sample_results(stable=False), tmp_path)
    first = markdown.split("## Summary")[0]
    assert "> **⚠ UNSTABLE RUN" in first
    assert "core 0 after round 2: 30.2 ms against 20.0 ms" in first
    assert "The run was **unstable**" in markdown


def test_an_older_file_says_what_it_lacks_and_falls_back(tmp_path: Path) -> None:
    markdown = markdown_of(legacy(sample_results()), tmp_path)
    assert (
        "has no Server scenario: the API verdict and the ranking's throughput rest on closed-loop" in markdown
    )
    assert "This results file has no paired ratios" in markdown
    assert "| flask | 1.100 (1.045–1.155) ms | 1.57× |" in markdown  # the unpaired fallback
    assert "highest_throughput_at_c8" in markdown
    assert "Not recorded: calibration probes and steal time start with results schema 1.2" in markdown


SOAK = {
    "kind": "soak",
    "started": "2026-12-02T01:00:00+00:00",
    "model": "loan",
    "max_rss_growth": 0.1,
    "runs": [
        {
            "front_end": "flask_app",
            "capacity_rps": 600.0,
            "rate_rps": 300.0,
            "seconds": 600.0,
            "rss_mib": [190.0, 191.0, 192.5],
            "requests": 180000,
            "errors": 0,
            "non_200": 0,
            "refused": 0,
            "rss_growth": 192.5 / 190.0 - 1,
            "passed": True,
        },
        {
            "front_end": "fastapi_app",
            "capacity_rps": 1000.0,
            "rate_rps": 500.0,
            "seconds": 600.0,
            "rss_mib": [180.0, 210.0],
            "requests": 300000,
            "errors": 3,
            "non_200": 0,
            "refused": 0,
            "rss_growth": 210.0 / 180.0 - 1,
            "passed": False,
        },
    ],
}


def test_the_newest_soak_beside_the_results_is_a_section_and_travels_with_the_report(tmp_path: Path) -> None:
    (tmp_path / "soak-20261201T000000Z.json").write_text(
        json.dumps({**SOAK, "model": "old"}), encoding="utf-8"
    )
    (tmp_path / "soak-20261202T010000Z.json").write_text(json.dumps(SOAK), encoding="utf-8")
    markdown = markdown_of(sample_results(), tmp_path)
    soak = markdown.split("## Soak (make soak)")[1].split("## Contract")[0]
    assert "`soak-20261202T010000Z.json`, started 2026-12-02T01:00:00+00:00, model loan" in soak
    assert (
        "| flask | 300 req/s (50 % of 600) | 600 s | 180,000 | 190.0 → 192.5 MiB (+1.3 %) | 0 / 0 / 0 | — | passed |"
        in soak
    )
    assert (
        "| fastapi | 500 req/s (50 % of 1,000) | 600 s | 300,000 | 180.0 → 210.0 MiB (+16.7 %) | 3 / 0 / 0 | — | FAILED"
        in soak
    )
    # Kept beside the report's results, a rebuild from there finds it again.
    assert (tmp_path / "out" / "soak-20261202T010000Z.json").is_file()
    assert main(["--results", str(tmp_path / "out" / "results.json"), "--out", str(tmp_path / "out")]) == 0
    assert "`soak-20261202T010000Z.json`" in (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_a_soak_run_with_settings_of_its_own_says_which(tmp_path: Path) -> None:
    (tmp_path / "soak-20261202T010000Z.json").write_text(
        json.dumps({**SOAK, "settings": {"SERVEBENCH_MAX_INFLIGHT": "8"}}), encoding="utf-8"
    )
    soak = markdown_of(sample_results(), tmp_path).split("## Soak (make soak)")[1].split("## Contract")[0]
    assert (
        "each HTTP front end (1 worker, with `SERVEBENCH_MAX_INFLIGHT=8` over the shipped settings) held"
        in soak
    )


def _soak_row_refusing_13(**fields: object) -> Row:
    """The row of the sample's FastAPI run with steady memory, no errors and 13 refused, changed by `fields`."""
    runs = SOAK["runs"]
    assert isinstance(runs, list)
    run = {**runs[1], "rss_mib": [180.0, 180.0], "errors": 0, "refused": 13, **fields}
    (row,) = soak_rows(Soak.model_validate({**SOAK, "runs": [run]}))
    return row


def test_a_soaks_refusals_are_told_apart_and_the_capacity_after_shown() -> None:
    row = _soak_row_refusing_13(refused_by_app=4, refused_sent_late=2, capacity_after_rps=600.0)
    assert row.cells[1] == "500 req/s (50 % of 1,000; 600 after)"
    assert row.cells[5] == "0 / 0 / 13 (4 by the app, 2 in the stalled generator's bursts)"
    assert row.cells[6] == "—"  # an older file: the host was not timed
    assert row.cells[7].startswith("FAILED")


def test_a_soak_refused_only_while_the_host_had_slowed_is_inconclusive() -> None:
    row = _soak_row_refusing_13(
        refused_while_host_slowed=13, host_probe_ms=[12.0, 12.4, 21.6], passed=False, verdict="inconclusive"
    )
    assert (
        row.cells[5]
        == "0 / 0 / 13 (0 by the app, 0 in the stalled generator's bursts, 13 while the host had slowed)"
    )
    assert row.cells[6] == "1.80×"
    assert row.cells[7].startswith("inconclusive")


def test_without_a_soak_the_report_says_how_to_get_one(written: Path) -> None:
    assert (
        "No soak results beside this results file: `make soak` writes" in (written / "report.md").read_text()
    )


@pytest.mark.parametrize("beside", ["soak", "pages", "io", "scale-out", "limits"])
def test_latest_skips_the_other_measurements_files(tmp_path: Path, beside: str) -> None:
    (tmp_path / "20261201T000000Z.json").write_text("{}", encoding="utf-8")
    (tmp_path / f"{beside}-20261202T000000Z.json").write_text("{}", encoding="utf-8")
    assert newest_results(tmp_path).name == "20261201T000000Z.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"schema_version": "2.0"}',
            "results schema version '2.0' is unknown to this report, which reads 1.0, 1.1, 1.2, 1.3",
        ),
        ('{"mode": "full"}', "results schema version None is unknown"),
        ("not json", "not a readable JSON results file"),
    ],
)
def test_an_unreadable_results_file_is_one_line_of_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    results = tmp_path / "results.json"
    results.write_text(text, encoding="utf-8")
    assert main(["--results", str(results), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert message in error
    assert error.count("\n") == 1
    assert error.startswith(f"error: {results}: ")


def test_the_report_says_how_to_ask_for_its_plan_again_and_how_many_rounds_searched(tmp_path: Path) -> None:
    results = sample_results()
    assert reproducing(results) == "make report"
    rounds = results.plan.repeats + 6
    plan = results.plan.model_copy(update={"capacity_rounds": rounds, "slo_ms": 100.0})
    asked = sample_results(quick=True).model_copy(update={"plan": plan})
    command = f"make report QUICK=1 CAPACITY_ROUNDS={rounds} SLO_MS=100"
    assert reproducing(asked) == command
    source = tmp_path / "results.in.json"
    source.write_text(asked.model_dump_json(), encoding="utf-8")
    assert main(["--results", str(source), "--out", str(tmp_path / "out")]) == 0
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert f"capacity at the SLO of {rounds}: 6 more rounds searched it alone" in markdown
    assert f"{command} (measure afresh)" in markdown
