"""The capacity a load is sized from is the best of a few short wrk runs, taken on the cores asked for."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from benchmarks import wrk
from benchmarks.wrk import CAPACITY_CONNECTIONS, CAPACITY_RUN_S, CAPACITY_RUNS, WrkRun, best_throughput


def test_the_capacity_is_the_best_of_the_short_runs_on_the_cores_given(monkeypatch: pytest.MonkeyPatch):
    answered = iter([300, 700, 500])  # the middle run the only one no host stall slowed
    calls: list[tuple[int, float, Sequence[int]]] = []

    def one_run(
        url: str, bodies: Sequence[bytes], *, connections: int, duration_s: float, cores: Sequence[int]
    ):
        calls.append((connections, duration_s, cores))
        return WrkRun(requests=next(answered), duration_s=1.0, errors=0, non_200=0, percentiles_us={})

    monkeypatch.setattr(wrk, "run_wrk", one_run)
    assert best_throughput("http://127.0.0.1:1/v1/predict", [b"{}"], cores=[1]) == 700
    assert calls == [(CAPACITY_CONNECTIONS, CAPACITY_RUN_S, [1])] * CAPACITY_RUNS
