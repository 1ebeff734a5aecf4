"""An asset's yearly costs and service over the analysis period, and what a unit of its
capacity costs a year: the one place both the cash flows (`energysim.analysis.economics`)
and the sizing LP (`energysim.model.sizing`) read them.

For years y = 0 … N (finance: discount rate r, N analysis years, price escalation g):

    capex_y       = capex_cny_per_kwp · kWp, or capex_cny_per_kwh · kWh + capex_cny_per_kw · kW,
                    in year 0
    om_y          = fixed O&M · kWp (PV) or · kW (battery), each year 1 … N it is in service
    replacement_y = replacement_cny_per_kwh · kWh in the replacement year, if before N
    service_y     = PV: (1 − degradation)^(y−1) while it lasts; battery: (1 − fade)^(a−1),
                    a the years since the cells were new (restarting at the replacement),
                    0 past their lifetime

What a unit of capacity costs a year, annualised so that the sizing LP's optimum is the
size of the largest NPV (`energysim.analysis.economics`'s cash flows):

    L_u  = Σ_y (capex_y + om_y + replacement_y)(unit of u) / (1 + r)^y     life-cycle cost
    M    = Σ_{y ≥ 1} (1 + g)^(y−1) · service_y / (1 + r)^y                 value of a year's saving
    cost_u = L_u / M                                                        [CNY/(u·year)]

With one kind of asset at a meter the NPV is M · (S − Σ_u cost_u · size_u), S the first
year's saving, so the size that minimises a year's bill plus Σ_u cost_u · size_u maximises
the NPV. Without escalation, degradation or fade, and a lifetime of at least N years, M is
the annuity factor 1 / CRF(r, N) and cost_u = CRF · L_u (REopt's capital recovery). With PV
and a battery at one meter each kind's M is its own: the NPV's split of the saving by
delivered value (`energysim.analysis.economics`) is not linear, so the LP's optimum is then
the NPV's only where the two Ms agree (a stated approximation). The LP's bill also holds the
batteries' wear (the dispatch's price of a cycle), which S leaves out (the fade and the
replacement are its cost there), which leans the LP to a smaller battery than the NPV's
optimum (a second stated approximation).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from energysim.economics.costs import FinanceSpec, PVCosts, StorageCosts
from energysim.scenario_spec import CAPACITY_FIELDS

HOURS_A_YEAR = 8760.0
"""What a year's figures are scaled to: a simulated span is extrapolated to 8,760 hours."""


def capex_cny(kind: str, spec, costs: PVCosts | StorageCosts) -> float:
    """An asset's capital cost [CNY]."""
    if kind == "pv":
        return costs.capex_cny_per_kwp * spec.capacity_kwp
    return costs.capex_cny_per_kwh * spec.capacity_kwh + costs.capex_cny_per_kw * spec.power_kw


def asset_years(years: np.ndarray, kind: str, spec, costs: PVCosts | StorageCosts
                ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The whole asset's yearly capex, O&M and replacement [CNY, positive], and the share of
    its first-year output or capacity it has in each year (0 out of service) [-]."""
    zero = np.zeros(len(years))
    capex = np.where(years == 0, capex_cny(kind, spec, costs), 0.0)
    if kind == "pv":
        alive = (years >= 1) & (years <= costs.lifetime_years)
        service = np.where(alive, (1.0 - costs.degradation_per_year) ** (years - 1.0), 0.0)
        om = np.where(alive, costs.fixed_om_cny_per_kwp_year * spec.capacity_kwp, 0.0)
        return {"capex": capex, "om": om, "replacement": zero}, service
    age = years.astype(float)
    replaced = costs.replacement_year
    replacement = zero.copy()
    if replaced is not None and replaced < years[-1]:  # not in the last year: no use there
        age = np.where(years > replaced, years - replaced, age)
        replacement[replaced] = costs.replacement_cny_per_kwh * spec.capacity_kwh
    alive = (years >= 1) & (age <= costs.lifetime_years)
    service = np.where(alive, (1.0 - costs.capacity_fade_per_year) ** (age - 1.0), 0.0)
    om = np.where(alive, costs.fixed_om_cny_per_kw_year * spec.power_kw, 0.0)
    return {"capex": capex, "om": om, "replacement": replacement}, service


def escalation(finance: FinanceSpec) -> np.ndarray:
    """(1 + g)^(y−1) for y = 1 … N, 0 in year 0 [-]."""
    years = np.arange(finance.analysis_years + 1)
    return np.where(years >= 1, (1.0 + finance.price_escalation_per_year) ** (years - 1.0), 0.0)


def annualised_cny_per_unit_year(kind: str, costs: PVCosts | StorageCosts,
                                 finance: FinanceSpec) -> dict[str, float]:
    """cost_u of each capacity of ``kind`` (`CAPACITY_FIELDS`: kWp; kWh and kW), see the module
    docstring [CNY/(unit·year)]. Raises ValueError where the asset saves nothing in any year
    of the analysis (M = 0)."""
    years = np.arange(finance.analysis_years + 1)
    discount = (1.0 + finance.discount_rate) ** -years.astype(float)
    out = {}
    fields = CAPACITY_FIELDS[kind]
    for field, unit in fields.items():
        one = SimpleNamespace(**{f: float(f == field) for f in fields})  # one unit, nothing else
        parts, service = asset_years(years, kind, one, costs)
        value = float((escalation(finance) * service * discount).sum())
        if value <= 0:
            raise ValueError(f"a {kind} asset is in service in no year of the analysis")
        out[unit] = float((sum(parts.values()) * discount).sum()) / value
    return out
