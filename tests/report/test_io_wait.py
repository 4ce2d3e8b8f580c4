"""bench-io in the report: the slot ceiling, the verdict rule for APIs that wait on I/O, and its chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from report.charts import io_wait_chart
from report.io_wait import IoWait, binding_delay_ms, limit_of, load_io, newest_io, slots_ceiling_rps
from report.loading import ResultsError
from report.verdicts import io_wait_api

FLASK_4, FLASK_16, FASTAPI = "flask gthread 4 threads", "flask gthread 16 threads", "fastapi async"


def results(capacities: dict[str, dict[float, list[float]]]) -> IoWait:
    threads = {FLASK_4: 4, FLASK_16: 16, FASTAPI: None}
    rows = [
        {"target": target, "threads": threads[target], "delay_ms": delay, "capacity_rps": values,
         "p99_ms": [40.0] * len(values)}
        for target, by_delay in capacities.items()
        for delay, values in by_delay.items()
    ]  # fmt: skip
    return IoWait(model="loan_store", slo_ms=50, repeats=3, workers=1, link="proxy", rows=rows)  # type: ignore[arg-type]


# Made-up figures shaped like the ceilings: 300/s of CPU; 4 threads bind early, 16 slots late.
MEASURED = results(
    {
        FLASK_4: {0.0: [290, 300, 310], 20.0: [150, 160, 170]},
        FLASK_16: {0.0: [280, 290, 300], 20.0: [260, 280, 295]},
        FASTAPI: {0.0: [300, 310, 320], 20.0: [290, 300, 305]},
    }
)


def test_the_slot_ceiling_and_where_it_binds() -> None:
    assert slots_ceiling_rps(4, 0.0, 300.0) == pytest.approx(1200.0)
    assert slots_ceiling_rps(4, 20.0, 300.0) == pytest.approx(4 / (0.020 + 1 / 300))
    # Where 4 slots at 300/s of CPU stop keeping up: 4 / (d + 1/300) = 300  =>  d = 10 ms.
    assert binding_delay_ms(4, 300.0) == pytest.approx(10.0)
    assert slots_ceiling_rps(4, binding_delay_ms(4, 300.0), 300.0) == pytest.approx(300.0)
    assert limit_of(MEASURED, FLASK_4) == "its 4 slots bind from +10 ms (CPU-bound 300 req/s)"
    assert limit_of(MEASURED, FASTAPI) == "its 16 slots bind from +48 ms (CPU-bound 310 req/s)"


def test_the_rule_picks_the_highest_capacity_at_the_longest_wait_and_names_a_tie() -> None:
    verdict = io_wait_api(MEASURED)
    assert verdict.pick == "fastapi"
    assert verdict.key_figure == "fastapi async: 300.0 req/s at +20 ms"
    assert verdict.caveats == [f"within the repeats' range of {FLASK_16}"]
    assert verdict.evidence[0].startswith(f"{FLASK_4} at +20 ms: 160.0 req/s (min 150.0, max 170.0)")


def test_without_a_long_enough_wait_there_is_no_pick() -> None:
    verdict = io_wait_api(results({FASTAPI: {0.0: [300.0]}, FLASK_4: {1.0: [290.0]}}))
    assert verdict.pick is None
    assert verdict.evidence == ["no delay of 5 ms or more was measured"]


def test_the_chart_draws_every_target(tmp_path: Path) -> None:
    chart = io_wait_chart(MEASURED)
    assert chart.key == "io_wait"
    assert chart.svg.startswith("<svg")
    for target in (FLASK_4, FLASK_16, FASTAPI):
        assert target in chart.svg


def test_the_newest_file_is_read_and_a_bad_one_refused(tmp_path: Path) -> None:
    (tmp_path / "io-20261202T000000Z.json").write_text(MEASURED.model_dump_json(), encoding="utf-8")
    newest = tmp_path / "io-20261202T010000Z.json"
    newest.write_text(json.dumps({"model": "x"}), encoding="utf-8")
    assert newest_io(tmp_path) == newest
    with pytest.raises(ResultsError, match="not a bench-io results file"):
        load_io(newest)
    assert load_io(tmp_path / "io-20261202T000000Z.json") == MEASURED
