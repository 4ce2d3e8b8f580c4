"""The calibration probe on real processes: each core alone, then every core at once, and no helper left behind."""

from __future__ import annotations

import psutil

from benchmarks.affinity import available_cores
from benchmarks.calibration import TOGETHER, Calibration, probe_together_ms


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
