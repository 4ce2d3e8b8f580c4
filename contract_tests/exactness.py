"""How far a batched answer lies from the same record's answer alone: labels equal, floats within a bound.

Distances are counted in ULPs at the value's scale, at least 1 (for a probability: units of 2⁻⁵², the spacing of
doubles just below 1.0). Counted in the value's own ULPs instead, a small probability computed as 1 − p inherits p's
rounding and lies hundreds of its own ULPs away (512 seen here on loan): `raw_ulps` reports that too, unpinned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EPSILON = float(np.finfo(np.float64).eps)


@dataclass(slots=True)
class Deviation:
    """Batched answers against the same records' answers alone."""

    rows: int = 0
    rows_differing: int = 0  # rows whose floats differ in any bit
    max_ulps: float = 0.0  # at the value's scale, at least 1: the pinned measure
    max_raw_ulps: int = 0  # in the value's own ULPs
    label_mismatches: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} rows, {self.rows_differing} with other floats than alone, largest distance "
            f"{self.max_ulps:g} ULP at scale ({self.max_raw_ulps} in the values' own ULPs), "
            f"{len(self.label_mismatches)} other labels"
        )


def deviation(batched: Sequence[Mapping[str, Any]], alone: Sequence[Mapping[str, Any]]) -> Deviation:
    """Compare answer bodies (`{"prediction", "probabilities"?...}`) record by record."""
    found = Deviation(rows=len(alone))
    for index, (got, want) in enumerate(zip(batched, alone, strict=True)):
        if "probabilities" in want:
            if got.get("prediction") != want["prediction"]:
                found.label_mismatches.append(
                    f"record {index}: {got.get('prediction')!r} != {want['prediction']!r}"
                )
            keys = list(want["probabilities"])
            a = np.array([want["probabilities"][key] for key in keys], dtype=np.float64)
            b = np.array([got.get("probabilities", {}).get(key, np.nan) for key in keys], dtype=np.float64)
        else:
            a = np.array([want["prediction"]], dtype=np.float64)
            b = np.array([got.get("prediction", np.nan)], dtype=np.float64)
        if a.tobytes() != b.tobytes():
            found.rows_differing += 1
        scale = np.maximum(1.0, np.maximum(np.abs(a), np.abs(b)))
        found.max_ulps = max(found.max_ulps, float((np.abs(a - b) / (scale * EPSILON)).max()))
        found.max_raw_ulps = max(found.max_raw_ulps, raw_ulps(a, b))
    return found


def raw_ulps(a: np.ndarray, b: np.ndarray) -> int:
    """The largest count of doubles between paired values of the same sign (NaN: the largest int64)."""
    if np.isnan(a).any() or np.isnan(b).any() or (np.sign(a) * np.sign(b) < 0).any():
        return int(np.iinfo(np.int64).max)
    return int(np.abs(np.abs(a).view(np.int64) - np.abs(b).view(np.int64)).max())
