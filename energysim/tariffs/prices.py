"""What a tariff charges: the energy price of an imported kWh, and the basic-charge rates.

The price of an imported kWh at step t is

    price[t] = floating[t] + adder

where ``adder`` is the part that does not float (in Chongqing government funds, line loss
and system operation; where the province says so, T&D too), and the floating part is one of

- per band, ``floating[t] = bands_cny_per_kwh[band(t)]``;
- ratios applied to the floating base E (``flat_cny_per_kwh``, flat's ratio is 1),
  ``floating[t] = E * ratios[band(t)]``: Chongqing's peak = flat + 0.60 E is ratio 1.60,
  valley = flat - 0.62 E is 0.38, critical = flat + 0.92 E is 1.92;
- spot prices, ``floating[t] = spot[t]``: a price series from the spot market, which the
  tariff file only names (``energy_price: {spot: {file: prices.csv}}``) and the caller
  loads with `Tariff.with_spot_prices`. Bands are then labels only, with no price.

Agency-purchase prices change every month: ``months`` then holds one `PriceTable` (E or
band prices, and the adder) per ``YYYY-MM``, the step's month choosing its table, the
ratios shared; a month without a table takes ``default_month``'s, or is an error.
``published_cny_per_kwh`` keeps the all-in prices as published, which `published_misfits`
compares with the ones derived from E, the ratios and the adder.

`EnergyPrice` declares which. A spot series is checked here (`_check_spot`) and looked up
by the spot step holding each step t (`_spot_at`),

    spot[t] = values[(start(t) - start_0) // spot_step]

Basic charges (two-part tariff) are rates here; which one an enterprise pays, and its
transformer or contract size, belong to the enterprise (see `energysim.tariffs.bill`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, model_validator

from energysim.charges import CHARGES
from energysim.schema import StrictModel
from energysim.tariffs.periods import Band

MAX_SPOT_CNY_PER_KWH = 10.0
"""Median absolute spot price above which a series is taken to be in CNY/MWh by mistake."""


class SpotSource(StrictModel):
    """Where the spot prices of a tariff are read from (by the scenario loader)."""

    file: Path = Field(
        description="CSV of spot prices [CNY/kWh], one row per step start (naive local time); "
                    "relative to the file that declares the tariff."
    )
    column: str | None = Field(
        None, description="Column holding the prices; default the only one besides the timestamp."
    )


MONTH_KEY = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
PUBLISHED_TOLERANCE_CNY_PER_KWH = 1e-6
"""How far a derived price may be from the published one: published to six decimals."""


class PriceTable(StrictModel):
    """One month's prices: the floating base (or band prices) and the adder."""

    flat_cny_per_kwh: float | None = Field(
        None, gt=0, description="Floating base E, the floating part of the flat price [CNY/kWh].")
    bands_cny_per_kwh: dict[Band, float] | None = Field(
        None, description="Floating part of the price per band [CNY/kWh].")
    adder_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Non-floating part [CNY/kWh].")
    published_cny_per_kwh: dict[Band, NonNegativeFloat] | None = Field(
        None, description="All-in prices as published, checked against the derived ones "
                          "[CNY/kWh].")
    source: str = Field("", description="Where this month's table was published.")

    @model_validator(mode="after")
    def _one_way(self) -> PriceTable:
        if (self.flat_cny_per_kwh is None) == (self.bands_cny_per_kwh is None):
            raise ValueError("a month's table gives exactly one of flat_cny_per_kwh (the "
                             "floating base E, with the tariff's ratios) or bands_cny_per_kwh")
        return self


class EnergyPrice(StrictModel):
    """Floating energy price: per band, as ratios to the floating base, spot prices, or one
    table per month; plus the adder that does not float."""

    bands_cny_per_kwh: dict[Band, float] | None = Field(
        None, description="Floating part of the price per band [CNY/kWh]."
    )
    flat_cny_per_kwh: float | None = Field(
        None, gt=0, description="Floating base E: the floating part of the flat price, which "
                                "ratios apply to [CNY/kWh]."
    )
    ratios: dict[Band, NonNegativeFloat] | None = Field(
        None, description="Floating part of each band as a multiple of E [-]."
    )
    spot: SpotSource | None = Field(
        None, description="Floating part from a spot-price series [CNY/kWh], read from a file; "
                          "see `Tariff.with_spot_prices`."
    )
    months: dict[str, PriceTable] | None = Field(
        None, description="One price table per month, keyed YYYY-MM (agency-purchase prices "
                          "change every month); the ratios are shared."
    )
    default_month: str | None = Field(
        None, description="The table (YYYY-MM) that prices months without their own; "
                          "without it such a month is an error."
    )
    adder_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Non-floating part: T&D, system operation, funds [CNY/kWh]."
    )
    published_cny_per_kwh: dict[Band, NonNegativeFloat] | None = Field(
        None, description="All-in prices as published, checked against the derived ones "
                          "[CNY/kWh]."
    )

    @model_validator(mode="after")
    def _one_way(self) -> EnergyPrice:
        ways = ("bands_cny_per_kwh", "flat_cny_per_kwh", "spot", "months")
        given = [name for name in ways if getattr(self, name) is not None]
        if len(given) != 1:
            found = " and ".join(given) if given else "none of them"
            raise ValueError("give exactly one of bands_cny_per_kwh, flat_cny_per_kwh (with "
                             f"ratios), spot or months (one table per YYYY-MM); got {found}")
        uses_base = self.flat_cny_per_kwh is not None or any(
            t.flat_cny_per_kwh is not None for t in (self.months or {}).values())
        if self.ratios is not None and not uses_base:
            raise ValueError("ratios need flat_cny_per_kwh, the floating base E they scale")
        if self.months is None:
            if self.default_month is not None:
                raise ValueError("default_month names one of the months' tables; there are none")
            return self
        if not self.months:
            raise ValueError("months needs at least one table (YYYY-MM: ...)")
        bad = [key for key in self.months if not MONTH_KEY.match(key)]
        if bad:
            raise ValueError(f"months are keyed YYYY-MM (e.g. 2025-02), got {', '.join(bad)}")
        if self.default_month is not None and self.default_month not in self.months:
            raise ValueError(f"default_month {self.default_month} has no table; the months are "
                             f"{', '.join(self.months)}")
        if self.adder_cny_per_kwh or self.published_cny_per_kwh is not None:
            raise ValueError("with months, each month's table gives its own adder and "
                             "published prices: energy_price.months.YYYY-MM.adder_cny_per_kwh")
        return self

    def tables(self) -> dict[str | None, EnergyPrice | PriceTable]:
        """The price tables: one per month key, or this price alone under None."""
        return {None: self} if self.months is None else dict(self.months)

    def floating(self, band: str, month: str | None = None) -> float | None:
        """Floating part of ``band`` [CNY/kWh] in ``month``'s table (None: the only table, or
        the representative one of `representative_month`), or None where the tariff does
        not price it (always None for spot prices, which do not go by band)."""
        table = self.tables()[month if month is not None else self.representative_month]
        if table.bands_cny_per_kwh is not None:
            return table.bands_cny_per_kwh.get(band)
        if table.flat_cny_per_kwh is None:
            return None
        ratios = self.band_ratios
        return None if band not in ratios else table.flat_cny_per_kwh * ratios[band]

    @property
    def band_ratios(self) -> dict[str, float]:
        """Each priced band's multiple of E, flat's 1 included [-]."""
        return {"flat": 1.0, **(self.ratios or {})}

    @property
    def representative_month(self) -> str | None:
        """The table shown where one is shown: ``default_month``, else the latest month
        (None without months)."""
        if self.months is None:
            return None
        return self.default_month or max(self.months)

    def table_for(self, year: int, month: int) -> str | None:
        """Key of the table that prices a month (None without months).

        Raises
        ------
        ValueError
            The month has no table and no default_month is declared.
        """
        if self.months is None:
            return None
        key = f"{year:04d}-{month:02d}"
        if key in self.months:
            return key
        if self.default_month is not None:
            return self.default_month
        raise ValueError(f"no price table for {key}: the tariff's tables are for "
                         f"{', '.join(sorted(self.months))}; add one for {key} under "
                         "energy_price.months, or declare energy_price.default_month")


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
