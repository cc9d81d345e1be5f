"""Posting volume: counts per week and their changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Counts:
    """Clusters of one family in one week: first seen, open at any moment, closed."""

    new: int = 0
    active: int = 0
    closed: int = 0


def pct_change(now: float, before: float) -> float | None:
    """Relative change in percent; None when the base is zero."""
    return (now - before) / before * 100.0 if before else None


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, None when the denominator is zero."""
    return numerator / denominator if denominator else None


def change_summary(now: int, previous: int, trailing: Sequence[int]) -> dict[str, float | int | None]:
    """Change of a count vs the previous week (absolute, %) and vs the trailing mean (absolute, %)."""
    mean = sum(trailing) / len(trailing) if trailing else None
    return {
        "previous": previous,
        "vs_previous_abs": now - previous,
        "vs_previous_pct": pct_change(now, previous),
        "trailing_mean": mean,
        "vs_trailing_abs": None if mean is None else now - mean,
        "vs_trailing_pct": None if mean is None else pct_change(now, mean),
    }


def choose_window(n_by_week: Sequence[int], *, min_n: int, window_weeks: int) -> int:
    """How many trailing weeks to pool: 1 when the last week has min_n, else window_weeks."""
    if not n_by_week:
        raise ValueError("no weeks given")
    return 1 if n_by_week[-1] >= min_n else min(window_weeks, len(n_by_week))
