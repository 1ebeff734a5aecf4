"""Shared pieces of the input schemas: strict models and time-of-day windows."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class StrictModel(BaseModel):
    """A pydantic model that rejects unknown fields (typos never pass silently)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)


def parse_window(text: str) -> tuple[int, int]:
    """``"HH:MM-HH:MM"`` → (start, end) in minutes after midnight, end ≤ 1440.

    An end of ``24:00`` is midnight at the end of the day; an end before the start wraps
    past midnight (``"22:00-06:00"``).

    Raises
    ------
    ValueError
        Not of the form ``HH:MM-HH:MM``, minutes not below 60, hours past 24, or an empty
        window.
    """
    match = _WINDOW.match(str(text))
    if not match:
        raise ValueError(f'expected a window "HH:MM-HH:MM" such as "11:00-17:00", got {text!r}')
    h0, m0, h1, m1 = (int(g) for g in match.groups())
    if m0 >= 60 or m1 >= 60 or h0 > 23 or h1 > 24 or (h1 == 24 and m1 != 0):
        raise ValueError(f"{text!r} is not a valid time of day window")
    start, end = h0 * 60 + m0, h1 * 60 + m1
    if start == end:
        raise ValueError(f"window {text!r} is empty")
    return start, end


def format_minute(minute: int) -> str:
    """Minutes after midnight → ``HH:MM``."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def window_mask(index: pd.DatetimeIndex, windows: list[str]) -> np.ndarray:
    """True at the steps of ``index`` that start inside any of ``windows`` (a window that
    wraps past midnight covers both ends of the day)."""
    minute = index.hour.to_numpy() * 60 + index.minute.to_numpy()
    inside = np.zeros(len(index), dtype=bool)
    for text in windows:
        start, end = parse_window(text)
        inside |= ((minute >= start) & (minute < end) if start < end
                   else (minute >= start) | (minute < end))
    return inside


def off_grid_boundaries(windows: list[str], step_minutes: int) -> list[str]:
    """Window boundaries (``HH:MM``) that a step of ``step_minutes`` cannot represent."""
    return [format_minute(m) for text in windows for m in parse_window(text) if m % step_minutes]


def normalised_shares(weights: dict[str, float]) -> dict[str, float]:
    """``weights`` (who pays how much of a cost) scaled to sum to 1 [-].

    Raises
    ------
    ValueError
        The weights are all zero.
    """
    total = sum(weights.values())
    if total <= 0:
        raise ValueError("cost_shares must not all be zero")
    return {key: weight / total for key, weight in weights.items()}
