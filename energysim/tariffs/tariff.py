"""Chinese time-of-use and spot tariffs: bands, their calendar, and the all-in energy price.

A tariff maps every minute of the day, in every month and on every day type (working
day, weekend, public holiday; see `energysim.daytypes`), to one band (critical peak,
peak, flat, valley, deep valley). ``periods`` are applied in order and a later period
overrides an earlier one, so a critical-peak window can sit inside a peak band for some
months, or a deep valley on holidays only. Without ``periods`` the whole day is flat.

The price of an imported kWh at step t is

    price[t] = floating[t] + adder

where ``adder`` is the part that does not float (transmission and distribution, system
operation, government funds), and the floating part is one of

- per band, ``floating[t] = bands_cny_per_kwh[band(t)]``;
- ratios applied to the flat floating price only,
  ``floating[t] = flat_cny_per_kwh * ratios[band(t)]`` (flat's ratio is 1);
- spot prices, ``floating[t] = spot[t]``: a price series from the spot market, which the
  tariff file only names (``energy_price: {spot: {file: prices.csv}}``) and the caller
  loads with `Tariff.with_spot_prices`. Bands are then labels only, with no price.

Basic charges (two-part tariff) are rates here; which one an enterprise pays, and its
transformer or contract size, belong to the enterprise (see `energysim.tariffs.bill`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, PrivateAttr, field_validator, model_validator

from energysim.charges import CHARGES
from energysim.daytypes import DAY_TYPES, HOLIDAYS, KINDS, day_kinds, kinds_of
from energysim.schema import StrictModel, format_minute, parse_window

BANDS: tuple[str, ...] = ("critical_peak", "peak", "flat", "valley", "deep_valley")
Band = Literal["critical_peak", "peak", "flat", "valley", "deep_valley"]
DayType = Literal["working", "weekend", "holiday", "new_year", "spring_festival", "qingming",
                  "labour_day", "dragon_boat", "mid_autumn", "national_day"]
MINUTES_PER_DAY = 1440
MAX_SPOT_CNY_PER_KWH = 10.0
"""Median absolute spot price above which a series is taken to be in CNY/MWh by mistake."""


class Period(StrictModel):
    """Windows of the day that belong to one band, optionally in some months only."""

    band: Band = Field(description="Band these windows belong to.")
    hours: list[str] = Field(min_length=1, description='Windows "HH:MM-HH:MM", local time.')
    months: list[int] | None = Field(None, description="Months 1–12 it applies in; all if absent.")
    days: list[DayType] | None = Field(
        None, description="Day types it applies on (working, weekend, holiday, or named "
                          "holidays such as spring_festival); all if absent.")

    @field_validator("hours")
    @classmethod
    def _check_hours(cls, hours: list[str]) -> list[str]:
        for text in hours:
            parse_window(text)
        return hours

    @field_validator("months")
    @classmethod
    def _check_months(cls, months: list[int] | None) -> list[int] | None:
        if months is not None:
            bad = [m for m in months if not 1 <= m <= 12]
            if bad or not months:
                raise ValueError(f"months must be a non-empty list of 1..12, got {months}")
        return months

    def minutes(self) -> list[tuple[int, int]]:
        """Windows as (start, end) minutes after midnight, wrapped windows split in two."""
        spans = []
        for text in self.hours:
            start, end = parse_window(text)
            spans.extend([(start, MINUTES_PER_DAY), (0, end)] if end < start else [(start, end)])
        return spans


class SpotSource(StrictModel):
    """Where the spot prices of a tariff are read from (by the scenario loader)."""

    file: Path = Field(
        description="CSV of spot prices [CNY/kWh], one row per step start (naive local time); "
                    "relative to the file that declares the tariff."
    )
    column: str | None = Field(
        None, description="Column holding the prices; default the only one besides the timestamp."
    )


class EnergyPrice(StrictModel):
    """Floating energy price: per band, as ratios to the flat one, or spot prices; plus the
    adder that does not float."""

    bands_cny_per_kwh: dict[Band, float] | None = Field(
        None, description="Floating part of the price per band [CNY/kWh]."
    )
    flat_cny_per_kwh: float | None = Field(
        None, gt=0, description="Floating part of the flat price, which ratios apply to [CNY/kWh]."
    )
    ratios: dict[Band, NonNegativeFloat] | None = Field(
        None, description="Floating part of each band as a multiple of the flat one [-]."
    )
    spot: SpotSource | None = Field(
        None, description="Floating part from a spot-price series [CNY/kWh], read from a file; "
                          "see `Tariff.with_spot_prices`."
    )
    adder_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Non-floating part: T&D, system operation, funds [CNY/kWh]."
    )

    @model_validator(mode="after")
    def _one_way(self) -> EnergyPrice:
        given = [name for name in ("bands_cny_per_kwh", "flat_cny_per_kwh", "spot")
                 if getattr(self, name) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError("give exactly one of bands_cny_per_kwh, flat_cny_per_kwh (with "
                             f"ratios) or spot; got {found}")
        if self.ratios is not None and self.flat_cny_per_kwh is None:
            raise ValueError("ratios need flat_cny_per_kwh, the floating flat price they scale")
        return self

    def floating(self, band: str) -> float | None:
        """Floating part of ``band`` [CNY/kWh], or None where the tariff does not price it
        (always None for spot prices, which do not go by band)."""
        if self.bands_cny_per_kwh is not None:
            return self.bands_cny_per_kwh.get(band)
        if self.flat_cny_per_kwh is None:
            return None
        ratios = {"flat": 1.0, **(self.ratios or {})}
        return None if band not in ratios else self.flat_cny_per_kwh * ratios[band]


class BasicChargeRates(StrictModel):
    """Monthly basic-charge rates of a two-part tariff (两部制)."""

    capacity_cny_per_kva_month: NonNegativeFloat | None = Field(
        None, description="By transformer capacity [CNY/(kVA·month)]."
    )
    demand_cny_per_kw_month: NonNegativeFloat | None = Field(
        None, description="By contract or actual maximum demand [CNY/(kW·month)]."
    )

    @staticmethod
    def field_for(mode: str) -> str | None:
        """The rate field a basic-charge mode uses (None for ``none``; `energysim.charges`)."""
        charge = CHARGES.get(mode)
        return None if charge is None else charge.rate_field

    def rate_for(self, mode: str) -> float | None:
        """The rate a basic-charge mode pays, or None where the tariff gives none."""
        field = self.field_for(mode)
        return None if field is None else getattr(self, field)


@dataclass(frozen=True, eq=False)
class _SpotPrices:
    """A checked spot-price series: regular steps from ``start_ns`` of ``step_ns`` each."""

    series: pd.Series
    start_ns: int
    step_ns: int
    values: np.ndarray

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _SpotPrices) and self.series.equals(other.series)

    __hash__ = None


def _all_day_flat() -> list[Period]:
    return [Period(band="flat", hours=["00:00-24:00"])]


class Tariff(StrictModel):
    """A time-of-use or spot tariff with its source."""

    name: str = Field(description="Short name shown in reports.")
    region: str = ""
    document: str = Field("", description="Document number, e.g. 渝发改规范〔2021〕14号.")
    effective: date | None = None
    source: str = ""
    secondary_source: bool = Field(
        False, description="True where the figures were seen only in a secondary source."
    )
    notes: str = ""
    periods: list[Period] = Field(
        default_factory=_all_day_flat, min_length=1,
        description="Bands by time of day; default one flat band all day. For a spot tariff "
                    "the bands are labels only.")
    energy_price: EnergyPrice
    basic_charge: BasicChargeRates = BasicChargeRates()
    export_price_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Price paid for surplus PV fed into the grid [CNY/kWh]."
    )

    _spot: _SpotPrices | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _complete(self) -> Tariff:
        table = _band_table(self.periods)
        gaps = _describe_gaps(table)
        if gaps:
            raise ValueError(f"no band covers {gaps}; every minute of every month needs one")
        if self.energy_price.spot is not None:
            return self
        unpriced = [b for b in self.bands_used if self.energy_price.floating(b) is None]
        if unpriced:
            where = "periods" if "periods" in self.model_fields_set else \
                "periods (none given: the whole day is flat)"
            raise ValueError(f"band(s) {', '.join(unpriced)} are used in {where} but have no price")
        return self

    @property
    def is_spot(self) -> bool:
        """True where the floating part is a spot-price series (declared, or given by
        `with_spot_prices`), not bands."""
        return self.energy_price.spot is not None or self._spot is not None

    @property
    def spot_cny_per_kwh(self) -> pd.Series | None:
        """The spot prices given by `with_spot_prices` [CNY/kWh], or None."""
        return None if self._spot is None else self._spot.series.copy()

    def with_spot_prices(self, prices: pd.Series) -> Tariff:
        """A copy of this tariff whose floating part is ``prices``.

        `price_at` of the copy is ``prices`` at each step plus ``adder_cny_per_kwh``; the
        basic charge and the export price are unchanged, and bands (``periods``) remain as
        labels only, with no price. Negative spot prices are allowed: they happen. Any
        tariff can be given spot prices; a band price in its ``energy_price`` is then
        ignored.

        The index that `price_at` is later asked for must have the step of ``prices`` or a
        whole fraction of it: an hourly series on a 15-minute index gives each quarter
        hour its hour's price. A series finer than that index is refused: average it
        energy-weighted to the index's steps first (the weights are the caller's flows).

        Parameters
        ----------
        prices : pandas.Series
            Mean spot price of each step, on a regular DatetimeIndex of step starts (naive
            local time), no missing values. [CNY/kWh]

        Returns
        -------
        Tariff
            A copy with `is_spot` true; this tariff is unchanged.

        Raises
        ------
        ValueError
            Not a Series on a naive, regular DatetimeIndex of two steps or more; missing
            or non-numeric values; or a median above `MAX_SPOT_CNY_PER_KWH` in absolute
            value (prices in CNY/MWh, most likely).
        """
        spot = _check_spot(prices, self.name)
        copy = self.model_copy()
        for name, attr in vars(Tariff).items():  # cached results of self must not leak
            if isinstance(attr, cached_property):
                copy.__dict__.pop(name, None)
        copy._spot = spot
        return copy

    @cached_property
    def band_table(self) -> np.ndarray:
        """Band number (index into `BANDS`) for [day kind, month-1, minute of day], shape
        (KINDS, 12, 1440); day kinds as in `energysim.daytypes`."""
        return _band_table(self.periods)

    @property
    def uses_day_types(self) -> bool:
        """True where some period applies on some day types only."""
        return any(p.days is not None for p in self.periods)

    @property
    def bands_used(self) -> list[str]:
        """Bands that occur somewhere in the year, in `BANDS` order."""
        present = set(np.unique(self.band_table).tolist())
        return [b for i, b in enumerate(BANDS) if i in present]

    @cached_property
    def price_by_band(self) -> np.ndarray:
        """All-in energy price [CNY/kWh] per band number (NaN for unpriced bands, and for
        every band of a spot tariff)."""
        if self.is_spot:
            return np.full(len(BANDS), np.nan)
        floating = [self.energy_price.floating(b) for b in BANDS]
        return np.array([np.nan if f is None else f + self.energy_price.adder_cny_per_kwh
                         for f in floating])

    def bands_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Band number at the start of each step of ``index``.

        Raises
        ------
        ValueError
            The tariff depends on day types and the holiday calendar does not cover a year.
        """
        minute = index.hour.to_numpy() * 60 + index.minute.to_numpy()
        kind = day_kinds(index) if self.uses_day_types else np.zeros(len(index), dtype=np.int8)
        return self.band_table[kind, index.month.to_numpy() - 1, minute]

    def price_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """All-in energy price of an imported kWh at each step [CNY/kWh].

        By band at the start of each step; for a spot tariff, the spot price of the spot
        step holding each step (see `with_spot_prices`) plus the adder.

        Raises
        ------
        ValueError
            Band tariff: as `bands_at`. Spot tariff: prices not loaded, a step not covered
            by them (the first one is named), a regular index whose steps do not fit
            inside the spot steps, or a timezone-aware index.
        """
        if not self.is_spot:
            return self.price_by_band[self.bands_at(index)]
        if self._spot is None:
            raise ValueError(f"spot prices of tariff {self.name!r} were not loaded (file "
                             f"{self.energy_price.spot.file}); give them with with_spot_prices")
        return _spot_at(self._spot, pd.DatetimeIndex(index), self.name) + \
            self.energy_price.adder_cny_per_kwh

    def boundaries(self) -> list[int]:
        """Minutes after midnight where a band starts or ends, in any month or day type."""
        table = self.band_table.reshape(-1, MINUTES_PER_DAY)
        change = (table != np.roll(table, 1, axis=1)).any(axis=0)
        return np.flatnonzero(change).tolist()

    def grid_step_minutes(self) -> int:
        """Largest step (60, 30, 15, 10, 5 or 1 min) that represents every band boundary."""
        boundaries = self.boundaries()
        return next(step for step in (60, 30, 15, 10, 5, 1)
                    if all(b % step == 0 for b in boundaries))

    def day_groups(self) -> list[list[str]]:
        """Day types and named holidays grouped by identical band schedules, working first."""
        groups: list[list[str]] = []
        for name in ["working", "weekend", "holiday", *HOLIDAYS]:
            table = self.band_table[kinds_of(name)[0]]
            match = next((g for g in groups if (self.band_table[kinds_of(g[0])[0]] == table).all()),
                         None)
            if match is None:
                groups.append([name])
            else:
                match.append(name)
        return groups

    def band_grid(self, day_type: str = "working", step_minutes: int | None = None) -> pd.DataFrame:
        """Band names as a month (rows 1–12) × time of day (``HH:MM`` step starts) grid for a
        day type or named holiday."""
        step = step_minutes or self.grid_step_minutes()
        minutes = range(0, MINUTES_PER_DAY, step)
        table = self.band_table[kinds_of(day_type)[0]][:, list(minutes)]
        return pd.DataFrame(np.array(BANDS)[table], index=pd.RangeIndex(1, 13, name="month"),
                            columns=[format_minute(m) for m in minutes])

    def misaligned_boundaries(self, step_minutes: int) -> list[str]:
        """Band boundaries (``HH:MM``) that a step of ``step_minutes`` cannot represent;
        none for a spot tariff, whose bands do not set the price."""
        if self.is_spot:
            return []
        return [format_minute(b) for b in self.boundaries() if b % step_minutes]


def _check_spot(prices: pd.Series, tariff: str) -> _SpotPrices:
    what = f"spot prices of tariff {tariff!r}"
    if not isinstance(prices, pd.Series) or not isinstance(prices.index, pd.DatetimeIndex):
        raise ValueError(f"{what} must be a pandas Series on a DatetimeIndex of step starts, "
                         f"got {type(prices).__name__}"
                         + (f" on {type(prices.index).__name__}" if hasattr(prices, "index") else ""))
    index = prices.index
    if index.tz is not None:
        raise ValueError(f"{what} must be on naive local time, got timezone {index.tz}")
    if len(index) < 2:
        raise ValueError(f"{what} need at least two steps to know their step length, "
                         f"got {len(index)}")
    stamps = index.as_unit("ns").asi8
    steps = np.diff(stamps)
    if steps[0] <= 0 or (steps != steps[0]).any():
        first = int(np.argmax(steps != steps[0])) + 1 if steps[0] > 0 else 1
        raise ValueError(f"{what} must be on a regular, increasing index; the step changes at "
                         f"{_stamp(index[first])}")
    try:
        values = np.array(prices.to_numpy(dtype=float, na_value=np.nan), copy=True)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers [CNY/kWh], got dtype {prices.dtype}") from None
    missing = ~np.isfinite(values)
    if missing.any():
        raise ValueError(f"{what} have {int(missing.sum())} missing or infinite value(s), the "
                         f"first at {_stamp(index[int(np.argmax(missing))])}")
    median = float(np.median(np.abs(values)))
    if median > MAX_SPOT_CNY_PER_KWH:
        raise ValueError(f"{what} have a median of {median:g} in absolute value; they must be "
                         "in CNY/kWh (CNY/MWh divided by 1000)")
    values.flags.writeable = False
    series = pd.Series(values, index=index.as_unit("ns"), name="spot_cny_per_kwh", copy=True)
    return _SpotPrices(series, int(stamps[0]), int(steps[0]), values)


def _spot_at(spot: _SpotPrices, index: pd.DatetimeIndex, tariff: str) -> np.ndarray:
    """Spot price [CNY/kWh] of the spot step holding each step of ``index``."""
    what = f"spot prices of tariff {tariff!r}"
    if index.tz is not None:
        raise ValueError(f"{what} are on naive local time; the index has timezone {index.tz}")
    stamps = index.as_unit("ns").asi8
    steps = np.diff(stamps)
    step_ns = int(steps[0]) if steps.size and steps[0] > 0 and (steps == steps[0]).all() else 0
    if step_ns > spot.step_ns or (step_ns and spot.step_ns % step_ns):
        raise ValueError(f"{what} are at {_minutes(spot.step_ns)} steps, which {_minutes(step_ns)} "
                         "steps do not divide; give them at the index's step or a whole "
                         "multiple of it (average finer prices energy-weighted first)")
    offset = stamps - spot.start_ns
    position = offset // spot.step_ns
    outside = (position < 0) | (position >= len(spot.values))
    if outside.any():
        first = int(np.argmax(outside))
        end = spot.start_ns + len(spot.values) * spot.step_ns
        raise ValueError(f"{what} do not cover the step starting {_stamp(index[first])} "
                         f"({int(outside.sum())} of {len(index)} steps are outside); they cover "
                         f"{_stamp(pd.Timestamp(spot.start_ns))} to {_stamp(pd.Timestamp(end))} "
                         f"at {_minutes(spot.step_ns)} steps")
    straddle = offset - position * spot.step_ns + step_ns > spot.step_ns
    if straddle.any():
        raise ValueError(f"the step starting {_stamp(index[int(np.argmax(straddle))])} runs across "
                         f"two {_minutes(spot.step_ns)} steps of the {what}; align the index "
                         f"with them (they start at {_stamp(pd.Timestamp(spot.start_ns))})")
    return spot.values[position]


def _stamp(stamp: pd.Timestamp) -> str:
    return f"{stamp:%Y-%m-%d %H:%M}"


def _minutes(step_ns: int) -> str:
    return f"{step_ns / 6e10:g}-minute"


def _band_table(periods: list[Period]) -> np.ndarray:
    table = np.full((KINDS, 12, MINUTES_PER_DAY), -1, dtype=np.int8)
    for period in periods:
        kinds = sorted({k for d in period.days for k in kinds_of(d)}) if period.days else range(KINDS)
        months = [m - 1 for m in period.months] if period.months else range(12)
        for start, end in period.minutes():
            table[np.ix_(list(kinds), list(months), range(start, end))] = BANDS.index(period.band)
    return table


def _describe_gaps(table: np.ndarray) -> str:
    """First uncovered window of some months, e.g. ``13:00-14:00 in month 2 (holiday)``."""
    out = []
    for kind, month in np.ndindex(table.shape[:2]):
        gap = np.flatnonzero(table[kind, month] < 0)
        if gap.size:
            end = gap[0] + np.argmax(np.diff(np.r_[gap, 10**6]) != 1) + 1
            day = (DAY_TYPES[kind] if kind < 3 else list(HOLIDAYS)[kind - 3])
            out.append(f"{format_minute(gap[0])}-{format_minute(end)} in month {month + 1} "
                       f"({day} days)")
    return "; ".join(out[:3]) + (" ..." if len(out) > 3 else "")
