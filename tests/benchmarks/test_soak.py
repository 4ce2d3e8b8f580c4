"""The soak's verdict: what passes, what fails, and what the host's slowing leaves undecided (the soak itself is
`make soak`, outside `make test`)."""

from __future__ import annotations

import pytest

from benchmarks.soak import HOST_SLOWED, SoakRun


def soak_run(
    *,
    rss_mib: list[float],
    refused: list[int] | None = None,
    refused_sent_late: list[int] | None = None,
    host_probe_ms: list[float] | None = None,
    errors: int = 0,
) -> SoakRun:
    slices = refused or [0]
    return SoakRun(
        "fastapi_app",
        capacity_rps=400.0,
        rate_rps=200.0,
        seconds=600.0,
        rss_mib=rss_mib,
        requests=120_000,
        errors=errors,
        refused_by_slice=slices,
        refused_sent_late_by_slice=refused_sent_late or [0] * len(slices),
        host_probe_ms=host_probe_ms or [],
    )


SLOWED_IN_SECOND = [12.0, 12.5, 12.0 * HOST_SLOWED * 1.1]  # before the capacity, after slice 1, after slice 2


def test_steady_memory_and_no_failure_passes() -> None:
    run = soak_run(rss_mib=[266.6, 267.3, 267.3])
    assert run.rss_growth == pytest.approx(0.0026, abs=1e-4)
    assert run.passed
    assert run.verdict == "passed"


@pytest.mark.parametrize(
    ("run", "why"),
    [
        (soak_run(rss_mib=[250.0, 280.0]), "RSS grew 12 %"),
        (soak_run(rss_mib=[250.0, 250.0], errors=1), "a request failed"),
        (
            soak_run(rss_mib=[250.0, 250.0], refused=[5], refused_sent_late=[4]),
            "one sent on time was refused",
        ),
        (
            soak_run(rss_mib=[250.0, 250.0], refused=[3, 0], host_probe_ms=SLOWED_IN_SECOND),
            "refused on time while the host ran as fast as at the start",
        ),
        (
            soak_run(rss_mib=[250.0, 250.0], refused=[0, 3], host_probe_ms=SLOWED_IN_SECOND, errors=1),
            "a request failed, however slow the host",
        ),
    ],
)
def test_growth_failures_and_refusals_on_time_fail(run: SoakRun, why: str) -> None:
    assert run.verdict == "FAILED", why
    assert not run.passed


def test_refusals_of_the_stalled_generators_bursts_alone_pass() -> None:
    assert soak_run(rss_mib=[250.0, 250.0], refused=[101], refused_sent_late=[101]).passed


def test_refusals_only_while_the_host_had_slowed_are_inconclusive() -> None:
    run = soak_run(
        rss_mib=[250.0, 250.0], refused=[2, 13], refused_sent_late=[2, 0], host_probe_ms=SLOWED_IN_SECOND
    )
    assert run.host_slowdown(0) == pytest.approx(12.5 / 12.0)
    assert run.host_slowdown(1) == pytest.approx(HOST_SLOWED * 1.1)
    assert run.refused_while_host_slowed == 13
    assert run.verdict == "inconclusive"
    assert not run.passed


def test_a_run_without_probes_judges_every_slice_as_calm() -> None:
    run = soak_run(rss_mib=[250.0, 250.0], refused=[0, 13])
    assert run.host_slowdown(1) == 1.0
    assert run.verdict == "FAILED"
