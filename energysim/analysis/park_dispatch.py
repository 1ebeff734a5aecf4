"""The platform company dispatching the park (``park_dispatch: platform``, a park VPP
aggregator): the members' batteries and PV run with the park's for the connection's bill.

The connection's model (`energysim.analysis.park_connection`) has the members' loads
together and every battery and PV array of the members and of the park behind its one
meter `PARK`:

    load_kw[PARK, t] = Σ_i load_kw[i, t]
    −kVA_i ≤ n_i[t] ≤ kVA_i                                  (park_sub_meter_limit)
    n_i[t] = load_kw[i, t] − Σ_{p at i} pv_kw[p, t]
             + Σ_{s at i} (storage_charge_kw[s, t] − storage_discharge_kw[s, t])

n_i being what member i's sub-meter passes, which its own transformer limits. Within a step
one member's PV or battery serves another member's load; the park imports and exports
only at the connection, its exports at most the PV delivered (batteries do not feed the
grid). The model's objective is what the park pays: the connection's bill and every
battery's wear. Each member's sub-metered flows follow from the dispatch of its own assets,

    grid_import_kw[i, t] = n_i[t]⁺,   grid_export_kw[i, t] = n_i[t]⁻

billed by its own tariff (`energysim.analysis.billed.meter_bill`: energy, basic charge on
its own peak, export credit), its batteries' wear W'_i = wear_cost_cny_per_kwh ·
Σ_{t∈m} storage_discharge_kw · dt_h its own. A member's sub-meter may feed the park from its
battery (within the connection only PV reaches the grid). Each member then pays what it
would alone: its bill alone B_i is what the settlement works on
(`energysim.analysis.park.as_alone`, `settlement`), and the platform bears the wear its
dispatch adds, Σ_i (W'_i − W_i); so the platform keeps the park's whole saving (how it is
shared is `energysim.analysis.park_sharing`'s). The members' assets are paid by members
only (the scenario checks).

A coalition S of members behind the connection costs C(S), this model for S's members and
the park's assets; the wear of the batteries behind its members' meters being in it, S
saves against its members alone v(S) = Σ_{i∈S} (B_i + Ŵ_i) − C(S) − K, with Ŵ_i the wear
alone of the batteries behind i's meter, whoever pays it (`CaseResult.battery_wear_cny`).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energysim.analysis.billed import meter_bill
from energysim.analysis.case_models import solve_case
from energysim.analysis.park_connection import connection_inputs
from energysim.assets import PARK, Asset
from energysim.model.build import build_model, templatized_constraints
from energysim.model.terms import series_param
from energysim.model.values import matrix
from energysim.prepare import prepare
from energysim.results import QUANTITIES, CaseResult
from energysim.scenario import Scenario
from energysim.tariffs.bill import month_fractions, month_labels


def platform_assets(scenario: Scenario, case: str, meters: Sequence[str]) -> dict[str, list[Asset]]:
    """The batteries and PV arrays ``case`` switches on behind ``meters``, by kind."""
    return {kind: scenario.assets_on(case, kind, list(meters)) for kind in ("pv", "storage")}


def platform_inputs(scenario: Scenario, case: str, coalition: Sequence[str] | None = None):
    """The inputs of the connection's model under the platform's dispatch for the members
    of ``coalition`` (all by default): their loads, their assets and the park's."""
    ids = list(coalition or scenario.spec.park.members)
    on = platform_assets(scenario, case, [*ids, PARK])
    pv = {a.id: a.spec.capacity_kwp * scenario.pv_kw_per_kwp[a.id] for a in on["pv"]}
    return connection_inputs(scenario, case, f"{scenario.name} / {case} / {PARK} ({', '.join(ids)})",
                             sum(np.asarray(scenario.load_kw[i], float) for i in ids), pv,
                             {a.id: a.spec for a in on["storage"]})


def solve_platform(scenario: Scenario, case: str, coalition: Sequence[str] | None = None,
                   meter: str | None = None) -> tuple[pyo.ConcreteModel, CaseResult]:
    """The connection's model under the platform's dispatch for ``coalition`` (all members
    by default), with the members' sub-meter limits, solved: the model and its result."""
    ids = list(coalition or scenario.spec.park.members)
    start = time.perf_counter()
    m = build_model(platform_inputs(scenario, case, ids))
    add_sub_meter_limits(m, scenario, case, ids)
    result = solve_case(m, scenario, case, {"build": time.perf_counter() - start}, meter=meter)
    return m, result


def add_sub_meter_limits(m: pyo.ConcreteModel, scenario: Scenario, case: str,
                         ids: Sequence[str]) -> None:
    """``park_sub_meter_limit[i, t]``: −kVA_i ≤ n_i[t] ≤ kVA_i for the members of ``ids``
    with assets (see the module docstring), built as templates."""
    on = platform_assets(scenario, case, ids)
    at = {kind: {e: [a.id for a in assets if a.at == e] for e in ids} for kind, assets in on.items()}
    meters = [e for e in ids if at["pv"][e] or at["storage"][e]]
    if not meters:  # (a template over an empty set fails)
        return
    m.PARK_SUB_METERS = pyo.Set(initialize=meters, ordered=True,
                                doc="Members whose assets the platform dispatches")
    m.PARK_SUB_PV = pyo.Set(m.PARK_SUB_METERS, initialize={e: at["pv"][e] for e in meters},
                            doc="PV arrays behind member i's sub-meter")
    m.PARK_SUB_STORAGES = pyo.Set(m.PARK_SUB_METERS, doc="Batteries behind member i's sub-meter",
                                  initialize={e: at["storage"][e] for e in meters})
    m.park_sub_meter_kva = pyo.Param(m.PARK_SUB_METERS, doc="[kVA]", initialize={
        e: scenario.enterprises[e].transformer_kva for e in meters})
    m.park_sub_meter_load_kw = series_param(m.PARK_SUB_METERS, {
        e: np.asarray(scenario.load_kw[e], float) for e in meters}, "Member i's load [kW]")
    rule = partial(_sub_meter_limit, pv=bool(on["pv"]), storage=bool(on["storage"]))
    with templatized_constraints():
        m.park_sub_meter_limit = pyo.Constraint(m.PARK_SUB_METERS, m.T, rule=rule,
                                                doc="−kVA_i ≤ n_i ≤ kVA_i: member i's sub-meter")


def _sub_meter_limit(m, e, t, pv: bool, storage: bool):
    n = m.park_sub_meter_load_kw[e, t]
    if pv:
        n = n - sum(m.pv_available_kw[p, t] - m.pv_curtail_kw[p, t] for p in m.PARK_SUB_PV[e])
    if storage:
        n = n + sum(m.storage_charge_kw[s, t] - m.storage_discharge_kw[s, t]
                    for s in m.PARK_SUB_STORAGES[e])
    return (-m.park_sub_meter_kva[e], n, m.park_sub_meter_kva[e])


def asset_flows(m: pyo.ConcreteModel, assets: dict[str, list[Asset]], meters: Sequence[str]
                ) -> dict[str, dict[str, np.ndarray]]:
    """Per meter of ``meters``, the quantities of its ``assets`` in the solved model ``m``,
    summed: pv_kw, pv_curtail_kw, storage_charge_kw, storage_discharge_kw, storage_soc_kwh."""
    n = len(m.T)
    pv = [a for a in assets["pv"] if a.at in meters]
    storage = [a for a in assets["storage"] if a.at in meters]
    ids = {"pv": [a.id for a in pv], "storage": [a.id for a in storage]}
    values = {
        "pv_kw": matrix(m.component("pv_available_kw"), ids["pv"], n)
        - matrix(m.component("pv_curtail_kw"), ids["pv"], n),
        "pv_curtail_kw": matrix(m.component("pv_curtail_kw"), ids["pv"], n),
        "storage_charge_kw": matrix(m.component("storage_charge_kw"), ids["storage"], n),
        "storage_discharge_kw": matrix(m.component("storage_discharge_kw"), ids["storage"], n),
        "storage_soc_kwh": matrix(m.component("storage_soc_kwh"), ids["storage"], n)}
    out = {}
    for e in meters:
        rows = {"pv": [i for i, a in enumerate(pv) if a.at == e],
                "storage": [i for i, a in enumerate(storage) if a.at == e]}
        out[e] = {q: v[rows[q.split("_")[0]]].sum(axis=0) if rows[q.split("_")[0]] else np.zeros(n)
                  for q, v in values.items()}
    return out


def wear_cny(m: pyo.ConcreteModel, scenario: Scenario, batteries: list[Asset]) -> pd.DataFrame:
    """The wear of ``batteries`` in the solved model ``m`` by payer and month (``enterprise,
    month, component, cost_cny``): wear_cost_cny_per_kwh · Σ_{t∈m} discharge · dt_h, by the
    batteries' cost shares (`PARK` for the park's)."""
    labels = month_labels(scenario.index)
    discharge = matrix(m.component("storage_discharge_kw"), [a.id for a in batteries], len(m.T))
    rows = []
    for a, kw in zip(batteries, discharge, strict=True):
        monthly = pd.Series(kw * scenario.dt_h * a.spec.wear_cost_cny_per_kwh,
                            index=labels).groupby(level=0, sort=True).sum()
        shares = {PARK: 1.0} if a.at == PARK else a.cost_shares
        rows += [(e, mo, "storage_wear", share * cost) for e, share in shares.items()
                 for mo, cost in monthly.items()]
    frame = pd.DataFrame(rows, columns=["enterprise", "month", "component", "cost_cny"]).astype(
        {"cost_cny": float})
    return frame.groupby(["enterprise", "month", "component"], as_index=False, sort=False).sum()


def platform_dispatch(scenario: Scenario, case: str, members: CaseResult
                      ) -> tuple[CaseResult, CaseResult]:
    """Under the platform's dispatch of ``case``: the members' result (``members``, their
    own dispatch, with the members' columns and costs replaced by their sub-metered flows,
    bills and wear; the others' as they are) and the connection's (its columns the park's
    own assets'; its storage_wear, and its objective, the park's batteries' only, the
    members' wear being theirs)."""
    ids = list(scenario.spec.park.members)
    m, park = solve_platform(scenario, case)
    on = platform_assets(scenario, case, [*ids, PARK])
    flows = asset_flows(m, on, [*ids, PARK])
    inputs = prepare(scenario, case, ids)
    labels, fractions = month_labels(scenario.index), month_fractions(scenario.index, scenario.dt_h)
    ts = members.timeseries.copy()
    rows = []
    for e in ids:
        load = np.asarray(scenario.load_kw[e], float)
        f = flows[e]
        n = load - f["pv_kw"] + f["storage_charge_kw"] - f["storage_discharge_kw"]
        f |= {"load_kw": load, "original_load_kw": load, "grid_import_kw": np.maximum(n, 0.0),
              "grid_export_kw": np.maximum(-n, 0.0)}
        for q in QUANTITIES:
            if q != "price_cny_per_kwh":
                ts[f"{e}/{q}"] = f.get(q, 0.0)
        price = ts[f"{e}/price_cny_per_kwh"].to_numpy()
        bill = meter_bill(inputs, e, f["grid_import_kw"], f["grid_export_kw"], price, labels,
                          fractions)
        rows += [(e, mo, component, float(cost)) for component, monthly in bill.items()
                 for mo, cost in monthly.items()]
    wear = wear_cny(m, scenario, on["storage"])
    mine = members.costs["enterprise"].isin(ids)
    costs = _replaced(members.costs[mine].assign(cost_cny=0.0), pd.concat(
        [pd.DataFrame(rows, columns=wear.columns), wear[wear["enterprise"] != PARK]]))
    members_now = dataclasses.replace(
        members, timeseries=ts, costs=pd.concat([members.costs[~mine], costs], ignore_index=True),
        objective_cny=members.objective_cny - float(members.costs.loc[mine, "cost_cny"].sum())
        + float(costs["cost_cny"].sum()))
    park_wear = (park.costs["component"] == "storage_wear").to_numpy()
    park_costs = _replaced(park.costs.assign(cost_cny=np.where(park_wear, 0.0, park.costs["cost_cny"])),
                           wear[wear["enterprise"] == PARK])
    park_ts = park.timeseries.copy()
    for q, v in flows[PARK].items():
        park_ts[f"{PARK}/{q}"] = v
    members_wear = float(wear.loc[wear["enterprise"] != PARK, "cost_cny"].sum())
    return members_now, dataclasses.replace(park, timeseries=park_ts, costs=park_costs,
                                            objective_cny=park.objective_cny - members_wear)


def _replaced(costs: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """``costs`` (a row per enterprise, month and component) with the amounts of ``new`` in
    place of those of its rows."""
    key = ["enterprise", "month", "component"]
    out = costs.set_index(key)
    amounts = new.groupby(key)["cost_cny"].sum()
    out.loc[amounts.index, "cost_cny"] = amounts
    return out.reset_index()
