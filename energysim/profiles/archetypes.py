"""Synthetic industrial load profiles for enterprises that have no metered data.

Each `Archetype` holds the documented parameters of one load shape; `archetype_load_kw`
turns it into the mean power of every step of a calendar year [kW]:

    load(t)    = scale · process(t) · (1 + cooling(t)) · noise(t)
    process(t) = sf(d) · (base + (1 − base) · a(d) · shift_d(t))
    cooling(t) = cooling_fraction · max(T(t) − 24 °C, 0) / (T_max − 24 °C)
    T(t)       = 18.5 − 10.5 · cos(2π (doy − 25) / 365.25) + 4 · cos(2π (hour − 15) / 24)   [°C]
    noise(t)   = max(1 + noise_fraction · z(t), 0),  z = AR(1) of N(0, 1), unit variance
    scale      = annual_mwh · 1000 / (Σ_t process·(1 + cooling)·noise · Δt_h)

- ``d`` is the day of step ``t`` and its kind comes from the official calendar
  (`energysim.daytypes.day_kinds`): make-up working days are working days, public holidays
  are holidays. ``a(d)`` is 1 on working days, ``saturday_factor`` / ``sunday_factor`` on
  weekends and ``holiday_factor`` on holidays; ``shift_d(t)`` ∈ [0, 1] is the share of the
  step covered by the shift windows (``saturday_hours`` on Saturdays, ``working_hours``
  otherwise), less ``shift_change_dip_fraction`` over the first ``shift_change_dip_minutes``
  of every window and ``break_dip_fraction`` over the ``break_hours``.
- ``sf(d)`` is ``spring_festival_factor`` from ``spring_festival_days_before`` days before the
  official Spring Festival holiday to ``spring_festival_days_after`` days after it, and 1
  otherwise; on those days the working-day shape is used (the whole plant winds down).
- ``T`` is a Chongqing temperature proxy: daily mean ≈ 8 °C in late January and ≈ 29 °C
  in late July, diurnal swing ±4 °C peaking at 15:00, so ``T_max`` = 33 °C and
  ``cooling_fraction`` is the extra load at the hottest hour as a share of the process load.
  Air-conditioning and refrigeration scale with the process they serve.
- ``z`` is a first-order autoregressive filter of seeded white noise
  (``numpy.random.default_rng(seed)``) with time constant ``noise_correlation_minutes``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from energysim.daytypes import OFFICIAL, Calendar, day_kinds, kinds_of
from energysim.timeseries import RESOLUTIONS, horizon_index

T_MEAN_DEGC = 18.5
T_SEASONAL_SWING_DEGC = 10.5
T_COLDEST_DAY_OF_YEAR = 25
T_DIURNAL_SWING_DEGC = 4.0
T_WARMEST_HOUR = 15.0
COOLING_THRESHOLD_DEGC = 24.0
COOLING_REF_K = T_MEAN_DEGC + T_SEASONAL_SWING_DEGC + T_DIURNAL_SWING_DEGC - COOLING_THRESHOLD_DEGC


@dataclass(frozen=True)
class Archetype:
    """Documented parameters of one load shape (see the module docstring for the formulas)."""

    name: str
    """Key in `ARCHETYPES`."""
    description: str
    """What kind of plant this is and why the parameters are what they are."""
    working_hours: tuple[str, ...]
    """Shift windows "HH:MM-HH:MM" on working days, Sundays and holidays (may cross midnight)."""
    saturday_hours: tuple[str, ...]
    """Shift windows on Saturdays that are not working days."""
    base_load_fraction: float
    """Load outside the shifts (lighting, compressors, standby) as a share of the shift load [-]."""
    saturday_factor: float
    """Activity on a Saturday that is not a working day, relative to a working day [-]."""
    sunday_factor: float
    """Activity on a Sunday that is not a working day, relative to a working day [-]."""
    holiday_factor: float
    """Activity on a public holiday, relative to a working day [-]."""
    spring_festival_factor: float
    """Whole load around the Spring Festival, relative to a working day [-]."""
    spring_festival_days_before: int
    """Shutdown days before the official Spring Festival holiday [d]."""
    spring_festival_days_after: int
    """Shutdown days after the official Spring Festival holiday (workers coming back) [d]."""
    cooling_fraction: float
    """Extra load at the hottest hour (33 °C) for air conditioning / refrigeration [-]."""
    shift_change_dip_fraction: float
    """Share of the activity lost at the start of each shift window [-]."""
    shift_change_dip_minutes: float
    """Length of the shift-change dip [min]."""
    break_hours: tuple[str, ...]
    """Meal-break windows "HH:MM-HH:MM" on days with shifts."""
    break_dip_fraction: float
    """Share of the activity lost during the breaks [-]."""
    noise_fraction: float
    """Standard deviation of the multiplicative noise [-]."""
    noise_correlation_minutes: float
    """Time constant of the noise's autocorrelation [min]."""


_SINGLE = Archetype(
    "single_shift",
    "Day-shift assembly or machining (electronics, furniture): one shift 08:00-17:30 with a "
    "lunch dip to half activity, start-up dip; 20 % base for lighting, clean-room air and "
    "compressed-air leaks. Some Saturday overtime (25 %), Sundays and holidays nearly idle; "
    "a migrant workforce leaves for the Spring Festival, so the plant idles at 30 % from one "
    "day before to three days after the holiday. Offices and workshops are air-conditioned "
    "(+15 % at the hottest hour); noise 4 %, 1 h correlation.",
    ("08:00-17:30",), ("08:00-17:30",), 0.20, 0.25, 0.05, 0.05, 0.30, 1, 3,
    0.15, 0.30, 30.0, ("12:00-13:00",), 0.50, 0.04, 60.0)
_TWO = Archetype(
    "two_shift",
    "Two-shift parts maker (auto parts, moulding): shifts 08:00-16:00 and 16:00-24:00 with a "
    "30 min dip of 30 % at each change; one shift on Saturdays, Sundays and holidays nearly "
    "idle; 20 % base. Spring Festival: 25 % from one day before to three days after the "
    "holiday. Moderate cooling (+10 %); noise 4 %, 1 h correlation.",
    ("08:00-16:00", "16:00-24:00"), ("08:00-16:00",), 0.20, 1.0, 0.05, 0.05, 0.25, 1, 3,
    0.10, 0.30, 30.0, (), 0.0, 0.04, 60.0)
_THREE = Archetype(
    "three_shift",
    "Three-shift materials plant (metal working, building materials): shifts change at 00:00, "
    "08:00 and 16:00 with a 30 min dip of 15 %; weekends at 95/90 %, holidays 80 %; 50 % base "
    "(furnaces kept hot). The line stops for the Spring Festival holiday and two days after "
    "(45 %, kilns idling). Process heat dominates, cooling small (+5 %); noise 4 %, 2 h "
    "correlation.",
    ("00:00-08:00", "08:00-16:00", "16:00-24:00"), ("00:00-08:00", "08:00-16:00", "16:00-24:00"),
    0.50, 0.95, 0.90, 0.80, 0.45, 0, 2, 0.05, 0.15, 30.0, (), 0.0, 0.04, 120.0)
_CONTINUOUS = Archetype(
    "continuous_process",
    "Continuous process (chemicals, glass, paper): runs around the clock every day at 85 % "
    "base plus a small daytime share for handling and maintenance (07:00-19:00); holidays "
    "barely change (97 %), the Spring Festival holiday runs at 95 %. Cooling +5 %; batch "
    "steps and feed changes give 3 % noise with 4 h correlation.",
    ("07:00-19:00",), ("07:00-19:00",), 0.85, 1.0, 1.0, 0.97, 0.95, 0, 0,
    0.05, 0.0, 0.0, (), 0.0, 0.03, 240.0)
_COLD = Archetype(
    "cold_storage",
    "Cold store / logistics: refrigeration runs day and night (70 % base), handling 07:00-19:00 "
    "(forklift charging, dock doors) at 60 % on Saturdays and 30 % on Sundays and holidays; "
    "stock stays cold over the Spring Festival (95 %). Refrigeration depends strongly on the "
    "ambient temperature (+80 % at the hottest hour); compressor cycling gives 5 % noise with "
    "30 min correlation.",
    ("07:00-19:00",), ("07:00-19:00",), 0.70, 0.60, 0.30, 0.30, 0.95, 0, 0,
    0.80, 0.0, 0.0, (), 0.0, 0.05, 30.0)
_DATA = Archetype(
    "data_centre",
    "Data centre: IT load nearly constant (95 % base, slightly higher 09:00-23:00 with user "
    "traffic), no weekends, holidays or Spring Festival. Chillers make it climate dependent "
    "(+15 % at the hottest hour, free cooling in winter); noise 0.5 %, 4 h correlation.",
    ("09:00-23:00",), ("09:00-23:00",), 0.95, 1.0, 1.0, 1.0, 1.0, 0, 0,
    0.15, 0.0, 0.0, (), 0.0, 0.005, 240.0)
ARCHETYPES: dict[str, Archetype] = {a.name: a for a in (_SINGLE, _TWO, _THREE, _CONTINUOUS, _COLD, _DATA)}
"""Built-in archetypes by name."""


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def _windows_min(windows: tuple[str, ...]) -> list[tuple[int, int]]:
    """"HH:MM-HH:MM" windows as (start, end) minutes of the day, end > start (may pass 1440)."""
    out = []
    for window in windows:
        start, end = (_minutes(part) for part in window.split("-"))
        out.append((start, end if end > start else end + 1440))
    return out


def _cover(starts_min: np.ndarray, step_min: float, windows_min: list[tuple[float, float]]) -> np.ndarray:
    """Share of each step [start, start + step) of a day covered by the windows [-]."""
    covered = np.zeros(starts_min.size)
    for start, end in windows_min:
        for shift in (0, -1440):  # the part of a window that runs past midnight wraps round
            overlap = np.minimum(starts_min + step_min, end + shift) - np.maximum(starts_min, start + shift)
            covered += np.clip(overlap, 0.0, None)
    return covered / step_min


def _shift_shape(arch: Archetype, windows: tuple[str, ...], starts_min: np.ndarray,
                 step_min: float) -> np.ndarray:
    """Activity over one day's steps, shift-change and break dips included [-]."""
    shifts = _windows_min(windows)
    dips = [(start, start + arch.shift_change_dip_minutes) for start, _ in shifts]
    shape = _cover(starts_min, step_min, shifts)
    shape -= arch.shift_change_dip_fraction * _cover(starts_min, step_min, dips)
    shape -= arch.break_dip_fraction * _cover(starts_min, step_min, _windows_min(arch.break_hours))
    return np.clip(shape, 0.0, 1.0)


def temperature_degc(index: pd.DatetimeIndex) -> np.ndarray:
    """Chongqing ambient-temperature proxy at the middle of each step [°C].

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Step starts, naive local time.

    Returns
    -------
    numpy.ndarray
        ``18.5 − 10.5 cos(2π (doy − 25) / 365.25) + 4 cos(2π (hour − 15) / 24)``. [°C]
    """
    step_h = (index[1] - index[0]) / pd.Timedelta(hours=1) if len(index) > 1 else 0.0
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0 + step_h / 2
    doy = index.day_of_year.to_numpy() + hour / 24.0
    season = np.cos(2 * np.pi * (doy - T_COLDEST_DAY_OF_YEAR) / 365.25)
    seasonal = T_MEAN_DEGC - T_SEASONAL_SWING_DEGC * season
    return seasonal + T_DIURNAL_SWING_DEGC * np.cos(2 * np.pi * (hour - T_WARMEST_HOUR) / 24.0)


def archetype_load_kw(name: str, annual_mwh: float, year: int, seed: int = 0,
                      resolution: str = "15min", calendar: Calendar = OFFICIAL) -> pd.Series:
    """Synthetic load of one archetype over a calendar year.

    Parameters
    ----------
    name : str
        Key of `ARCHETYPES`.
    annual_mwh : float
        Energy over the year. [MWh]
    year : int
        Calendar year; the Chinese holiday calendar must cover it.
    seed : int, default 0
        Seed of ``numpy.random.default_rng`` for the noise.
    resolution : str, default "15min"
        Step length, one of `energysim.timeseries.RESOLUTIONS`.
    calendar : energysim.daytypes.Calendar, default the package's
        Holidays and make-up working days (a scenario's own years, see `energysim.daytypes`).

    Returns
    -------
    pandas.Series
        Mean power per step, named ``value_kw``, indexed by step start (naive local time,
        ``horizon_index(Jan 1 of year, Jan 1 of year + 1, resolution)``); its energy
        ``Σ value · Δt`` equals ``annual_mwh``. [kW]

    Raises
    ------
    ValueError
        Unknown archetype or resolution, negative energy, or a year the holiday calendar
        does not cover.
    """
    if name not in ARCHETYPES:
        raise ValueError(f"unknown load archetype {name!r}; expected one of {sorted(ARCHETYPES)}")
    if resolution not in RESOLUTIONS:
        raise ValueError(f"unknown resolution {resolution!r}; expected one of {sorted(RESOLUTIONS)}")
    if not annual_mwh >= 0:
        raise ValueError(f"annual_mwh must be a non-negative number (got {annual_mwh})")
    arch = ARCHETYPES[name]
    index = horizon_index(date(year, 1, 1), date(year + 1, 1, 1), resolution)
    step_min = RESOLUTIONS[resolution]
    per_day = 1440 // step_min
    days = horizon_index(date(year, 1, 1), date(year + 1, 1, 1), "1D")
    kinds = day_kinds(days, calendar)

    weekday = days.day_of_week.to_numpy()
    working, holiday = kinds == 0, kinds >= 2
    saturday = (kinds == 1) & (weekday == 5)
    factor = np.select([working, holiday, saturday], [1.0, arch.holiday_factor, arch.saturday_factor],
                       arch.sunday_factor)
    spring = np.flatnonzero(np.isin(kinds, kinds_of("spring_festival")))
    shutdown = np.zeros(days.size, dtype=bool)
    if spring.size:
        first = max(spring[0] - arch.spring_festival_days_before, 0)
        shutdown[first:spring[-1] + arch.spring_festival_days_after + 1] = True
    factor[shutdown] = 1.0
    level = np.where(shutdown, arch.spring_festival_factor, 1.0)

    starts_min = np.arange(per_day) * float(step_min)
    shapes = np.stack([_shift_shape(arch, arch.working_hours, starts_min, step_min),
                       _shift_shape(arch, arch.saturday_hours, starts_min, step_min)])
    day_shape = shapes[(saturday & ~shutdown).astype(int)]
    base = arch.base_load_fraction
    process = level[:, None] * (base + (1 - base) * factor[:, None] * day_shape)

    cooling = arch.cooling_fraction * np.clip(temperature_degc(index) - COOLING_THRESHOLD_DEGC, 0, None)
    shape = process.ravel() * (1 + cooling / COOLING_REF_K)

    rng = np.random.default_rng(seed)
    phi = np.exp(-step_min / arch.noise_correlation_minutes)  # AR(1): z_t = phi z_t-1 + sqrt(1-phi²) e_t
    white = rng.standard_normal(index.size + 1)
    z = lfilter([np.sqrt(1 - phi**2)], [1, -phi], white[1:], zi=[phi * white[0]])[0]
    shape *= np.clip(1 + arch.noise_fraction * z, 0, None)

    scale = annual_mwh * 1000.0 / (shape.sum() * step_min / 60.0)
    return pd.Series(shape * scale, index=index, name="value_kw")
