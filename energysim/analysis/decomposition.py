"""Why a bill changed: the tariff effect and the response effect.

For a case c against its reference r (`Scenario.reference_case`: by default the case with
the same assets under the baseline's tariff, so that a ``*_pv_storage`` case is compared
with today's PV-and-storage dispatch, not with owning no assets), per enterprise:

    repriced        = bill(tariff_c, r's flows) + r's other costs (e.g. storage wear)
    tariff_effect   = repriced − cost_r          (r's dispatch held, new prices)
    response_effect = cost_c − repriced          (what re-optimising changes)
    cost_c          = cost_r + tariff_effect + response_effect

Positive effects raise the bill. Where the case keeps the reference's tariff the tariff
effect is zero. An enterprise is judged at both points: ``outcome_if_held`` compares
``repriced`` with ``cost_r`` (who wins or loses if it does not re-optimise), ``outcome``
compares ``cost_c`` with ``cost_r``: a *winner* pays less, a *loser* more (beyond a
relative 1e-6), else *unchanged*. The reference is never re-solved: its flows are re-priced.
"""

from __future__ import annotations

import pandas as pd

from energysim.results import CaseResult
from energysim.scenario import Scenario
from energysim.tariffs.bill import BILL_COMPONENTS

DECOMPOSITION_COLUMNS = ["case", "enterprise", "reference_case", "reference_cost_cny",
                         "tariff_effect_cny", "response_effect_cny", "cost_cny",
                         "outcome_if_held", "outcome"]
TOLERANCE = 1e-6


def enterprise_bill(scenario: Scenario, case: str, enterprise: str,
                    timeseries: pd.DataFrame, flows_case: str | None = None) -> float:
    """Bill [CNY] of ``enterprise``'s grid flows in ``timeseries`` (those of ``flows_case``,
    ``case`` by default) under ``case``'s tariff; the demand the meter measures includes the
    flows' 15-minute margin at hourly steps (`energysim.profiles.intra_hour`)."""
    return scenario.bill_cny(scenario.tariff_for(case, enterprise),
                             enterprise, timeseries[f"{enterprise}/grid_import_kw"],
                             timeseries[f"{enterprise}/grid_export_kw"], flows_case or case)


def outcome(baseline_cost: float, cost: float) -> str:
    """``winner``, ``loser`` or ``unchanged`` against the baseline."""
    margin = TOLERANCE * max(abs(baseline_cost), 1.0)
    if cost < baseline_cost - margin:
        return "winner"
    return "loser" if cost > baseline_cost + margin else "unchanged"


def decompose(scenario: Scenario, results: dict[str, CaseResult], baseline: str) -> pd.DataFrame:
    """Tariff and response effects of every case but the baseline, per enterprise, each
    against its reference (the baseline where the reference did not run)."""
    costs, others = {}, {}
    rows = []
    for case, result in results.items():
        if case == baseline:
            continue
        reference = scenario.reference_case(case, results)
        ref = results[reference]
        if reference not in costs:
            costs[reference] = ref.cost_by_enterprise()
            other = ref.costs[~ref.costs["component"].isin(BILL_COMPONENTS)]
            others[reference] = other.groupby("enterprise")["cost_cny"].sum()
        ref_cost, ref_other = costs[reference], others[reference]
        cost = result.cost_by_enterprise()
        for e in scenario.enterprises:
            same = scenario.tariff_for(case, e) is scenario.tariff_for(reference, e)
            repriced = ref_cost[e] if same else (
                enterprise_bill(scenario, case, e, ref.timeseries, reference)
                + ref_other.get(e, 0.0))
            rows.append((case, e, reference, ref_cost[e], repriced - ref_cost[e],
                         cost[e] - repriced, cost[e], outcome(ref_cost[e], repriced),
                         outcome(ref_cost[e], cost[e])))
    return pd.DataFrame(rows, columns=DECOMPOSITION_COLUMNS)
