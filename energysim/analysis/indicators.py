"""Indicators per case, for the park and for each enterprise.

    peak_import_kw            max_t Σ_e grid_import_kw[e, t]  (coincident, for the park)
    midday_import_kwh         Σ_{t in midday window} grid_import_kw · dt_h
    evening_peak_import_kwh   Σ_{t in evening window} grid_import_kw · dt_h
    midday_net_import_kwh, evening_peak_net_import_kwh   the same of grid_import − grid_export
    pv_available_kwh          Σ (pv_kw + pv_curtail_kw) · dt_h;  pv_curtailed_kwh likewise
    storage_cycles_per_day    Σ storage_discharge_kw · dt_h / Σ capacity_kwh / days
    average_import_price_cny_per_kwh = energy cost / grid import
    cost_per_kwh_consumed_cny        = total cost / load
    grid_revenue_cny          energy + basic charges billed by the grid company (what it pays
                              for exported PV, the export credit, is not netted off)
    grid_revenue_change_cny   grid_revenue − the baseline case's, same scope
    grid_revenue_change_vs_reference_cny   grid_revenue − the case's reference's
                              (`Scenario.reference_case`): what the proposal itself costs the
                              grid company, not what owning PV and storage does
    co2_kg                    grid_import_kwh · factor (the scenario's ``carbon``, named in
                              ``co2_factor_kgco2_per_kwh`` and in every output's notes)
    green_share               green energy consumed / energy consumed, where
                              consumed = Σ (import + pv + green_direct + generator + discharge
                                            − charge − export) · dt_h
                              green     = Σ (pv + green_direct − export) · dt_h, at least 0
                              (green energy stored and used later counts, its losses too)

Where a case meters the members behind the park's connection (`energysim.analysis.park`),
the park's grid flows, grid revenue and CO2 are the connection's, its PV, batteries and costs
the members' and the platform company's together; a member's are its sub-meter's.

The windows are the scenario's ``indicators`` (default midday 11:00-14:00, evening
17:00-22:00), so a policy maker sees whether midday-valley prices fill the midday and
where the peak goes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.assets import PARK
from energysim.results import CaseResult
from energysim.scenario import Scenario
from energysim.schema import window_mask

INDICATOR_COLUMNS = [
    "case", "scope", "peak_import_kw", "peak_month", "peak_time", "grid_import_kwh",
    "midday_import_kwh", "evening_peak_import_kwh", "pv_available_kwh", "pv_curtailed_kwh",
    "storage_cycles_per_day", "average_import_price_cny_per_kwh", "cost_per_kwh_consumed_cny",
    "total_cost_cny", "midday_net_import_kwh", "evening_peak_net_import_kwh", "grid_revenue_cny",
    "grid_revenue_change_cny", "grid_revenue_change_vs_reference_cny", "co2_kg",
    "co2_factor_kgco2_per_kwh", "green_share",
]
GRID_REVENUE = ("energy", "basic_charge")
"""Cost components the grid company bills (`energysim.charges`)."""


def indicators(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """One row per case and scope (``park``, then each enterprise)."""
    spec, dt_h, index = scenario.spec.indicators, scenario.dt_h, scenario.index
    midday = window_mask(index, [spec.midday_window])
    evening = window_mask(index, [spec.evening_window])
    days = len(index) * dt_h / 24.0
    factor = scenario.spec.carbon.factor_kgco2_per_kwh
    rows = []
    for case, result in results.items():
        ts, costs = result.timeseries, result.costs
        present = [e for e in scenario.enterprises if f"{e}/grid_import_kw" in ts]  # run for some
        connected = f"{PARK}/grid_import_kw" in ts  # the members behind the park's connection
        for scope in ["park", *present]:
            ents = present if scope == "park" else [scope]
            grid = ents  # the flows the grid bills: behind the connection, its own
            if connected and scope == "park":
                grid = [PARK, *(e for e in ents if e not in scenario.spec.park.members)]
            ents = [*ents, PARK] if connected and scope == "park" else ents

            def total(quantity: str, ents=ents, ts=ts) -> np.ndarray:
                return sum((ts[f"{e}/{quantity}"].to_numpy() if f"{e}/{quantity}" in ts
                            and (e != PARK or quantity != "load_kw") else np.zeros(len(ts)))
                           for e in ents)

            imports = total("grid_import_kw", grid)
            at = int(np.argmax(imports))
            capacity = sum(a.spec.capacity_kwh for a in scenario.assets_on(case, "storage", ents))
            scope_costs = costs[costs["enterprise"].isin(ents)]
            billed = costs[costs["enterprise"].isin(grid)]
            energy = billed.query("component == 'energy'")["cost_cny"].sum()
            cost = scope_costs["cost_cny"].sum()
            import_kwh, load_kwh = imports.sum() * dt_h, total("load_kw").sum() * dt_h
            discharge_kwh = total("storage_discharge_kw").sum() * dt_h
            curtailed = total("pv_curtail_kw").sum() * dt_h
            revenue = billed[billed["component"].isin(GRID_REVENUE)]["cost_cny"].sum()
            exports = total("grid_export_kw", grid)
            net = imports - exports
            supplied = imports + total("pv_kw") + total("green_direct_kw")
            consumed = (supplied + total("generator_kw") + total("storage_discharge_kw")
                        - total("storage_charge_kw") - exports).sum() * dt_h
            green = max((total("pv_kw") + total("green_direct_kw") - exports).sum() * dt_h, 0.0)
            rows.append((
                case, scope, imports[at], f"{index[at]:%Y-%m}", f"{index[at]:%Y-%m-%d %H:%M}",
                import_kwh, imports[midday].sum() * dt_h, imports[evening].sum() * dt_h,
                total("pv_kw").sum() * dt_h + curtailed, curtailed,
                discharge_kwh / capacity / days if capacity else np.nan,
                energy / import_kwh if import_kwh else np.nan,
                cost / load_kwh if load_kwh else np.nan, cost,
                net[midday].sum() * dt_h, net[evening].sum() * dt_h, revenue, np.nan, np.nan,
                import_kwh * factor, factor, min(green / consumed, 1.0) if consumed > 0 else np.nan,
            ))
    table = pd.DataFrame(rows, columns=INDICATOR_COLUMNS)
    revenue = table.set_index(["case", "scope"])["grid_revenue_cny"]

    def change(reference_of) -> list[float]:
        return [row.grid_revenue_cny - revenue.get((reference_of(row.case), row.scope), np.nan)
                for row in table.itertuples()]

    table["grid_revenue_change_cny"] = change(lambda case: scenario.baseline_case)
    table["grid_revenue_change_vs_reference_cny"] = change(
        lambda case: scenario.reference_case(case, results))
    return table
