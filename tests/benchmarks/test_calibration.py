"""The calibration probe on real processes: each core alone, then every core at once, and no helper left behind."""

from __future__ import annotations

import sys
from pathlib import Path

import psutil
import pytest

from benchmarks.affinity import available_cores
from benchmarks.calibration import TOGETHER, Calibration, HelperFailed, probe_together_ms


def test_the_probe_times_every_core_at_once_and_reaps_its_helpers() -> None:
    # Two loops on one core work on any machine: the helper process and this one share core 0.
    together = probe_together_ms([0, 0])
    assert len(together) == 2
    assert all(ms > 0 for ms in together)
    assert psutil.Process().children() == []


def test_each_moment_probes_the_cores_alone_and_together() -> None:
    cores = available_cores()[:2]
    calibration = Calibration(cores)
    calibration.probe("after round 1")
    moments = [(probe.moment, probe.core) for probe in calibration.probes]
    alone = [("after round 1", core) for core in cores]
    assert moments == (
        alone if len(cores) == 1 else [*alone, *((f"after round 1, {TOGETHER}", c) for c in cores)]
    )


def test_a_helper_that_cannot_run_on_its_core_fails_with_its_cause() -> None:
    # No machine here has core 999: the helper cannot pin itself there, so it stops before it says "ready".
    with pytest.raises(HelperFailed, match="core 999 gave no time: cannot run pinned to core 999"):
        probe_together_ms([0, 999])
    assert psutil.Process().children() == []


def test_a_failed_probe_leaves_the_run_measured_but_unstable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Every helper exits at once, saying nothing: a stand-in interpreter that only fails.
    dies = tmp_path / "dies"
    dies.write_text("#!/bin/sh\nexit 1\n", encoding="ascii")
    dies.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(dies))
    calibration = Calibration([0, 0])
    calibration.probe("after round 1")
    stability = calibration.finish()
    assert [probe.moment for probe in stability.probes] == ["after round 1"] * 2 + ["after"] * 2
    assert not stability.stable
    assert stability.reasons[-2:] == [
        f"a calibration probe failed ({moment}, {TOGETHER}: the helper on core 0 gave no time: exit status 1, "
        "no error output)"
        for moment in ("after round 1", "after")
    ]
