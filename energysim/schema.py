"""Shared pieces of the input schemas: strict models, plausible ranges, time-of-day windows.

`StrictModel`, the base of every schema model, rejects unknown fields (typos never pass
silently) and non-finite numbers (``.nan``, ``.inf``, and ``1e400``, which YAML reads as
infinite), and holds every number whose field name ends in a unit to the plausible
magnitude of `PLAUSIBLE` (the unit is in every name, so one table covers every schema):

=========================================  =====================  ===========================
field name ends in                         at most (either sign)  for comparison
=========================================  =====================  ===========================
``capex_cny_per_kwh``,                     100,000 CNY/kWh        C&I batteries ≈ 1,000
``replacement_cny_per_kwh`` (capital)
``_cny_per_kwh`` (prices, fees, costs)     1,000 CNY/kWh          retail ≤ 2, VPP pay ≤ 5,
                                                                  values of lost load ≤ 100
``_cny_per_kw_month``, ``_per_kva_month``  10,000 CNY             basic charges 20 … 50
``_kw``, ``_kwp``, ``_kva`` (power)        10⁷ (10 GW)            a large steel works ≈ 1 GW
``_kwh`` (energy)                          10⁸ (100 GWh)          10 GW for ten hours
``_mwh`` (a year's energy)                 10⁸ MWh                10 GW all year ≈ 0.9·10⁸
``_kgco2_per_kwh``                         10                     coal ≈ 1
``ratios`` (multiples of the flat price)   100                    Chinese tariffs ≤ 5
any other float                            10⁹
=========================================  =====================  ===========================

so that a price of ``1e308`` is refused, saying so, instead of writing ``Infinity`` into
the results or stalling the solver. Fields keep their own, tighter bounds (ge, le).
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

PLAUSIBLE: tuple[tuple[str, float, str, str], ...] = (
    ("capex_cny_per_kwh", 1e5, "CNY/kWh", "capital cost per kWh"),
    ("replacement_cny_per_kwh", 1e5, "CNY/kWh", "replacement cost per kWh"),
    ("_cny_per_kwh", 1e3, "CNY/kWh", "price per kWh"),
    ("_cny_per_kw_month", 1e4, "CNY/(kW·month)", "monthly rate"),
    ("_cny_per_kva_month", 1e4, "CNY/(kVA·month)", "monthly rate"),
    ("_kgco2_per_kwh", 10.0, "kgCO2/kWh", "emission factor"),
    ("_kw", 1e7, "kW", "power"),
    ("_kwp", 1e7, "kWp", "capacity"),
    ("_kva", 1e7, "kVA", "capacity"),
    ("_kwh", 1e8, "kWh", "energy"),
    ("_mwh", 1e8, "MWh", "annual energy"),
    ("ratios", 100.0, "× the flat price", "ratio"),
)
"""(field name ending, largest magnitude, unit, what it is) of the numbers a schema
accepts; the first ending that matches applies (see the module docstring)."""
ANY_NUMBER = 1e9
"""Largest magnitude of a number whose field has no unit in `PLAUSIBLE`."""
MAX_PROFILE_VALUE = 1e7
"""Largest value in a profile file [kW, or kWh per step]: the power of `PLAUSIBLE`."""


def plausible_limit(field: str) -> tuple[float, str, str]:
    """(largest magnitude, unit, what it is) of a number in the field called ``field``."""
    for ending, limit, unit, what in PLAUSIBLE:
        if field.endswith(ending):
            return limit, unit, what
    return ANY_NUMBER, "", "number"


def implausible(field: str, value: Any) -> tuple[str, Any, Any] | None:
    """Why ``value`` (a float, or a mapping or list of floats) is out of the plausible range
    of ``field`` (`plausible_limit`), the key (or index) of the number at fault (None for a
    single number) and that number; None where all is plausible. Integers (seeds, years,
    counts) are left to their fields' own bounds."""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list | tuple):
        items = list(enumerate(value))
    else:
        items = [(None, value)]
    limit, unit, what = plausible_limit(field)
    for key, number in items:
        if isinstance(number, float) and math.isfinite(number) and abs(number) > limit:
            return (f"not a plausible {what}: at most {limit:,.0f}{' ' + unit if unit else ''} "
                    "in magnitude (check the number and its unit)", key, number)
    return None


class StrictModel(BaseModel):
    """A pydantic model that rejects unknown fields, non-finite numbers and numbers outside
    the plausible range of their unit (`PLAUSIBLE`)."""

    model_config = ConfigDict(extra="forbid", validate_default=True, allow_inf_nan=False)

    @field_validator("*")
    @classmethod
    def _plausible(cls, value: Any, info: ValidationInfo) -> Any:
        """The error's context holds the ``key`` of a mapping's (or list's) number at fault
        and the ``number``, for `energysim.yamlio.validation_problems` to locate it."""
        found = implausible(info.field_name or "", value)
        if found is not None:
            why, key, number = found
            raise PydanticCustomError("implausible_number", why, {"key": key, "number": number})
        return value


def first_error(exc: ValueError) -> str:
    """The first problem of a validation error in one line, ``field.path: message`` (the
    message alone for a whole-model check); any other error as it reads."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    first = errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {message}" if where else message


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
