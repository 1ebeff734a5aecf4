"""Investment economics of every case with assets: one simulated year extrapolated to cash
flows, their NPV, IRR, paybacks and levelised costs.

For each case that switches on PV or storage and each enterprise that pays for some of
them (its share ``cost_shares[e]`` of each asset), with the finance of the scenario
(`energysim.economics.costs`: discount rate r, N analysis years, price escalation g):

    year 0            capex = − Σ share · (capex_cny_per_kwp · kWp
                                           + capex_cny_per_kwh · kWh + capex_cny_per_kw · kW)
    year y = 1 … N    savings_y = S · (1 + g)^(y−1) · (w_pv · P_y + w_st · B_y)
                      om_y      = − Σ share · (fixed O&M of each asset still in service)
                      replacement_y = − share · replacement_cny_per_kwh · kWh  (its year)

S is the year's saving against the reference case (the case with the enterprise's tariff
and no assets, else the baseline), scaled to 8,760 hours where the horizon is shorter or
longer; P_y = (1 − degradation)^(y−1) while the PV lasts (0 after its lifetime);
B_y = (1 − fade)^(a−1), a the years since the cells were new (restarting at the
replacement), 0 once they are past their lifetime. The weights split S between PV and
battery by what each delivered in the simulated year, valued at the enterprise's energy
price: w_pv ∝ Σ pv_kw · price · dt_h, w_st ∝ Σ (discharge − charge) · price · dt_h (each at
least 0, summing to 1; where both are 0 the kinds present share equally). This is a stated
extrapolation: savings from flexibility or a VPP in the case degrade with the same mix, and
O&M is constant in real terms. ``assets`` names all a case switches on for the enterprise
(`asset_names`): a direct-supply line's or a VPP's gains are in the saving too, at no
capital cost of the enterprise's. No residual value is credited at the end.

Levelised costs: LCOE of the enterprise's PV (its capex and O&M over its delivered kWh,
degraded), LCOS of its batteries (capex, O&M and replacement over the kWh they discharged,
faded), both at r.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.economics.costs import FinanceSpec, PVCosts, StorageCosts
from energysim.economics.finance import (
    discounted_payback_years,
    irr,
    levelised_cost,
    npv,
    payback_years,
)
from energysim.results import CaseResult
from energysim.scenario import Scenario

INVESTED = ("pv", "storage")
"""The asset kinds with a capital cost."""
HOURS_A_YEAR = 8760.0
ECONOMICS_COLUMNS = [
    "case", "enterprise", "assets", "reference_case", "baseline_case", "capex_cny",
    "annual_savings_cny", "annual_savings_vs_baseline_cny", "npv_cny", "irr",
    "simple_payback_years", "discounted_payback_years", "lcoe_cny_per_kwh", "lcos_cny_per_kwh",
    "discount_rate", "analysis_years"]
CASHFLOW_COLUMNS = ["case", "enterprise", "year", "component", "cashflow_cny"]
COMPONENTS = ("capex", "savings", "om", "replacement")


def economics_tables(scenario: Scenario, results: dict[str, CaseResult]
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``economics`` (`ECONOMICS_COLUMNS`, a row per case with assets and enterprise paying
    for some) and ``cashflows`` (`CASHFLOW_COLUMNS`) of the run of ``results``."""
    finance = scenario.spec.economics.finance_spec()
    baseline = scenario.baseline_case if scenario.baseline_case in results else None
    rows, flows = [], []
    for case, result in results.items():
        if not any(scenario.assets_on(case, kind) for kind in INVESTED):
            continue
        cost = result.costs.groupby("enterprise")["cost_cny"].sum()
        for e in scenario.enterprises:
            paid = _paid_assets(scenario, case, e)
            if not paid:
                continue
            reference = reference_case(scenario, results, case, e) or baseline
            if reference is None:
                continue
            scale = HOURS_A_YEAR / (len(scenario.index) * scenario.dt_h)
            saving = scale * (_cost_of(results[reference], e) - float(cost.get(e, 0.0)))
            vs_baseline = (scale * (_cost_of(results[baseline], e) - float(cost.get(e, 0.0)))
                           if baseline is not None else np.nan)
            table, costs, energy = cash_flows(finance, paid, saving, _weights(result, e, paid),
                                              _delivered_kwh(result, e, scenario.dt_h, scale))
            flows.append(table.assign(case=case, enterprise=e))
            rows.append(_row(case, e, asset_names(scenario, case, e, paid), paid, reference,
                             baseline, saving, vs_baseline, table, costs, energy, finance))
    economics = pd.DataFrame(rows, columns=ECONOMICS_COLUMNS)
    numbers = ECONOMICS_COLUMNS[5:]
    economics[numbers] = economics[numbers].astype(float)  # none (no IRR, no payback): NaN
    cashflows = (pd.concat(flows, ignore_index=True)[CASHFLOW_COLUMNS] if flows
                 else pd.DataFrame(columns=CASHFLOW_COLUMNS))
    return economics, cashflows


def reference_case(scenario: Scenario, results: dict[str, CaseResult], case: str,
                   e: str) -> str | None:
    """The first case run with ``e``'s tariff of ``case`` and no assets, if any."""
    tariff = scenario.tariff_for(case, e)
    for other in results:
        if not scenario.case(other).assets and scenario.tariff_for(other, e) == tariff:
            return other
    return None


def _paid_assets(scenario: Scenario, case: str, e: str) -> list[tuple]:
    """(kind, asset, share of its costs ``e`` pays, its costs) of the invested assets that
    ``case`` switches on and ``e`` pays for."""
    economics = scenario.spec.economics
    return [(kind, asset, asset.cost_shares.get(e, 0.0), economics.costs_of(kind, asset.id))
            for kind in INVESTED for asset in scenario.assets_on(case, kind)
            if asset.cost_shares.get(e, 0.0) > 0]


def asset_names(scenario: Scenario, case: str, e: str, paid: list[tuple]) -> str:
    """``kind:id`` of what ``case`` switches on for ``e``: the invested assets it pays for,
    then its flexibility, its VPP and the direct-supply lines serving it (whose savings are
    in the same saving, at no capital cost of its own)."""
    names = [f"{kind}:{asset.id}" for kind, asset, *_ in paid]
    names += [f"flex:{a.id}" for a in scenario.assets_on(case, "flex", [e])]
    spec = scenario.case(case)
    vpp = scenario.spec.vpp
    if "vpp" in spec.assets and vpp is not None and e in vpp.participants:
        names.append("vpp:park")
    if "green_direct" in spec.assets:
        names += [f"green_direct:{g.id}" for g in scenario.spec.green_direct if e in g.offtakers]
    return ", ".join(names)


def _cost_of(result: CaseResult, e: str) -> float:
    return float(result.costs.loc[result.costs["enterprise"] == e, "cost_cny"].sum())


def cash_flows(finance: FinanceSpec, paid: list[tuple], saving_cny: float,
               weights: dict[str, float], delivered_kwh: dict[str, float]
               ) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``year, component, cashflow_cny`` of one enterprise's assets in one case (see the
    module docstring), and each kind's yearly costs [CNY] and energy [kWh] for the levelised
    costs."""
    years = np.arange(finance.analysis_years + 1)
    spent = {kind: {part: np.zeros(len(years)) for part in ("capex", "om", "replacement")}
             for kind in INVESTED}
    service = {kind: np.zeros(len(years)) for kind in INVESTED}
    for kind, asset, share, costs in paid:
        parts, in_service = _asset_years(years, kind, asset.spec, costs)
        for part, cny in parts.items():
            spent[kind][part] += share * cny
        service[kind] = np.maximum(service[kind], in_service)  # several of a kind: alike
    escalation = np.where(years >= 1, (1.0 + finance.price_escalation_per_year) ** (years - 1.0),
                          0.0)
    savings = saving_cny * escalation * (weights["pv"] * service["pv"]
                                         + weights["storage"] * service["storage"])
    columns = [-(spent["pv"][part] + spent["storage"][part]) for part in ("capex", "om",
                                                                          "replacement")]
    table = pd.DataFrame({"year": np.repeat(years, len(COMPONENTS)),
                          "component": np.tile(COMPONENTS, len(years)),
                          "cashflow_cny": np.column_stack([columns[0], savings, *columns[1:]]
                                                          ).ravel()})
    return (table, {kind: sum(spent[kind].values()) for kind in INVESTED},
            {kind: delivered_kwh[kind] * service[kind] for kind in INVESTED})


def _asset_years(years: np.ndarray, kind: str, spec, costs: PVCosts | StorageCosts
                 ) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The whole asset's yearly capex, O&M and replacement [CNY, positive], and the share of
    its first-year output or capacity it has in each year (0 out of service) [-]."""
    zero = np.zeros(len(years))
    if kind == "pv":
        alive = (years >= 1) & (years <= costs.lifetime_years)
        service = np.where(alive, (1.0 - costs.degradation_per_year) ** (years - 1.0), 0.0)
        capex = costs.capex_cny_per_kwp * spec.capacity_kwp
        om = np.where(alive, costs.fixed_om_cny_per_kwp_year * spec.capacity_kwp, 0.0)
        return {"capex": np.where(years == 0, capex, 0.0), "om": om, "replacement": zero}, service
    age = years.astype(float)
    replaced = costs.replacement_year
    replacement = zero.copy()
    if replaced is not None and replaced <= years[-1]:
        age = np.where(years > replaced, years - replaced, age)
        replacement[replaced] = costs.replacement_cny_per_kwh * spec.capacity_kwh
    alive = (years >= 1) & (age <= costs.lifetime_years)
    service = np.where(alive, (1.0 - costs.capacity_fade_per_year) ** (age - 1.0), 0.0)
    capex = costs.capex_cny_per_kwh * spec.capacity_kwh + costs.capex_cny_per_kw * spec.power_kw
    om = np.where(alive, costs.fixed_om_cny_per_kw_year * spec.power_kw, 0.0)
    return {"capex": np.where(years == 0, capex, 0.0), "om": om,
            "replacement": replacement}, service


def _weights(result: CaseResult, e: str, paid: list[tuple]) -> dict[str, float]:
    """How the year's saving splits between PV and batteries (see the module docstring)."""
    ts = result.timeseries
    price = ts[f"{e}/price_cny_per_kwh"].to_numpy()
    value = {"pv": float((ts[f"{e}/pv_kw"].to_numpy() * price).sum()),
             "storage": float(((ts[f"{e}/storage_discharge_kw"]
                                - ts[f"{e}/storage_charge_kw"]).to_numpy() * price).sum())}
    kinds = {kind for kind, *_ in paid}
    value = {kind: max(0.0, v) if kind in kinds else 0.0 for kind, v in value.items()}
    total = sum(value.values())
    if total <= 0:
        return {kind: (1.0 / len(kinds) if kind in kinds else 0.0) for kind in INVESTED}
    return {kind: v / total for kind, v in value.items()}


def _delivered_kwh(result: CaseResult, e: str, dt_h: float, scale: float) -> dict[str, float]:
    """A year's PV output and battery discharge at ``e``'s meter [kWh]."""
    ts = result.timeseries
    return {"pv": scale * float(ts[f"{e}/pv_kw"].sum()) * dt_h,
            "storage": scale * float(ts[f"{e}/storage_discharge_kw"].sum()) * dt_h}


def _row(case, e, names, paid, reference, baseline, saving, vs_baseline, table, costs,
         energy, finance) -> list:
    yearly = table.groupby("year")["cashflow_cny"].sum().to_numpy()
    rate = finance.discount_rate
    kinds = {kind for kind, *_ in paid}
    lcoe = levelised_cost(rate, costs["pv"], energy["pv"]) if "pv" in kinds else None
    lcos = levelised_cost(rate, costs["storage"], energy["storage"]) if "storage" in kinds else None
    return [case, e, names, reference, baseline, -float(yearly[0]), saving, vs_baseline,
            npv(rate, yearly), irr(yearly), payback_years(yearly),
            discounted_payback_years(rate, yearly), lcoe, lcos, rate, finance.analysis_years]
