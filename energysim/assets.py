"""Assets an enterprise or a green-supply plant may have: PV panels, a battery, a generator.

Both are declared the same way wherever they stand (behind an enterprise's meter, or at a
direct-supply plant, `energysim.green_supply`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from energysim.profiles.sources import BuiltinPV, PVSource
from energysim.schema import StrictModel


class PVSpec(StrictModel):
    """PV panels (on a roof behind the meter, or at a green-supply plant)."""

    capacity_kwp: PositiveFloat = Field(description="Installed peak power [kWp].")
    profile: PVSource = Field(BuiltinPV(), description="Output per kWp installed [kW/kWp]: a "
                              "file, {builtin: chongqing} (default) or {pvlib: {...}}.")


class StorageSpec(StrictModel):
    """A battery (behind the meter, or at a green-supply plant)."""

    capacity_kwh: PositiveFloat = Field(description="Usable energy capacity [kWh].")
    power_kw: PositiveFloat = Field(description="Maximum charge and discharge power [kW].")
    charge_efficiency: float = Field(0.95, gt=0, le=1, description="[-]")
    discharge_efficiency: float = Field(0.95, gt=0, le=1, description="[-]")
    soc_min_fraction: float = Field(0.1, ge=0, lt=1, description="Lowest state of charge [-].")
    soc_max_fraction: float = Field(0.9, gt=0, le=1, description="Highest state of charge [-].")
    soc_initial_fraction: float = Field(
        0.5, ge=0, le=1, description="State of charge at the start, and required at the end [-]."
    )
    self_discharge_fraction_per_h: float = Field(
        0.0, ge=0, lt=0.1, description="Share of the stored energy lost per hour [1/h]."
    )
    wear_cost_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Degradation cost per kWh discharged [CNY/kWh]."
    )

    @model_validator(mode="after")
    def _soc_order(self) -> StorageSpec:
        if not self.soc_min_fraction <= self.soc_initial_fraction <= self.soc_max_fraction:
            raise ValueError(
                "need soc_min_fraction <= soc_initial_fraction <= soc_max_fraction, got "
                f"{self.soc_min_fraction}, {self.soc_initial_fraction}, {self.soc_max_fraction}"
            )
        return self


class GeneratorSpec(StrictModel):
    """A diesel or gas generator behind the meter (many parks keep one as backup).

    No fuel price is assumed: give what a kWh generated costs the enterprise (fuel at its
    price, over the engine's output per litre or cubic metre, plus running costs).
    """

    capacity_kw: PositiveFloat = Field(description="Most electric output [kW].")
    min_stable_fraction: float = Field(
        0.0, ge=0, lt=1, description="Least output while running, a share of the capacity; "
                                     "above 0 the model needs a binary per step [-].")
    fuel_cost_cny_per_kwh: NonNegativeFloat = Field(
        description="Fuel and running cost of a kWh generated [CNY/kWh].")
    fuel: Literal["diesel", "gas"] = Field("diesel", description="What it burns (for reports).")
