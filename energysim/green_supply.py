"""What a scenario declares about direct green-power supply (绿电直连) and carbon.

A project (`GreenDirectSpec`) is a dedicated PV and/or wind plant, optionally with a
battery at the plant, on a direct line of ``line_kw`` to one or several offtaker
enterprises of the park. The optimiser decides how much each offtaker takes at each step;
surplus is fed into the public grid (up to ``feed_in.max_kw``, 0: not allowed) or curtailed.

Prices and fees, for the offtakers (the project is theirs, as 发改能源〔2025〕650号 has it):

* ``price.ppa_cny_per_kwh``: the plant's output is bought as it is used (over the line or
  fed in), curtailed output is not paid; or ``price.levelised_cost_cny_per_kwh``: the
  plant is owned and every kWh it could generate costs its levelised cost, whatever is done
  with it.
* ``fees`` (发改价格〔2025〕1192号): scheme ``capacity`` — a monthly T&D fee of
  ``td_rate × average_load_rate × 730 h × transformer_kva`` per offtaker, and only
  government funds on the green energy it takes; scheme ``consumption`` — T&D, system
  operation, cross-subsidy and government funds on every green kWh taken. A standby fee
  per kVA·month on ``standby_kva`` (the line's capacity unless given) in both.
* Feed-in is credited at ``feed_in.price_cny_per_kwh``.

Costs of the plant as a whole (feed-in, ownership, standby, the plant battery's wear) are
shared among offtakers by ``cost_shares`` (equal by default). Grid purchases stay under each
enterprise's own tariff.

The ratio rules of 650号 (`GreenRulesSpec`) are either checked after the solve or
enforced as constraints; their defaults are the national ones: self-consumed green energy
≥ 60 % of the plant's available generation and ≥ 30 % of the offtakers' consumption (35 %
for horizons before 2030), feed-in ≤ 20 % of available generation.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from energysim.assets import PVSpec, StorageSpec
from energysim.profiles.sources import WindSource
from energysim.schema import StrictModel, normalised_shares

NATIONAL_GRID_FACTOR_KGCO2_PER_KWH = 0.5306
"""National average grid emission factor for 2023 (MEE/NBS, published 2025-12-31)."""
GRID_FACTORS: dict[str, tuple[float, str, str]] = {
    "national": (NATIONAL_GRID_FACTOR_KGCO2_PER_KWH,
                 "national average grid emission factor 2023, MEE/NBS 公告2025年第47号, "
                 "published 2025-12-31",
                 "2023年全国电网平均排放因子，生态环境部、国家统计局公告2025年第47号"),
    "chongqing": (0.5581,
                  "Chongqing grid emission factor 2023, MEE/NBS 公告2025年第47号, published "
                  "2025-12-31",
                  "2023年重庆市电网排放因子，生态环境部、国家统计局公告2025年第47号"),
}
"""The official 2023 grid emission factors [kgCO2/kWh] with their document (English and
Chinese); the 2024 carbon-footprint factor 0.5777 kgCO2e/kWh is another quantity."""
STRICTER_SHARE_BEFORE_YEAR = 2030
"""Before this year the share of consumption must be at least 35 % instead of 30 % (650号)."""


class WindSpec(StrictModel):
    """Wind turbines at the plant."""

    capacity_kw: PositiveFloat = Field(description="Installed power [kW].")
    profile: WindSource = Field(description="Output per kW installed [kW/kW]: a file.")


class FeedInSpec(StrictModel):
    """How much of the plant's surplus may go into the public grid, and at what price."""

    max_kw: NonNegativeFloat = Field(0.0, description="Feed-in limit; 0: not allowed [kW].")
    price_cny_per_kwh: NonNegativeFloat = Field(0.0, description="Paid per kWh fed in [CNY/kWh].")


class GreenPriceSpec(StrictModel):
    """What the green energy costs: a PPA price, or the levelised cost of an owned plant."""

    ppa_cny_per_kwh: NonNegativeFloat | None = Field(
        None, description="Paid per kWh the plant delivers (line or feed-in) [CNY/kWh].")
    levelised_cost_cny_per_kwh: NonNegativeFloat | None = Field(
        None, description="Owned plant: cost of each kWh it could generate [CNY/kWh].")

    @model_validator(mode="after")
    def _one(self) -> GreenPriceSpec:
        if (self.ppa_cny_per_kwh is None) == (self.levelised_cost_cny_per_kwh is None):
            raise ValueError("give exactly one of ppa_cny_per_kwh and levelised_cost_cny_per_kwh")
        return self


class GreenFeesSpec(StrictModel):
    """Network fees of the project (发改价格〔2025〕1192号); no official figures are shipped."""

    scheme: Literal["capacity", "consumption"] = Field(
        description="capacity: monthly T&D fee on connection capacity, green kWh pay only "
                    "government funds; consumption: all fees on every green kWh.")
    td_rate_cny_per_kwh: NonNegativeFloat = Field(
        description="Energy T&D rate of the voltage level (输配电价) [CNY/kWh].")
    average_load_rate: float | None = Field(
        None, gt=0, le=1, description="Average load rate of the capacity fee [-].")
    system_operation_cny_per_kwh: NonNegativeFloat = Field(0.0, description="[CNY/kWh]")
    cross_subsidy_cny_per_kwh: NonNegativeFloat = Field(0.0, description="[CNY/kWh]")
    government_funds_cny_per_kwh: NonNegativeFloat = Field(0.0, description="[CNY/kWh]")
    standby_fee_cny_per_kva_month: NonNegativeFloat = Field(
        0.0, description="System standby fee (系统备用费) [CNY/(kVA·month)].")
    standby_kva: PositiveFloat | None = Field(
        None, description="Capacity the standby fee is charged on; the line's if absent [kVA].")

    @model_validator(mode="after")
    def _load_rate(self) -> GreenFeesSpec:
        if self.scheme == "capacity" and self.average_load_rate is None:
            raise ValueError("scheme capacity needs average_load_rate")
        return self

    @property
    def per_kwh_cny(self) -> float:
        """Fees on each green kWh an offtaker takes. [CNY/kWh]"""
        if self.scheme == "capacity":
            return self.government_funds_cny_per_kwh
        return (self.td_rate_cny_per_kwh + self.system_operation_cny_per_kwh
                + self.cross_subsidy_cny_per_kwh + self.government_funds_cny_per_kwh)


GreenRulesMode = Literal["check", "enforce"]


class GreenRulesSpec(StrictModel):
    """The ratio rules of 发改能源〔2025〕650号, checked or enforced."""

    mode: GreenRulesMode = Field("check", description="check: report only; enforce: constraints.")
    min_self_consumption_share: float = Field(
        0.6, ge=0, le=1, description="Self-consumed green energy / available generation [-].")
    min_share_of_consumption: float | None = Field(
        None, ge=0, le=1, description="Self-consumed green energy / the offtakers' consumption; "
                                      "0.35 before 2030, 0.30 from then, if absent [-].")
    max_feed_in_share: float = Field(
        0.2, ge=0, le=1, description="Feed-in / available generation (a province may set less) [-].")

    def share_of_consumption_for(self, year: int) -> float:
        """The required share of consumption for a horizon starting in ``year``."""
        if self.min_share_of_consumption is not None:
            return self.min_share_of_consumption
        return 0.35 if year < STRICTER_SHARE_BEFORE_YEAR else 0.30


class GreenDirectSpec(StrictModel):
    """One direct green-power supply project."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", description="Identifier used in outputs.")
    name: str = ""
    pv: PVSpec | None = None
    wind: WindSpec | None = None
    storage: StorageSpec | None = Field(None, description="A battery at the plant.")
    line_kw: PositiveFloat = Field(description="Capacity of the direct line [kW].")
    offtakers: list[str] = Field(min_length=1, description="Enterprise ids the line serves.")
    cost_shares: dict[str, NonNegativeFloat] = Field(
        default_factory=dict, description="How plant-wide costs are shared; equal if absent.")
    price: GreenPriceSpec
    fees: GreenFeesSpec
    feed_in: FeedInSpec = FeedInSpec()
    rules: GreenRulesSpec = GreenRulesSpec()

    @model_validator(mode="after")
    def _generation(self) -> GreenDirectSpec:
        if self.pv is None and self.wind is None:
            raise ValueError("a green-supply plant needs pv and/or wind")
        if len(set(self.offtakers)) != len(self.offtakers):
            raise ValueError(f"offtakers listed twice: {self.offtakers}")
        if self.cost_shares:
            normalised_shares(self.cost_shares)
        return self

    def required_shares(self, first_year: int) -> dict[str, float]:
        """Rule → the share it requires (`energysim.model.green_rules.RULES`) of a horizon
        starting in ``first_year``. [-]"""
        rules = self.rules
        return {"self_consumption": rules.min_self_consumption_share,
                "share_of_consumption": rules.share_of_consumption_for(first_year),
                "feed_in": rules.max_feed_in_share}

    @property
    def marginal_cny_per_kwh(self) -> float:
        """What one more kWh over the line costs an offtaker: the PPA price and the fees per
        kWh (the fees alone for an owned plant, whose cost does not depend on its use). [CNY/kWh]"""
        return (self.price.ppa_cny_per_kwh or 0.0) + self.fees.per_kwh_cny

    def shares(self) -> dict[str, float]:
        """Each offtaker's share of plant-wide costs [-], summing to 1."""
        return normalised_shares({e: self.cost_shares.get(e, 0.0) if self.cost_shares else 1.0
                                  for e in self.offtakers})


class CarbonSpec(StrictModel):
    """The grid emission factor CO2 is counted with: an official one by name, or a value."""

    grid_factor: Literal["national", "chongqing"] = Field(
        "national", description="Official 2023 factor (`GRID_FACTORS`): national 0.5306 or "
                                "Chongqing 0.5581 kgCO2/kWh.")
    grid_factor_kgco2_per_kwh: PositiveFloat | None = Field(
        None, description="A factor of your own instead [kgCO2/kWh]; say where from in "
                          "factor_source.")
    factor_source: str | None = Field(None, description="Where the factor comes from.")

    @property
    def factor_kgco2_per_kwh(self) -> float:
        """The factor used [kgCO2/kWh]."""
        if self.grid_factor_kgco2_per_kwh is not None:
            return self.grid_factor_kgco2_per_kwh
        return GRID_FACTORS[self.grid_factor][0]

    def describe(self, lang: str = "en") -> str:
        """The factor and its source, as a report states it."""
        value = f"{self.factor_kgco2_per_kwh:g} kgCO2/kWh"
        official = GRID_FACTORS[self.grid_factor]
        if self.factor_source:
            source = self.factor_source
        elif self.grid_factor_kgco2_per_kwh is None or \
                self.grid_factor_kgco2_per_kwh == official[0]:
            source = official[1] if lang == "en" else official[2]
        else:
            source = "set in the scenario" if lang == "en" else "情景设定"
        return f"{value} ({source})" if lang == "en" else f"{value}（{source}）"
