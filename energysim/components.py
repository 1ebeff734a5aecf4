"""The components a case can switch on, declared once.

Each entry names a component of the model: the module that adds it
(``energysim.model.<module>``, with ``applies(inputs)``, ``add(m, inputs)`` and
``timeseries(m, meters, n)``), the sets it adds (the first tells whether a model has it),
whether it has a term in the meters' power balance (``supplies``: the supply term of its
name, `energysim.model.terms`), what it costs and which output columns it fills, whether it
takes load off a meter (``load_side``: the green-supply rules count the load served without
it) and which enterprises it couples into one model (``couples``). The case vocabulary
(``assets:`` in a scenario), the model groups (`energysim.analysis.cases.model_groups`),
the green rules' load-side terms (`energysim.model.green_rules`), the output columns
(`energysim.model.extract`) and `energysim.model.build.build_model`'s loop all read this
table, in its order (a later component may use an earlier one's variables). The grid, the
basic charge, the net meter and the green-supply rules are always part of a model and are
not listed. `docs/adding_a_component.md` says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial


@dataclass(frozen=True)
class Component:
    """One component a case may switch on.

    Attributes
    ----------
    name : str
        As in a case's ``assets`` list.
    module : str
        ``energysim.model.<module>`` adds it.
    description : str
    inputs : tuple of str
        The fields of `energysim.case_inputs.CaseInputs` it is built from (their specs:
        `energysim.assets`, `energysim.demand_side`, `energysim.green_supply`).
    sets : tuple of str
        The Sets it adds to a model; a model has the component where it has the first.
    supplies : bool
        It adds the supply term of its name to the meters' power balance.
    costs : tuple of str
        The cost terms it registers (``cost_<name>_cny``).
    columns : tuple of str
        The time-series quantities it fills (`energysim.results.QUANTITIES`).
    load_side : bool
        It takes load off a meter rather than supplying it.
    couples : callable, optional
        ``couples(spec)`` (the scenario's `energysim.scenario_spec.ScenarioSpec`) → the sets
        of enterprises it makes one model of.
    """

    name: str
    module: str
    description: str
    inputs: tuple[str, ...]
    sets: tuple[str, ...]
    supplies: bool = True
    costs: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    load_side: bool = False
    couples: Callable[[object], list[set[str]]] | None = field(default=None, compare=False)


def _payers(spec, kind: str) -> list[set[str]]:
    """The listed assets of ``kind`` paid for by others than their meter's enterprise: each
    meter with its payers (`energysim.assets`)."""
    return [{a.at, *paid} for a in spec.assets if a.kind == kind
            for paid in [{e for e, share in a.cost_shares.items() if share > 0}]
            if paid - {a.at}]


def _vpp_members(spec) -> list[set[str]]:
    return [set(spec.vpp.participants)] if spec.vpp is not None else []


def _offtakers(spec) -> list[set[str]]:
    return [set(g.offtakers) for g in spec.green_direct]


COMPONENTS: tuple[Component, ...] = (
    Component("pv", "pv", "rooftop PV behind the meter, which may be curtailed",
              inputs=("pv_available_kw", "asset_at"),
              sets=("PV_SITES", "PV_METERS", "PV_AT"), columns=("pv_kw", "pv_curtail_kw")),
    Component("storage", "storage", "batteries behind the meter (and at green-supply plants)",
              inputs=("storages", "asset_at", "asset_cost_shares", "green_projects"),
              sets=("STORAGES", "STORAGES_AT", "STORAGE_PAYERS", "STORAGES_PAID_BY"),
              costs=("storage_wear",),
              columns=("storage_charge_kw", "storage_discharge_kw", "storage_soc_kwh"),
              couples=partial(_payers, kind="storage")),
    Component("green_direct", "green_direct",
              "direct green-power supply: a plant on a line to its offtakers",
              inputs=("green_projects", "green_available_kw"),
              sets=("GREEN_PROJECTS", "GREEN_OFFTAKE", "GREEN_AT", "GREEN_OFFTAKERS",
                    "GREEN_STORAGES_AT"),
              costs=("green_ppa", "green_fees", "green_feed_in_credit"),
              columns=("green_direct_kw",), couples=_offtakers),
    Component("flex", "flexible_load", "flexible production: load moved in time or left unserved",
              inputs=("flexibility",),
              sets=("FLEX_SITES", "FLEX_AT", "FLEX_PERIODS", "STEPS_IN_FLEX_PERIOD"),
              costs=("unserved_load_cost",), columns=("flex_shift_kw", "load_curtail_kw"),
              load_side=True),
    Component("vpp", "vpp", "the park's virtual power plant: events and capacity payments",
              inputs=("vpp",),
              sets=("EVENTS", "VPP_MEMBERS", "EVENT_STEPS"), supplies=False,
              costs=("vpp_energy_revenue", "vpp_penalty", "vpp_capacity_revenue"),
              columns=("vpp_response_kw",), couples=_vpp_members),
    Component("generator", "generator",
              "a diesel or gas generator behind the meter: fuel cost, minimum stable output",
              inputs=("generators", "asset_at", "asset_cost_shares"),
              sets=("GENERATORS", "GENERATORS_AT", "GENERATORS_COMMITTED", "GENERATOR_PAYERS",
                    "GENERATORS_PAID_BY"),
              costs=("generator_fuel",), columns=("generator_kw",),
              couples=partial(_payers, kind="generator")),
)
ASSETS = tuple(c.name for c in COMPONENTS)
"""What a case's ``assets`` may switch on."""
LOAD_SIDE = tuple(c.name for c in COMPONENTS if c.load_side)
"""Components whose supply term takes load off a meter."""


def couplings(spec, assets) -> list[set[str]]:
    """The sets of enterprises the components switched on (``assets``) make one model of."""
    return [members for c in COMPONENTS if c.name in assets and c.couples is not None
            for members in c.couples(spec)]


def in_model(component: Component, m) -> bool:
    """Whether the Pyomo model ``m`` has ``component``."""
    return m.component(component.sets[0]) is not None
