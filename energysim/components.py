"""The components a case can switch on, declared once.

Each entry names a component of the model: the module that adds it
(``energysim.model.<module>``, with ``applies(inputs)`` and ``add(m, inputs)``), what it
costs and which output columns it fills, whether it takes load off a meter (``load_side``:
the green-supply rules count the load served without it) and which enterprises it couples
into one model (``couples``). The case vocabulary (``assets:`` in a scenario), the model
groups (`energysim.analysis.cases.model_groups`), the green rules' load-side terms
(`energysim.model.green_rules`) and `energysim.model.build.build_model`'s loop all read this
table, in its order (a later component may use an earlier one's variables). The grid, the
basic charge, the net meter and the green-supply rules are always part of a model and are
not listed. `docs/adding_a_component.md` says how to add one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


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
    costs: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    load_side: bool = False
    couples: Callable[[object], list[set[str]]] | None = field(default=None, compare=False)


def _vpp_members(spec) -> list[set[str]]:
    return [set(spec.vpp.participants)] if spec.vpp is not None else []


def _offtakers(spec) -> list[set[str]]:
    return [set(g.offtakers) for g in spec.green_direct]


COMPONENTS: tuple[Component, ...] = (
    Component("pv", "pv", "rooftop PV behind the meter, which may be curtailed",
              columns=("pv_kw", "pv_curtail_kw")),
    Component("storage", "storage", "batteries behind the meter (and at green-supply plants)",
              costs=("storage_wear",),
              columns=("storage_charge_kw", "storage_discharge_kw", "storage_soc_kwh")),
    Component("green_direct", "green_direct",
              "direct green-power supply: a plant on a line to its offtakers",
              costs=("green_ppa", "green_fees", "green_feed_in_credit"),
              columns=("green_direct_kw",), couples=_offtakers),
    Component("flex", "flexible_load", "flexible production: load moved in time or left unserved",
              costs=("unserved_load_cost",), columns=("flex_shift_kw", "load_curtail_kw"),
              load_side=True),
    Component("vpp", "vpp", "the park's virtual power plant: events and capacity payments",
              costs=("vpp_energy_revenue", "vpp_penalty", "vpp_capacity_revenue"),
              columns=("vpp_response_kw",), couples=_vpp_members),
    Component("generator", "generator",
              "a diesel or gas generator behind the meter: fuel cost, minimum stable output",
              costs=("generator_fuel",), columns=("generator_kw",)),
)
ASSETS = tuple(c.name for c in COMPONENTS)
"""What a case's ``assets`` may switch on."""
LOAD_SIDE = tuple(c.name for c in COMPONENTS if c.load_side)
"""Components whose supply term takes load off a meter."""


def couplings(spec, assets) -> list[set[str]]:
    """The sets of enterprises the components switched on (``assets``) make one model of."""
    return [members for c in COMPONENTS if c.name in assets and c.couples is not None
            for members in c.couples(spec)]
