"""Chinese time-of-use and spot tariffs: the `Tariff` model, a band calendar with prices.

A `Tariff` holds its source (document, date), its ``periods`` (bands by time of day, see
`energysim.tariffs.periods`), its ``energy_price`` and ``basic_charge`` rates (see
`energysim.tariffs.prices`) and its export price. It checks that every minute has a band
and every band used has a price, and gives the band and the all-in price of each step
(`bands_at`; `price_at`, price[t] = floating[month(t), band(t)] + adder[month(t)], the
month's table where the tariff has one per month) and the band grids of reports.

A published tariff is for a user type at a voltage level; ``voltage_level`` moves its
prices to another level's T&D rate (`energysim.tariffs.network`), into the floating base
or the adder as ``floating_part`` says.

The names of those two modules are re-exported here, where they used to be defined.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property

import numpy as np
import pandas as pd
from pydantic import Field, NonNegativeFloat, PrivateAttr, model_validator

from energysim.daytypes import HOLIDAYS, OFFICIAL, Calendar, day_kinds, kinds_of
from energysim.schema import StrictModel, first_error, format_minute
from energysim.tariffs.network import PricePart, TransmissionDistribution, UserType, VoltageLevel
from energysim.tariffs.periods import (
    BANDS,
    MINUTES_PER_DAY,
    Band,
    DayType,
    Period,
    _band_table,
    _describe_gaps,
)
from energysim.tariffs.prices import (
    MAX_SPOT_CNY_PER_KWH,
    BasicChargeRates,
    EnergyPrice,
    SpotSource,
    _check_spot,
    _spot_at,
    _SpotPrices,
)
from energysim.tariffs.prices import PUBLISHED_TOLERANCE_CNY_PER_KWH as _TOLERANCE

__all__ = ["BANDS", "MAX_SPOT_CNY_PER_KWH", "MINUTES_PER_DAY", "Band", "BasicChargeRates", "DayType",
           "EnergyPrice", "Period", "SpotSource", "Tariff"]


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
    user_type: UserType | None = Field(
        None, description="Who the prices are for: single_part (单一制) or two_part (两部制).")
    floating_part: list[PricePart] | None = Field(
        None, description="The parts of the price that float with the band (the rest is the "
                          "adder); None where the document does not say.")
    transmission_distribution: TransmissionDistribution | None = Field(
        None, description="T&D energy rates by voltage level, and the level the prices are for.")
    voltage_level: VoltageLevel | None = Field(
        None, description="The enterprise's connection level; default the level the prices "
                          "are published for (transmission_distribution.tables_at).")
    government_funds_cny_per_kwh: NonNegativeFloat | None = Field(
        None, description="Government funds and surcharges (政府性基金及附加) inside the "
                          "adder [CNY/kWh]; documentation, used where a fee applies to all energy.")

    _spot: _SpotPrices | None = PrivateAttr(None)
    _calendar: Calendar = PrivateAttr(OFFICIAL)

    @model_validator(mode="after")
    def _complete(self) -> Tariff:
        table = _band_table(self.periods)
        gaps = _describe_gaps(table)
        if gaps:
            raise ValueError(f"no band covers {gaps}; every minute of every month needs one")
        self._check_voltage_level()
        if self.energy_price.spot is not None:
            return self
        for month in self.energy_price.tables():
            unpriced = [b for b in self.bands_used if self.energy_price.floating(b, month) is None]
            if unpriced:
                where = "periods" if "periods" in self.model_fields_set else \
                    "periods (none given: the whole day is flat)"
                table = "" if month is None else f" in the table of {month}"
                raise ValueError(f"band(s) {', '.join(unpriced)} are used in {where} but have "
                                 f"no price{table}")
        return self

    def _check_voltage_level(self) -> None:
        network = self.transmission_distribution
        if self.voltage_level is None:
            return
        if network is None:
            raise ValueError(f"voltage_level {self.voltage_level} needs the tariff's "
                             "transmission_distribution rates by voltage level; it has none")
        if self.voltage_level not in network.energy_cny_per_kwh:
            raise ValueError(f"voltage_level {self.voltage_level} has no T&D rate in this "
                             f"tariff; it has {', '.join(network.energy_cny_per_kwh)}")
        if self.voltage_level == network.tables_at:
            return
        if self.floating_part is None:
            raise ValueError("voltage_level moves the price by the T&D difference, but the "
                             "tariff does not say whether T&D floats (floating_part)")
        if "transmission_distribution" in self.floating_part and self._has_band_prices():
            raise ValueError("where T&D floats, voltage_level shifts the floating base E, so "
                             "the prices must be given as flat_cny_per_kwh with ratios, not "
                             "bands_cny_per_kwh")

    def _has_band_prices(self) -> bool:
        return any(t.bands_cny_per_kwh is not None for t in self.energy_price.tables().values())

    @property
    def voltage_shift_cny_per_kwh(self) -> tuple[float, float]:
        """(shift of the floating base E, shift of the adder) [CNY/kWh] that moves the
        published prices to ``voltage_level`` (see `energysim.tariffs.network`)."""
        network = self.transmission_distribution
        if self.voltage_level is None or network is None:
            return 0.0, 0.0
        delta = network.delta_cny_per_kwh(self.voltage_level)
        if delta and "transmission_distribution" in (self.floating_part or []):
            return delta, 0.0
        return 0.0, delta

    def prices_of_table(self, month: str | None = None, *, as_published: bool = False
                        ) -> np.ndarray:
        """All-in energy price [CNY/kWh] per band number in ``month``'s table (None: the
        only or the representative one; NaN for unpriced bands and for spot), at
        ``voltage_level`` or, ``as_published``, at the level the tables are for."""
        if self.is_spot:
            return np.full(len(BANDS), np.nan)
        price = self.energy_price
        table = price.tables()[month if month is not None else price.representative_month]
        shift_base, shift_adder = (0.0, 0.0) if as_published else self.voltage_shift_cny_per_kwh
        ratios = price.band_ratios
        out = []
        for band in BANDS:
            floating = price.floating(band, month)
            if floating is not None and shift_base:
                floating += ratios[band] * shift_base
            out.append(np.nan if floating is None
                       else floating + table.adder_cny_per_kwh + shift_adder)
        return np.array(out)

    def published_misfits(self) -> list[str]:
        """Published prices that the floating base, ratios and adder do not reproduce to
        `PUBLISHED_TOLERANCE_CNY_PER_KWH` (none where all fit, or none are published)."""
        misfits = []
        for month, table in self.energy_price.tables().items():
            derived = dict(zip(BANDS, self.prices_of_table(month, as_published=True), strict=True))
            for band, published in (table.published_cny_per_kwh or {}).items():
                if not abs(derived[band] - published) <= _TOLERANCE:
                    misfits.append(f"{month or 'prices'} {band}: published {published:g}, "
                                   f"derived {derived[band]:.7f}")
        return misfits

    def months_on_default(self, index: pd.DatetimeIndex) -> list[str]:
        """Months (YYYY-MM) of ``index`` priced by the default table, not their own."""
        months = self.energy_price.months
        if months is None:
            return []
        keys = sorted({f"{y:04d}-{m:02d}" for y, m in zip(index.year, index.month, strict=True)})
        return [key for key in keys if key not in months]

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

    @property
    def calendar(self) -> Calendar:
        """The holiday calendar its day-type periods go by (`with_calendar`)."""
        return self._calendar

    def with_calendar(self, calendar: Calendar) -> Tariff:
        """A copy whose day-type periods go by ``calendar`` (a scenario's own years); this
        tariff is unchanged."""
        copy = self.model_copy()
        copy._calendar = calendar
        return copy

    @property
    def level(self) -> str | None:
        """The voltage level its prices are for: ``voltage_level``, else the level of the
        published tables (None where the tariff has no T&D rates)."""
        network = self.transmission_distribution
        return self.voltage_level or (network.tables_at if network else None)

    def at_voltage_level(self, level: str) -> Tariff:
        """This tariff for an enterprise connected at ``level`` (itself where it already
        is), its spot prices and calendar kept.

        Raises
        ------
        ValueError
            The tariff has no T&D rate at ``level``, or cannot say how it moves the price.
        """
        if level == self.level:
            return self
        return self._revalidated(voltage_level=level, name=f"{self.name} ({level})")

    def with_energy_price(self, energy_price: dict | EnergyPrice) -> Tariff:
        """A copy priced by ``energy_price`` (validated with the whole tariff), its spot
        prices and calendar kept; this tariff is unchanged.

        Raises
        ------
        ValueError
            The new prices are not valid for this tariff (the first problem, in one line).
        """
        return self._revalidated(energy_price=energy_price if isinstance(energy_price, dict)
                                 else energy_price.model_dump())

    def _revalidated(self, **changes) -> Tariff:
        """A copy with ``changes`` to its fields, validated whole, its spot prices and
        calendar kept; ValueError with the first problem in one line (`first_error`)."""
        try:
            copy = Tariff.model_validate(self.model_dump() | changes)
        except ValueError as exc:
            raise ValueError(first_error(exc)) from None
        copy._spot, copy._calendar = self._spot, self._calendar
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
        every band of a spot tariff): the only table's, or the representative month's
        (`EnergyPrice.representative_month`) where there is one per month."""
        return self.prices_of_table()

    def bands_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """Band number at the start of each step of ``index``.

        Raises
        ------
        ValueError
            The tariff depends on day types and the holiday calendar does not cover a year.
        """
        minute = index.hour.to_numpy() * 60 + index.minute.to_numpy()
        kind = day_kinds(index, self._calendar) if self.uses_day_types \
            else np.zeros(len(index), dtype=np.int8)
        return self.band_table[kind, index.month.to_numpy() - 1, minute]

    def price_at(self, index: pd.DatetimeIndex) -> np.ndarray:
        """All-in energy price of an imported kWh at each step [CNY/kWh].

        By band at the start of each step, from the step's month's table where there is
        one per month; for a spot tariff, the spot price of the spot step holding each step
        (see `with_spot_prices`) plus the adder.

        Raises
        ------
        ValueError
            Band tariff: as `bands_at`, or a month without a price table and no default.
            Spot tariff: prices not loaded, a step not covered by them (the first one is
            named), a regular index whose steps do not fit inside the spot steps, or a
            timezone-aware index.
        """
        if not self.is_spot:
            bands = self.bands_at(index)
            if self.energy_price.months is None:
                return self.price_by_band[bands]
            codes = index.year.to_numpy() * 100 + index.month.to_numpy()
            unique, which = np.unique(codes, return_inverse=True)
            tables = np.stack([self.prices_of_table(self.energy_price.table_for(c // 100, c % 100))
                               for c in unique.tolist()])
            return tables[which, bands]
        if self._spot is None:
            raise ValueError(f"spot prices of tariff {self.name!r} were not loaded (file "
                             f"{self.energy_price.spot.file}); give them with with_spot_prices")
        return _spot_at(self._spot, pd.DatetimeIndex(index), self.name) + \
            self.energy_price.adder_cny_per_kwh + sum(self.voltage_shift_cny_per_kwh)

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
