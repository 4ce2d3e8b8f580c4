"""The weighted ranking: score = Σ w · best/value over the keys, divided by Σ w (higher is better, 1 is best)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from report.figures import Headline

DEFAULT_WEIGHTS = "latency:3,throughput:1,memory:1,cold_start:1,loc:2"
HIGHER_IS_BETTER = {"throughput"}
KEYS = ("latency", "throughput", "memory", "cold_start", "loc")


class WeightsError(ValueError):
    """The WEIGHTS text cannot be used; the message says which part and why."""


@dataclass(frozen=True, slots=True)
class Score:
    """A front end's weighted score and each key's share of it (best/value, or value/best where higher wins)."""

    front_end: str
    score: float
    parts: dict[str, float | None]


def parse_weights(text: str) -> dict[str, float]:
    """`latency:3,throughput:1` → {"latency": 3.0, "throughput": 1.0}; an unknown key or a bad number is an error."""
    weights: dict[str, float] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, separator, number = item.partition(":")
        key = key.strip()
        if key not in KEYS:
            raise WeightsError(f"unknown weight key {key!r} (known: {', '.join(KEYS)})")
        if not separator:
            raise WeightsError(f"weight {item!r} needs the form key:number")
        try:
            weight = float(number)
        except ValueError:
            raise WeightsError(f"weight {item!r}: {number.strip()!r} is not a number") from None
        if not math.isfinite(weight) or weight < 0:
            raise WeightsError(f"weight {item!r} must be zero or more")
        if key in weights:
            raise WeightsError(f"weight key {key!r} given twice")
        weights[key] = weight
    if not weights or sum(weights.values()) == 0:
        raise WeightsError("at least one weight must be above zero")
    return weights


def rank(headlines: list[Headline], weights: dict[str, float]) -> list[Score]:
    """Score each verified front end; a key nobody measured is left out, one a front end lacks scores it 0."""
    candidates = [h for h in headlines if h.verified]
    scores = []
    for head in candidates:
        parts: dict[str, float | None] = {}
        total = weight_sum = 0.0
        for key, weight in weights.items():
            values = [v for v in (h.value(key) for h in candidates) if v is not None and v > 0]
            if not values:
                parts[key] = None
                continue
            mine = head.value(key)
            if mine is None or mine <= 0:
                share = 0.0
            elif key in HIGHER_IS_BETTER:
                share = mine / max(values)
            else:
                share = min(values) / mine
            parts[key] = share
            total += weight * share
            weight_sum += weight
        scores.append(Score(head.front_end, total / weight_sum if weight_sum else 0.0, parts))
    return sorted(scores, key=lambda s: (-s.score, s.front_end))
