"""What a scenario declares about the park microgrid: one connection point, members behind it.

A park with an incremental distribution network (增量配电网) or a shared battery (共享储能)
buys at one connection point (``connection``: a tariff at its voltage level, often 110 kV,
and one basic charge for the whole park) and meters its members (``members``, enterprise
ids) behind it. Cases with ``metering: park`` put the members behind the connection,
switch on the assets placed ``at: park`` (owned by the park's platform company, 平台公司)
and settle the members' sub-metered flows with the platform (``settlement``); the other
cases meter every enterprise on its own, as before.

Dispatch: each member runs its own assets for its own bill at its public tariff, as it
would alone, and the platform runs the park's assets for the connection's bill, given what
the members draw and feed in together (`energysim.analysis.park`).

With ``park_dispatch: platform`` a case has the platform company dispatch the members'
batteries and PV together with the park's, for the connection's bill (a park VPP
aggregator, `energysim.analysis.park_dispatch`); such a case switches on only the kinds of
`CONNECTION_KINDS`.

Settlement (``settlement.rule``): ``public_tariff`` — each member pays for its sub-metered
flows what its own tariff would bill them (energy, basic charge on its own peak, export
credit), the platform keeping the spread to the connection's bill; ``discount`` — that
bill less ``discount_fraction`` of it; ``internal_price`` — ``internal_price_cny_per_kwh``
for every kWh drawn and ``internal_export_price_cny_per_kwh`` for every kWh fed in, no
basic charge.

Sharing (``sharing.rule``): how the park's saving against its members alone (each on its
own meter with its own assets) is allocated: ``energy`` (pro rata to the energy each draws),
``peak`` (to each one's draw at the park's coincident monthly peaks) or ``shapley`` (exact
up to `SHAPLEY_EXACT_MAX` members, else sampled over ``samples`` orders).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from energysim.charges import BASIC_CHARGES, needs
from energysim.schema import StrictModel
from energysim.tariffs.network import VoltageLevel

SHAPLEY_EXACT_MAX = 8
"""Up to this many members the Shapley value enumerates every coalition (2^n − 1 models)."""

CONNECTION_KINDS = ("pv", "storage")
"""The asset kinds the connection's model has: those placed ``at: park``, and those the platform
company dispatches for the members (``park_dispatch: platform``)."""


class ConnectionSpec(StrictModel):
    """The park's connection point to the public grid."""

    tariff: str = Field(description="Name of a scenario tariff, billed at the connection.")
    voltage_level: VoltageLevel | None = Field(
        None, description="The connection's level (often 110kV): the tariff's prices move by "
                          "the T&D difference, as an enterprise's do.")
    basic_charge: Literal[BASIC_CHARGES] = Field(
        description="How the park's basic charge is billed: none, capacity (transformer_kva), "
                    "max_demand (the coincident monthly peak) or contract_demand.")
    transformer_kva: PositiveFloat = Field(description="Connection capacity; limits import "
                                                       "and export [kVA≈kW].")
    contract_demand_kw: PositiveFloat | None = Field(None, description="For contract_demand [kW].")

    @model_validator(mode="after")
    def _contract(self) -> ConnectionSpec:
        if "contract_demand_kw" in needs(self.basic_charge) and self.contract_demand_kw is None:
            raise ValueError("basic_charge contract_demand needs contract_demand_kw")
        return self


class SettlementSpec(StrictModel):
    """What members pay the platform company for their sub-metered flows."""

    rule: Literal["public_tariff", "discount", "internal_price"] = "public_tariff"
    discount_fraction: float = Field(0.0, ge=0.0, lt=1.0, description="For discount: the "
                                     "share of the public-tariff bill taken off [-].")
    internal_price_cny_per_kwh: NonNegativeFloat | None = Field(
        None, description="For internal_price: every kWh a member draws [CNY/kWh].")
    internal_export_price_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="For internal_price: every kWh a member feeds in [CNY/kWh].")

    @model_validator(mode="after")
    def _complete(self) -> SettlementSpec:
        if self.rule == "internal_price" and self.internal_price_cny_per_kwh is None:
            raise ValueError("rule internal_price needs internal_price_cny_per_kwh")
        if self.rule == "discount" and self.discount_fraction == 0.0:
            raise ValueError("rule discount needs discount_fraction above 0")
        others = {"discount_fraction": "discount", "internal_price_cny_per_kwh": "internal_price",
                  "internal_export_price_cny_per_kwh": "internal_price"}
        stray = [f for f, rule in others.items() if f in self.model_fields_set and rule != self.rule]
        if stray:
            raise ValueError(f"{', '.join(stray)} belong(s) to another rule than {self.rule}")
        return self


class SharingSpec(StrictModel):
    """How the park's saving is allocated among its members."""

    rule: Literal["energy", "peak", "shapley"] = "shapley"
    samples: int = Field(2000, ge=2, description="Random member orders of the sampled "
                                 f"Shapley value (above {SHAPLEY_EXACT_MAX} members).")
    seed: int = Field(0, description="Seed of the sampled orders.")


class ParkSpec(StrictModel):
    """The park's ``park:`` block (see the module docstring)."""

    connection: ConnectionSpec
    members: list[str] = Field(min_length=1, description="Enterprise ids metered behind the "
                                                         "connection in park cases.")
    settlement: SettlementSpec = Field(default_factory=SettlementSpec)
    sharing: SharingSpec = Field(default_factory=SharingSpec)
