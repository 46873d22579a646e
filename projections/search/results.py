"""Distances as answered: both backends compute great-circle distances that agree to the metre."""

from __future__ import annotations

DISTANCE_DECIMALS = 3  # km to the metre


def rounded_distance(km: float | None) -> float | None:
    return None if km is None else round(km, DISTANCE_DECIMALS)
