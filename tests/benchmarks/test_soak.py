"""The soak's verdict: what passes and what fails (the soak itself is `make soak`, outside `make test`)."""

from __future__ import annotations

import pytest

from benchmarks.soak import SoakRun


def soak_run(
    *, rss_mib: list[float], refused: int = 0, refused_sent_late: int = 0, errors: int = 0
) -> SoakRun:
    return SoakRun(
        "fastapi_app",
        capacity_rps=400.0,
        rate_rps=200.0,
        seconds=600.0,
        rss_mib=rss_mib,
        requests=120_000,
        errors=errors,
        refused_by_slice=[refused],
        refused_sent_late=refused_sent_late,
    )


def test_steady_memory_and_no_failure_passes() -> None:
    run = soak_run(rss_mib=[266.6, 267.3, 267.3])
    assert run.rss_growth == pytest.approx(0.0026, abs=1e-4)
    assert run.passed


@pytest.mark.parametrize(
    ("run", "why"),
    [
        (soak_run(rss_mib=[250.0, 280.0]), "RSS grew 12 %"),
        (soak_run(rss_mib=[250.0, 250.0], errors=1), "a request failed"),
        (soak_run(rss_mib=[250.0, 250.0], refused=5, refused_sent_late=4), "one sent on time was refused"),
    ],
)
def test_growth_failures_and_refusals_on_time_fail(run: SoakRun, why: str) -> None:
    assert not run.passed, why


def test_refusals_of_the_stalled_generators_bursts_alone_pass() -> None:
    assert soak_run(rss_mib=[250.0, 250.0], refused=101, refused_sent_late=101).passed
