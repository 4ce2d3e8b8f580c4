"""Whether a figure, and the run it came from, is steady enough to act on."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.results import Figure, Stability

# A figure whose repeats spread more than this, (max − min) / median, is unsteady. On these machines repeated rounds
# agree within ±6 % in a calm window (a 12 % spread) and swing 2–3× in a noisy one (shared/notes/measurements.md):
# twice the calm spread still passes, while any noisy window that reached a figure shows.
SPREAD_LIMIT = 0.25


def spread(figure: Figure) -> float:
    """(max − min) / median; infinite for a zero median with any spread."""
    if figure.median == 0:
        return 0.0 if figure.max == figure.min else float("inf")
    return (figure.max - figure.min) / abs(figure.median)


def percent(fraction: float) -> str:
    """0.25 → `25 %`."""
    return f"{fraction * 100:.0f} %"


def run_word(stability: Stability | None) -> str:
    """`stable`, `unstable`, or `not recorded` (files before schema 1.2)."""
    if stability is None:
        return "not recorded"
    return "stable" if stability.stable else "unstable"


def judge(figures: Sequence[tuple[str, Figure]], stability: Stability | None) -> tuple[bool, str]:
    """Are these figures steady, and why not: each spread within SPREAD_LIMIT, and the run itself stable."""
    limit = percent(SPREAD_LIMIT)
    wide = [
        f"{label} spreads {percent(spread(f))} (> {limit})"
        for label, f in figures
        if spread(f) > SPREAD_LIMIT
    ]
    problems = wide + (["the run was unstable"] if stability is not None and not stability.stable else [])
    if problems:
        return False, f"unstable: {'; '.join(problems)}"
    machine = "" if stability is not None else "; the machine's stability was not recorded"
    return True, f"stable: every figure spreads ≤ {percent(SPREAD_LIMIT)}{machine}"
