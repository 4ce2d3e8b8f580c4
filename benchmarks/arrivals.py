"""When an open-loop generator sends each request: evenly spaced, or Poisson arrivals as MLPerf's Server scenario.

Offsets are seconds from the run's start, computed before it starts, so sending costs nothing but a comparison.
A seeded RNG makes a Poisson schedule the same in every run and every process.
"""

from __future__ import annotations

import random
from typing import Literal

Arrivals = Literal["uniform", "poisson"]
ARRIVALS: tuple[Arrivals, ...] = ("uniform", "poisson")
DEFAULT_SEED = 20261201


def offsets(
    rate: float, duration_s: float, arrivals: Arrivals = "uniform", seed: int = DEFAULT_SEED
) -> list[float]:
    """Send times (s from start, ascending, all < `duration_s`) of `rate` requests per second on average."""
    if rate <= 0 or duration_s <= 0:
        raise ValueError(f"rate and duration must be positive, not {rate} and {duration_s}")
    if arrivals == "uniform":
        return [index / rate for index in range(max(1, int(rate * duration_s)))]
    if arrivals != "poisson":
        raise ValueError(f"arrivals must be one of {ARRIVALS}, not {arrivals!r}")
    # Exponential gaps between arrivals are a Poisson process; the first request leaves at once.
    rng = random.Random(seed)
    times = [0.0]
    while (following := times[-1] + rng.expovariate(rate)) < duration_s:
        times.append(following)
    return times


def share(times: list[float], part: int, parts: int) -> list[float]:
    """Every `parts`-th send time from `part` on: one generator process's share of one schedule."""
    return times[part::parts]
