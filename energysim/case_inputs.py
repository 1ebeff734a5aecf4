"""What one model of a case is built from: plain arrays and specs, nothing to interpret.

`energysim.prepare.prepare` makes a `CaseInputs` from a scenario, a case and a group of
enterprises; `energysim.model.build.build_model` assembles the Pyomo model from it alone.
The model therefore never reads the scenario file's structure (which tariff a case uses,
which assets it switches on, which events fall in the horizon, whose rules are enforced):
all of that is decided here, once. Two inputs compare field by field, which is how the
sweep's re-solver tells what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from energysim.assets import GeneratorSpec, StorageSpec
from energysim.demand_side import FlexSpec, VPPSpec
from energysim.green_supply import GreenDirectSpec
from energysim.vpp_baseline import EventBaseline, EventWindow


@dataclass
class VPPInputs:
    """The VPP programme of a model whose members are all in it.

    Attributes
    ----------
    programme : VPPSpec
        With only the events inside the horizon.
    windows : dict
        Event name → its window.
    baselines : dict
        (member, event) → the member's baseline (`energysim.vpp_baseline`).
    """

    programme: VPPSpec
    windows: dict[str, EventWindow]
    baselines: dict[tuple[str, str], EventBaseline]


@dataclass(frozen=True)
class SizedCapacity:
    """A capacity the model chooses (`energysim.model.sizing`): the asset's spec in the
    inputs holds the most it may be.

    Attributes
    ----------
    kind, asset : str
        ``pv`` or ``storage``, and the asset's id.
    unit : str
        ``kwp`` (PV), ``kwh`` or ``kw`` (a battery's energy or power).
    max_size : float
        The most it may be. [kWp], [kWh], [kW]
    cny_per_unit_year : float
        What a unit costs a year, annualised (`energysim.economics.lifecycle`).
        [CNY/(unit·year)]
    """

    kind: str
    asset: str
    unit: str
    max_size: float
    cny_per_unit_year: float


@dataclass
class CaseInputs:
    """Everything the model of one case for a group of enterprises is built from.

    Attributes
    ----------
    name : str
        The model's name, ``scenario / case / enterprises``.
    enterprises : list of str
        The meters of the model, in the scenario's order.
    index : pandas.DatetimeIndex
        Step starts, local time.
    dt_h : float
        Step length. [h]
    load_kw, price_cny_per_kwh : dict of str to numpy.ndarray
        Per enterprise and step: load [kW] and the all-in price of an imported kWh
        [CNY/kWh].
    export_price_cny_per_kwh, transformer_kva : dict of str to float
        Per enterprise. [CNY/kWh], [kVA]
    pv_available_kw : dict of str to numpy.ndarray
        PV arrays switched on (by asset id, `energysim.assets`) → what they could deliver
        per step. [kW]
    pv_must_take : set of str
        Arrays whose output is never curtailed (what a park's members feed in together at
        its connection, `energysim.analysis.park`).
    storages : dict of str to StorageSpec
        Batteries switched on behind the meters, by asset id.
    green_projects : list of GreenDirectSpec
        Direct green-supply projects switched on, all their offtakers in the model.
    green_available_kw : dict of str to numpy.ndarray
        Project → what its plant could deliver per step. [kW]
    flexibility : dict of str to FlexSpec
        Enterprises with flexible production switched on.
    generators : dict of str to GeneratorSpec
        Generators switched on, by asset id.
    asset_at : dict of str to str
        Asset id (of the PV arrays, batteries and generators above) → the meter it stands
        behind.
    asset_cost_shares : dict of str to dict
        Asset id → enterprise → its share of the asset's costs (summing to 1). [-]
    vpp : VPPInputs or None
        The VPP, where the case switches it on and the model holds its members.
    basic_charge_mode : dict of str to str
        ``none``, ``capacity``, ``contract_demand`` or ``max_demand`` per enterprise.
    basic_charge_rate : dict of str to float
        The rate of that mode. [CNY/(kVA·month)] or [CNY/(kW·month)]
    contract_demand_kw : dict of str to float
        Enterprises billed on contract demand. [kW]
    demand_margin_kw : dict of str to numpy.ndarray
        What the meter's 15-minute demand adds to each step's mean net import (0 at 15-minute
        steps; `energysim.profiles.intra_hour`). [kW]
    green_rules_enforced : dict
        (project, rule) → required share, for the rules the case enforces. [-]
    launder_risk : set of str
        Offtakers that could gain by laundering (`energysim.model.net_meter`).
    mode_price_cny_per_kwh : dict of str to numpy.ndarray
        Per PV meter, the import prices whose steps below the export price get a net-meter
        mode (`energysim.model.net_meter`); ``price_cny_per_kwh`` where absent. A model
        re-solved under several tariffs is built with the least of their prices, so that
        it has a mode wherever one of them contests a step. [CNY/kWh]
    sized : list of SizedCapacity
        The capacities the model chooses (a case's ``size``); the PV available and the
        batteries' specs above are then at the most each may be.
    """

    name: str
    enterprises: list[str]
    index: pd.DatetimeIndex
    dt_h: float
    load_kw: dict[str, np.ndarray]
    price_cny_per_kwh: dict[str, np.ndarray]
    export_price_cny_per_kwh: dict[str, float]
    transformer_kva: dict[str, float]
    pv_available_kw: dict[str, np.ndarray] = field(default_factory=dict)
    pv_must_take: set[str] = field(default_factory=set)
    storages: dict[str, StorageSpec] = field(default_factory=dict)
    green_projects: list[GreenDirectSpec] = field(default_factory=list)
    green_available_kw: dict[str, np.ndarray] = field(default_factory=dict)
    flexibility: dict[str, FlexSpec] = field(default_factory=dict)
    generators: dict[str, GeneratorSpec] = field(default_factory=dict)
    asset_at: dict[str, str] = field(default_factory=dict)
    asset_cost_shares: dict[str, dict[str, float]] = field(default_factory=dict)
    vpp: VPPInputs | None = None
    basic_charge_mode: dict[str, str] = field(default_factory=dict)
    basic_charge_rate: dict[str, float] = field(default_factory=dict)
    contract_demand_kw: dict[str, float] = field(default_factory=dict)
    demand_margin_kw: dict[str, np.ndarray] = field(default_factory=dict)
    green_rules_enforced: dict[tuple[str, str], float] = field(default_factory=dict)
    launder_risk: set[str] = field(default_factory=set)
    mode_price_cny_per_kwh: dict[str, np.ndarray] = field(default_factory=dict)
    sized: list[SizedCapacity] = field(default_factory=list)

    def meters_with(self, assets) -> list[str]:
        """The meters, in order, with at least one of ``assets`` (ids) behind them."""
        at = {self.asset_at.get(a, a) for a in assets}
        return [e for e in self.enterprises if e in at]
