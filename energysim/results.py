"""What a solved case is, and the columns of every table that leaves the model.

A `CaseResult` holds one case's time series, costs and settlements, and how close to the
optimum it is. The schemas here name the columns the model's extraction writes and every
writer reads: the quantities of a meter's and a plant's time series, the cost components,
the VPP events. The module imports nothing of energysim's: the model, the analysis and the
reports all read it, and none of them needs another to know what a result looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

STAGES = ("build", "compile", "handoff", "solve", "load", "extract")
"""The stages of a model whose seconds are recorded."""
EXACT_RELATIVE = 1e-6
"""An optimum proven to this relative distance counts as exact."""
QUANTITIES = (
    "load_kw", "grid_import_kw", "grid_export_kw", "pv_kw", "pv_curtail_kw",
    "storage_charge_kw", "storage_discharge_kw", "storage_soc_kwh", "price_cny_per_kwh",
    "original_load_kw", "flex_shift_kw", "load_curtail_kw", "vpp_response_kw", "green_direct_kw",
)
"""Columns of the time series of each enterprise, in order."""
PLANT_QUANTITIES = ("green_available_kw", "green_delivered_kw", "green_feed_in_kw",
                    "green_curtail_kw", "storage_charge_kw", "storage_discharge_kw",
                    "storage_soc_kwh")
"""Columns of the time series of each green-supply plant, in order."""
STANDARD_COSTS = ("energy", "basic_charge", "export_credit", "storage_wear", "unserved_load_cost",
                  "vpp_energy_revenue", "vpp_capacity_revenue", "vpp_penalty", "green_ppa",
                  "green_fees", "green_feed_in_credit")
"""Cost components every breakdown lists, zero where they do not apply."""
VPP_EVENT_COLUMNS = ["event", "enterprise", "baseline_kwh", "delivered_kwh", "paid_kwh",
                     "requested_kwh", "revenue_cny", "penalty_cny"]
"""Columns of a case's VPP events table, one row per event and member (and ``park``)."""
COALITION_COLUMNS = ["coalition", "size", "alone_cny", "connection_cny", "assets_cny",
                     "bound_cny"]
"""A park case's coalitions: the members (``+``-joined), how many, what their own tariffs bill
them alone, what the connection (its bill and the park's assets' operating costs) and the
park's assets' capital cost them together, and how far above its optimum the connection's
cost may be (the net meter's modes iterated, `energysim.model.meter_modes`) [CNY]."""


@dataclass
class CaseResult:
    """What one case costs each enterprise, and how its assets ran.

    Attributes
    ----------
    case : str
    timeseries : pandas.DataFrame
        Index ``timestamp``; columns ``<enterprise>/<quantity>``.
    costs : pandas.DataFrame
        ``enterprise, month, component, cost_cny`` (revenues negative).
    objective_cny : float
        Sum of the enterprises' model objectives. [CNY]
    status : str
        ``optimal`` (anything else raised `SolverError`).
    timings_s : dict
        Seconds per stage (`STAGES`), summed over the case's enterprises.
    vpp_events : pandas.DataFrame or None
        Per VPP event and member (and ``park``): baseline, delivered, paid and requested
        energy [kWh], revenue and penalty [CNY]; None where the case has no VPP.
    bound_cny : float
        How much the total cost may exceed the exact optimum, summed over the case's models
        (0: every one proven optimal; `energysim.model.solve.SolveResult.bound_cny`). [CNY]
    methods : tuple of str
        How its models were solved (``lp``, ``milp``, ``lp+meter iterate``).
    regularisation_cny : float
        The tie-breaking terms in the objectives (not money): ``objective_cny`` is
        ``total_cost_cny`` plus them. [CNY]
    park_coalitions : pandas.DataFrame or None
        In a case metered at the park, what each coalition of its members would cost behind
        the connection (`COALITION_COLUMNS`, `energysim.analysis.park`); None elsewhere.
    battery_wear_cny : dict
        Each battery's wear over the horizon, by asset id, whoever pays it
        (wear_cost_cny_per_kwh · Σ_t storage_discharge_kw · dt_h). [CNY]
    """

    case: str
    timeseries: pd.DataFrame
    costs: pd.DataFrame
    objective_cny: float
    status: str
    timings_s: dict[str, float] = field(default_factory=dict)
    vpp_events: pd.DataFrame | None = None
    bound_cny: float = 0.0
    methods: tuple[str, ...] = ("lp",)
    regularisation_cny: float = 0.0
    park_coalitions: pd.DataFrame | None = None
    battery_wear_cny: dict[str, float] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        """Whether the cost is proven optimal (to a relative 1e-6 of the total)."""
        return self.bound_cny <= EXACT_RELATIVE * max(1.0, abs(self.total_cost_cny))

    @property
    def optimality(self) -> str:
        """``exact``, or ``within <bound> CNY`` of the exact optimum."""
        return "exact" if self.exact else f"within {self.bound_cny:,.2f} CNY"

    @property
    def total_cost_cny(self) -> float:
        """Total cost of the case over all enterprises and months. [CNY]"""
        return float(self.costs["cost_cny"].sum())

    @property
    def solve_seconds(self) -> float:
        """HiGHS solve time summed over the case's models. [s]"""
        return self.timings_s.get("solve", 0.0)

    def cost_by_enterprise(self) -> pd.Series:
        """Total cost per enterprise. [CNY]"""
        return self.costs.groupby("enterprise", sort=False)["cost_cny"].sum()

DEFAULT_TIME_LIMIT_S = 3600.0
"""How long a model's solve may take unless told otherwise, over all its HiGHS runs (over ten
times the slowest model measured) [s]; `energysim.model.solve` and the scenario's
``solver: {time_limit_s}`` read it."""


def package_version() -> str:
    """The installed energysim's version, stamped on every result ("unknown" in a checkout
    that is not installed)."""
    try:
        return version("energysim")
    except PackageNotFoundError:
        return "unknown"
