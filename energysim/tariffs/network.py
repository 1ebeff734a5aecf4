"""Transmission and distribution (输配电价) by voltage level, and what part of a price floats.

A published price table is for one user type (single- or two-part) at one voltage level
(``tables_at``, in Chongqing 1–10 kV). An enterprise connected at another level pays that
level's T&D energy rate instead, so its prices move by

    delta = td[voltage_level] - td[tables_at]                    [CNY/kWh]

and where that delta lands depends on the province (``floating_part``): where T&D floats
with the band (Chongqing) it is added to the floating base E, so a band with ratio r moves
by r * delta; where only the energy purchase floats (Jiangxi, Shaanxi) it is added to the
non-floating adder, so every band moves by delta.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, PositiveFloat, model_validator

from energysim.schema import StrictModel

VoltageLevel = Literal["below_1kV", "1-10kV", "35kV", "110kV", "220kV+"]
VOLTAGE_LEVELS: tuple[str, ...] = ("below_1kV", "1-10kV", "35kV", "110kV", "220kV+")
UserType = Literal["single_part", "two_part"]
PricePart = Literal["energy_purchase", "transmission_distribution", "line_loss",
                    "system_operation", "government_funds"]
"""Parts of an agency-purchase price (代理购电价格): 上网电价 (energy purchase), 输配电价,
上网环节线损费用, 系统运行费用, 政府性基金及附加."""


class TransmissionDistribution(StrictModel):
    """Energy rates of transmission and distribution by voltage level, for one user type."""

    document: str = Field(description="Document that sets the rates, e.g. 发改价格〔2026〕1077号.")
    effective: date | None = None
    secondary_source: bool = Field(
        False, description="True where the figures were seen only in a secondary source.")
    source: str = ""
    tables_at: VoltageLevel = Field(
        description="Voltage level whose T&D rate the tariff's price tables include.")
    energy_cny_per_kwh: dict[VoltageLevel, PositiveFloat] = Field(
        description="T&D energy rate per voltage level [CNY/kWh].")

    @model_validator(mode="after")
    def _has_tables_level(self) -> TransmissionDistribution:
        if self.tables_at not in self.energy_cny_per_kwh:
            raise ValueError(f"tables_at {self.tables_at} has no rate in energy_cny_per_kwh "
                             f"(it has {', '.join(self.energy_cny_per_kwh)})")
        return self

    def delta_cny_per_kwh(self, level: str) -> float:
        """T&D rate at ``level`` less the rate the price tables include [CNY/kWh]."""
        return self.energy_cny_per_kwh[level] - self.energy_cny_per_kwh[self.tables_at]
