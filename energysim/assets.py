"""Assets: PV panels, batteries and generators, each with its own id and location.

A scenario declares them in two forms, which mean the same:

- the short form, an enterprise's ``pv:``, ``storage:`` or ``generator:``: one asset of that
  kind whose id is the enterprise's id, at its meter, paid for by it;
- the list form, the scenario's ``assets:``, for several assets at one meter or assets
  paid for by others: each entry has a ``kind`` (pv, storage, generator), an ``id`` of its
  own, ``at`` (the enterprise whose meter it stands behind, or ``park``) and optionally
  ``cost_shares`` (who pays its costs: its wear, its fuel, later its capital; the
  enterprise at whose meter it stands by default).

`declared_assets` turns both into one list of `Asset`. A battery at a direct-supply plant
is declared with the plant (`energysim.green_supply`), its id the project's (the plant
stands on its own line to its offtakers, who share its costs by the project's
``cost_shares``); flexible production (``flexibility:``) is an asset of kind ``flex`` in
the short form only, its id and meter its enterprise's. ``at: park`` names the park's own
connection point, which a scenario cannot declare yet: such an asset is refused
(`energysim.scenario_checks.check_assets`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Discriminator, Field, NonNegativeFloat, PositiveFloat, Tag, model_validator

from energysim.demand_side import FlexSpec
from energysim.profiles.sources import BuiltinPV, PVSource
from energysim.schema import StrictModel, normalised_shares


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


PARK = "park"
"""The location of an asset at the park's connection point rather than behind a meter."""

SPECS = {"pv": PVSpec, "storage": StorageSpec, "generator": GeneratorSpec}
"""Asset kind → its spec, for the kinds the ``assets`` list may hold. The kinds are names of
components (`energysim.components`)."""
SHORT_FORM = {"pv": "pv", "storage": "storage", "generator": "generator", "flex": "flexibility"}
"""Asset kind → the enterprise's field that declares one (the short form). Flexible
production is its enterprise's load made flexible: it has the short form only."""


class _Listed(StrictModel):
    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$",
                    description="Identifier of the asset, unique in the scenario.")
    at: str = Field(description="The enterprise whose meter the asset stands behind, or park.")
    cost_shares: dict[str, NonNegativeFloat] = Field(
        default_factory=dict, description="Enterprise → its share of the asset's costs; the "
                                          "enterprise at whose meter it stands if absent.")

    @model_validator(mode="after")
    def _shares(self) -> _Listed:
        if self.cost_shares:
            normalised_shares(self.cost_shares)
        return self


class ListedPV(PVSpec, _Listed):
    """A PV array in the scenario's ``assets`` list."""

    kind: Literal["pv"]


class ListedStorage(StorageSpec, _Listed):
    """A battery in the scenario's ``assets`` list."""

    kind: Literal["storage"]


class ListedGenerator(GeneratorSpec, _Listed):
    """A generator in the scenario's ``assets`` list."""

    kind: Literal["generator"]


def _asset_kind(value) -> str | None:
    """The union tag of an ``assets`` entry: ``<kind>-asset`` (`energysim.yamlio` leaves the
    tag out of the located field)."""
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"{kind}-asset" if kind in SPECS else None


ListedAsset = Annotated[
    Annotated[ListedPV, Tag("pv-asset")] | Annotated[ListedStorage, Tag("storage-asset")]
    | Annotated[ListedGenerator, Tag("generator-asset")],
    Discriminator(_asset_kind, custom_error_type="asset_kind",
                  custom_error_message="kind must be one of 'pv', 'storage', 'generator'",
                  custom_error_context={}),
]
"""An entry of the scenario's ``assets`` list, told apart by its ``kind``."""


@dataclass(frozen=True)
class Asset:
    """One asset of a scenario, in whichever form it was declared.

    Attributes
    ----------
    id : str
        Unique among assets of its kind (an enterprise's own assets take its id).
    kind : str
        ``pv``, ``storage``, ``generator`` or ``flex`` (`SHORT_FORM`).
    at : str
        The enterprise whose meter it stands behind, or `PARK`.
    spec : PVSpec, StorageSpec, GeneratorSpec or FlexSpec
    cost_shares : dict of str to float
        Enterprise → share of the asset's costs, summing to 1. [-]
    listed : int or None
        Its position in the scenario's ``assets`` list; None for the short form.
    """

    id: str
    kind: str
    at: str
    spec: PVSpec | StorageSpec | GeneratorSpec | FlexSpec
    cost_shares: dict[str, float]
    listed: int | None = None

    @property
    def payers(self) -> set[str]:
        """The enterprises that pay a share of its costs."""
        return {e for e, share in self.cost_shares.items() if share > 0}


def declared_assets(spec) -> list[Asset]:
    """Every asset of a scenario (`energysim.scenario_spec.ScenarioSpec`): the enterprises'
    own, in their order, then the listed ones, in theirs."""
    out = [Asset(ent.id, kind, ent.id, getattr(ent, field), {ent.id: 1.0})
           for ent in spec.enterprises for kind, field in SHORT_FORM.items()
           if getattr(ent, field) is not None]
    for i, entry in enumerate(spec.assets):
        cls = SPECS[entry.kind]
        plain = cls.model_construct(**{f: getattr(entry, f) for f in cls.model_fields})
        out.append(Asset(entry.id, entry.kind, entry.at, plain,
                         normalised_shares(entry.cost_shares or {entry.at: 1.0}), i))
    return out
