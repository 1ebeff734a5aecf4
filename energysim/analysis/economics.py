"""Investment economics of every case with assets: one simulated year extrapolated to cash
flows, their NPV, IRR, paybacks and levelised costs.

For each case that switches on PV or storage, the assets behind each meter are evaluated
whole, with the finance of the scenario (`energysim.economics.costs`: discount rate r,
N analysis years, price escalation g):

    year 0            capex = − Σ (capex_cny_per_kwp · kWp + capex_cny_per_kwh · kWh
                               + capex_cny_per_kw · kW)
    year y = 1 … N    savings_y = S · (1 + g)^(y−1) · (w_pv · P_y + w_st · B_y)
                      om_y      = − Σ fixed O&M of each asset still in service
                      replacement_y = − replacement_cny_per_kwh · kWh  (its year, if before N)

An enterprise that pays for some of them takes, of all of it (capex, O&M, replacement and
saving), f = Σ cost_shares[e] · capex / Σ capex: their saving lands on the bill of the meter
they stand behind, and is shared as their cost is (an enterprise paying for assets at
another meter has a row too, its ``assets`` saying where).

S is the meter's saving over the year (but for the batteries' wear) against the reference
case (the first case with the meter's tariff and no assets, else the baseline where the
meter pays that tariff in it; else none: the saving, NPV, IRR and paybacks are then left
empty, never a tariff change counted as a return on assets), scaled to 8,760 hours where
the horizon is shorter or longer. The wear (``wear_cost_cny_per_kwh``, the dispatch's
price of a cycle) is left out of S: here the cells' fade and replacement are what cycling
costs, and counting both would charge it twice. P_y = (1 − degradation)^(y−1) while the
PV lasts (0 after its lifetime); B_y = (1 − fade)^(a−1), a the years since the cells were
new (restarting at the replacement), 0 once they are past their lifetime. The weights split S between PV and
battery by what each delivered at the meter in the simulated year, valued at its import
price (exported PV too, a stated simplification): w_pv ∝ Σ pv_kw · price · dt_h,
w_st ∝ Σ (discharge − charge) · price · dt_h (each at least 0, summing to 1; where both are
0 the kinds present share equally). This is a stated
extrapolation: savings from flexibility or a VPP in the case degrade with the same mix, and
O&M is constant in real terms; several assets of one kind at a meter age as the longest
lived of them. ``assets`` also names what else a case switches on at the meter
(`other_names`): a direct-supply line's or a VPP's gains are in the saving too, at no
capital cost. No residual value is credited at the end.

The park's platform company (`energysim.analysis.park`) has a row, ``park``, where a case
meters at the park and switches on assets placed there: its investment in them, its saving
its margin (the members' payments less the connection's bill and the assets' operating
costs, the batteries' wear left out as above) — the platform's business case, the gain
of the coincident peak included.

A direct-supply plant (绿电直连) switched on by a case has a row of its own, its id as the
``enterprise``: the owner's investment in its PV and battery (the library's ``green_pv`` and
``green_storage`` costs), its saving the revenue R for its energy — the PPA price · (delivered
+ fed in), or the levelised cost · available output of an owned plant: what its offtakers pay
for it (their own rows net it out of their savings) — held at the contract price (no
escalation) and degrading with the PV: savings_y = R · P_y. The line itself and the land are
not costed; a plant with wind has no row (no library costs wind).

Levelised costs: LCOE of the meter's PV (capex and O&M over its delivered kWh, degraded),
LCOS of its batteries (capex, O&M and replacement over the kWh they discharged, faded),
both at r; an enterprise paying at several meters gets those of its fractions together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from energysim.assets import PARK, Asset
from energysim.economics.costs import FinanceSpec
from energysim.economics.finance import (
    discounted_payback_years,
    irr,
    levelised_cost,
    npv,
    payback_years,
)
from energysim.economics.lifecycle import HOURS_A_YEAR, asset_years, capex_cny, escalation
from energysim.results import CaseResult
from energysim.scenario import Scenario

INVESTED = ("pv", "storage")
"""The asset kinds with a capital cost."""
PLANT_KINDS = {"pv": "green_pv", "storage": "green_storage"}
"""The cost kinds of a direct-supply plant's PV and battery (`energysim.economics.costs`)."""
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
    scale = year_scale(scenario)
    rows, flows = [], []
    for case, result in results.items():
        hosts = _hosts(scenario, case, result, results, finance, baseline, scale)
        for e in [*scenario.enterprises, PARK]:
            parts = [(h, fraction, host) for h, host in hosts.items()
                     if (fraction := host.fraction_paid_by(e)) > 0]
            if not parts:
                continue
            table = sum(fraction * host.table.set_index(["year", "component"])["cashflow_cny"]
                        for _, fraction, host in parts).reset_index()
            costs = {k: sum(f * host.costs[k] for _, f, host in parts) for k in INVESTED}
            energy = {k: sum(f * host.energy[k] for _, f, host in parts) for k in INVESTED}
            saving = sum(f * host.saving for _, f, host in parts)
            vs_baseline = sum(f * host.vs_baseline for _, f, host in parts)
            references = ", ".join(dict.fromkeys(host.reference or "" for _, _, host in parts))
            if np.isfinite(saving):
                flows.append(table.assign(case=case, enterprise=e))
            names = "; ".join(host.names(e) for _, _, host in parts)
            rows.append(_row(case, e, names, references, baseline, saving, vs_baseline, table,
                             costs, energy, finance,
                             {kind for _, _, host in parts for kind, *_ in host.assets}))
        for plant, host in _plants(scenario, case, result, baseline, scale).items():
            flows.append(host.table.assign(case=case, enterprise=plant))
            rows.append(_row(case, plant, host.others, "", baseline, host.saving,
                             host.vs_baseline, host.table, host.costs, host.energy, finance,
                             {kind for kind, *_ in host.assets}))
    economics = pd.DataFrame(rows, columns=ECONOMICS_COLUMNS)
    numbers = ECONOMICS_COLUMNS[5:]
    economics[numbers] = economics[numbers].astype(float)  # none (no IRR, no payback): NaN
    cashflows = (pd.concat(flows, ignore_index=True)[CASHFLOW_COLUMNS] if flows
                 else pd.DataFrame(columns=CASHFLOW_COLUMNS))
    return economics, cashflows


@dataclass
class _Host:
    """The invested assets behind one meter in one case, evaluated whole: their saving is
    that meter's (see the module docstring)."""

    meter: str
    assets: list[tuple]
    reference: str | None
    saving: float
    vs_baseline: float
    table: pd.DataFrame
    costs: dict[str, np.ndarray]
    energy: dict[str, np.ndarray]
    others: str

    def fraction_paid_by(self, e: str) -> float:
        """``e``'s share of these assets' capital cost (of their number where it is 0)."""
        capex = [(capex_cny(kind, asset.spec, costs), asset.cost_shares.get(e, 0.0))
                 for kind, asset, costs in self.assets]
        total = sum(c for c, _ in capex)
        if total <= 0:
            return float(np.mean([share for _, share in capex]))
        return sum(c * share for c, share in capex) / total

    def names(self, e: str) -> str:
        """``kind:id`` of the assets (with ``e``'s share where it pays part), then what
        else the case switches on at the meter."""
        names = []
        for kind, asset, _ in self.assets:
            share = asset.cost_shares.get(e, 0.0)
            if share > 0:
                names.append(f"{kind}:{asset.id}" + ("" if share == 1 else f" ({share:.0%})"))
        at = "" if self.meter == e else f" at {self.meter}"
        return ", ".join(names) + at + (f", {self.others}" if self.others else "")


def _hosts(scenario, case, result, results, finance, baseline, scale) -> dict[str, _Host]:
    """The meters with invested assets under ``case``, each with its assets' cash flows."""
    economics = scenario.spec.economics
    at: dict[str, list[tuple]] = {}
    for kind in INVESTED:
        for asset in scenario.assets_on(case, kind):
            at.setdefault(asset.at, []).append((kind, asset, economics.costs_of(kind, asset.id)))
    hosts = {}
    for h, assets in at.items():
        if h == PARK:
            hosts[h] = _platform(scenario, finance, assets, result, scale, baseline)
            continue
        reference = reference_case(scenario, results, case, h)
        own = _cost_of(result, h)
        saving = scale * (_cost_of(results[reference], h) - own) if reference else np.nan
        vs_baseline = scale * (_cost_of(results[baseline], h) - own) if baseline else np.nan
        table, costs, energy = cash_flows(finance, assets, 0.0 if reference is None else saving,
                                          _weights(result, h, assets),
                                          _delivered_kwh(result, h, scenario.dt_h, scale))
        hosts[h] = _Host(h, assets, reference, saving, vs_baseline, table, costs, energy,
                         other_names(scenario, case, h))
    return hosts


def _platform(scenario, finance, assets, result, scale, baseline) -> _Host:
    """The platform company's assets at the park's connection, its saving its margin (see
    the module docstring)."""
    margin = -scale * _cost_of(result, PARK)
    table, costs, energy = cash_flows(finance, assets, margin, _weights(result, PARK, assets),
                                      _delivered_kwh(result, PARK, scenario.dt_h, scale))
    return _Host(PARK, assets, None, margin, margin if baseline else np.nan, table, costs,
                 energy, "the connection's margin")


def _plants(scenario, case, result, baseline, scale) -> dict[str, _Host]:
    """The direct-supply plants switched on under ``case``, each with its owner's cash flows
    (see the module docstring); none with wind (the libraries have no wind costs)."""
    if "green_direct" not in scenario.case(case).assets:
        return {}
    economics, finance = scenario.spec.economics, scenario.spec.economics.finance_spec()
    fixed = finance.model_copy(update={"price_escalation_per_year": 0.0})  # a contract price
    ts, dt_h = result.timeseries, scenario.dt_h
    hosts = {}
    for g in scenario.spec.green_direct:
        if g.wind is not None or g.pv is None:
            continue
        assets = [(kind, Asset(g.id, kind, g.id, spec, {}),
                   economics.costs_of(PLANT_KINDS[kind], g.id))
                  for kind, spec in (("pv", g.pv), ("storage", g.storage)) if spec is not None]
        column = f"{g.id}/{{}}".format
        available = ts[column("green_available_kw")].to_numpy()
        if g.price.ppa_cny_per_kwh is not None:
            sold = ts[column("green_delivered_kw")].to_numpy() + ts[column("green_feed_in_kw")].to_numpy()
            revenue = g.price.ppa_cny_per_kwh * scale * float(sold.sum()) * dt_h
        else:
            revenue = g.price.levelised_cost_cny_per_kwh * scale * float(available.sum()) * dt_h
        delivered = {"pv": scale * float((available - ts[column("green_curtail_kw")].to_numpy()
                                          ).sum()) * dt_h,
                     "storage": scale * float(ts[column("storage_discharge_kw")].sum()) * dt_h}
        table, costs, energy = cash_flows(fixed, assets, revenue, {"pv": 1.0, "storage": 0.0},
                                          delivered)
        names = ", ".join(f"{PLANT_KINDS[kind]}:{g.id}" for kind, *_ in assets)
        hosts[g.id] = _Host(g.id, assets, None, revenue, revenue if baseline else np.nan,
                            table, costs, energy, f"{names}, paid for its energy by "
                            f"{', '.join(g.offtakers)}")
    return hosts


def reference_case(scenario: Scenario, results: dict[str, CaseResult], case: str,
                   e: str) -> str | None:
    """The first case run with ``e``'s tariff of ``case`` and no assets; else the baseline
    where ``e`` pays that tariff in it; else None (the saving then is not known: a change of
    tariff is no return on assets)."""
    tariff = scenario.tariff_for(case, e)
    for other in results:
        if not scenario.case(other).assets and scenario.tariff_for(other, e) == tariff:
            return other
    base = scenario.baseline_case
    return base if base in results and scenario.tariff_for(base, e) == tariff else None


def other_names(scenario: Scenario, case: str, e: str) -> str:
    """``kind:id`` of what else ``case`` switches on at ``e``'s meter: its flexibility, its
    VPP and the direct-supply lines serving it (their gains are in the meter's saving, at no
    capital cost)."""
    names = [f"flex:{a.id}" for a in scenario.assets_on(case, "flex", [e])]
    spec = scenario.case(case)
    vpp = scenario.spec.vpp
    if "vpp" in spec.assets and vpp is not None and e in vpp.participants:
        names.append("vpp:park")
    if "green_direct" in spec.assets:
        names += [f"green_direct:{g.id}" for g in scenario.spec.green_direct if e in g.offtakers]
    return ", ".join(names)


def year_scale(scenario: Scenario) -> float:
    """What a figure over the scenario's horizon is multiplied by to make a year's. [-]"""
    return HOURS_A_YEAR / (len(scenario.index) * scenario.dt_h)


def _cost_of(result: CaseResult, e: str) -> float:
    """``e``'s costs in ``result`` but the batteries' wear (see the module docstring). [CNY]"""
    costs = result.costs
    kept = (costs["enterprise"] == e) & (costs["component"] != "storage_wear")
    return float(costs.loc[kept, "cost_cny"].sum())


def cash_flows(finance: FinanceSpec, assets: list[tuple], saving_cny: float,
               weights: dict[str, float], delivered_kwh: dict[str, float]
               ) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``year, component, cashflow_cny`` of the ``(kind, asset, costs)`` behind one meter in
    one case, whole (see the module docstring), and each kind's yearly costs [CNY] and
    energy [kWh] for the levelised costs."""
    years = np.arange(finance.analysis_years + 1)
    spent = {kind: {part: np.zeros(len(years)) for part in ("capex", "om", "replacement")}
             for kind in INVESTED}
    service = {kind: np.zeros(len(years)) for kind in INVESTED}
    for kind, asset, costs in assets:
        parts, in_service = asset_years(years, kind, asset.spec, costs)
        for part, cny in parts.items():
            spent[kind][part] += cny
        service[kind] = np.maximum(service[kind], in_service)  # several of a kind: alike
    savings = saving_cny * escalation(finance) * (weights["pv"] * service["pv"]
                                         + weights["storage"] * service["storage"])
    columns = [-(spent["pv"][part] + spent["storage"][part]) for part in ("capex", "om",
                                                                          "replacement")]
    table = pd.DataFrame({"year": np.repeat(years, len(COMPONENTS)),
                          "component": np.tile(COMPONENTS, len(years)),
                          "cashflow_cny": np.column_stack([columns[0], savings, *columns[1:]]
                                                          ).ravel()})
    return (table, {kind: sum(spent[kind].values()) for kind in INVESTED},
            {kind: delivered_kwh[kind] * service[kind] for kind in INVESTED})


def _weights(result: CaseResult, e: str, assets: list[tuple]) -> dict[str, float]:
    """How the year's saving splits between PV and batteries (see the module docstring)."""
    ts = result.timeseries
    price = ts[f"{e}/price_cny_per_kwh"].to_numpy()
    value = {"pv": float((ts[f"{e}/pv_kw"].to_numpy() * price).sum()),
             "storage": float(((ts[f"{e}/storage_discharge_kw"]
                                - ts[f"{e}/storage_charge_kw"]).to_numpy() * price).sum())}
    kinds = {kind for kind, *_ in assets}
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


def _row(case, e, names, reference, baseline, saving, vs_baseline, table, costs, energy,
         finance, kinds) -> list:
    yearly = table.groupby("year")["cashflow_cny"].sum().to_numpy()
    rate = finance.discount_rate
    lcoe = levelised_cost(rate, costs["pv"], energy["pv"]) if "pv" in kinds else None
    lcos = levelised_cost(rate, costs["storage"], energy["storage"]) if "storage" in kinds else None
    known = np.isfinite(saving)
    return [case, e, names, reference, baseline, -float(yearly[0]), saving, vs_baseline,
            npv(rate, yearly) if known else None, irr(yearly) if known else None,
            payback_years(yearly) if known else None,
            discounted_payback_years(rate, yearly) if known else None, lcoe, lcos, rate,
            finance.analysis_years]
