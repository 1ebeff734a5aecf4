"""Why a bill changed: the tariff effect and the response effect.

For a case c against the baseline b, per enterprise:

    repriced        = bill(tariff_c, baseline flows) + baseline's other costs (e.g. storage wear)
    tariff_effect   = repriced − cost_b          (same behaviour, new prices)
    response_effect = cost_c − repriced          (what re-optimised assets change)
    cost_c          = cost_b + tariff_effect + response_effect

Positive effects raise the bill. Where the case keeps the baseline's tariff the tariff
effect is zero. An enterprise is a *winner* where it pays less than in the baseline, a
*loser* where it pays more (beyond a relative 1e-6), else *unchanged*.
"""

from __future__ import annotations

import pandas as pd

from energysim.profiles.intra_hour import metered_demand_kw
from energysim.results import CaseResult
from energysim.scenario import Scenario
from energysim.tariffs.bill import BILL_COMPONENTS, compute_bill

DECOMPOSITION_COLUMNS = ["case", "enterprise", "baseline_cost_cny", "tariff_effect_cny",
                         "response_effect_cny", "cost_cny", "outcome"]
TOLERANCE = 1e-6


def enterprise_bill(scenario: Scenario, case: str, enterprise: str,
                    timeseries: pd.DataFrame, flows_case: str | None = None) -> float:
    """Bill [CNY] of ``enterprise``'s grid flows in ``timeseries`` (those of ``flows_case``,
    ``case`` by default) under ``case``'s tariff; the demand the meter measures includes the
    flows' 15-minute margin at hourly steps (`energysim.profiles.intra_hour`)."""
    ent = scenario.enterprises[enterprise]
    imports = timeseries[f"{enterprise}/grid_import_kw"]
    exports = timeseries[f"{enterprise}/grid_export_kw"]
    margin = scenario.demand_margin_kw(flows_case or case, enterprise)
    bill = compute_bill(scenario.tariff_for(case, enterprise), imports, exports,
                        basic_charge=ent.basic_charge, transformer_kva=ent.transformer_kva,
                        contract_demand_kw=ent.contract_demand_kw,
                        demand_kw=metered_demand_kw(imports, exports, margin)
                        if margin.any() else None)
    return float(bill["total"].sum())


def outcome(baseline_cost: float, cost: float) -> str:
    """``winner``, ``loser`` or ``unchanged`` against the baseline."""
    margin = TOLERANCE * max(abs(baseline_cost), 1.0)
    if cost < baseline_cost - margin:
        return "winner"
    return "loser" if cost > baseline_cost + margin else "unchanged"


def decompose(scenario: Scenario, results: dict[str, CaseResult], baseline: str) -> pd.DataFrame:
    """Tariff and response effects of every case but the baseline, per enterprise."""
    base = results[baseline]
    base_cost = base.cost_by_enterprise()
    other = base.costs[~base.costs["component"].isin(BILL_COMPONENTS)]
    base_other = other.groupby("enterprise")["cost_cny"].sum()
    rows = []
    for case, result in results.items():
        if case == baseline:
            continue
        cost = result.cost_by_enterprise()
        for e in scenario.enterprises:
            same = scenario.tariff_for(case, e) is scenario.tariff_for(baseline, e)
            repriced = base_cost[e] if same else (
                enterprise_bill(scenario, case, e, base.timeseries, baseline)
                + base_other.get(e, 0.0))
            rows.append((case, e, base_cost[e], repriced - base_cost[e], cost[e] - repriced,
                         cost[e], outcome(base_cost[e], cost[e])))
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)
