"""What direct green-power supply brings each offtaker, and whether a project complies.

From the solved time series of a case that switches ``green_direct`` on, for project g,
offtaker e and the grid emission factor φ [kgCO2/kWh]:

    green_supplied_kwh[e]       = Σ_t green_direct_kw[e, t] · dt_h
    consumption_kwh[e]          = Σ_t load_kw[e, t] · dt_h              (load served)
    green_share_of_consumption  = green_supplied_kwh / consumption_kwh
    co2_avoided_t               = green_supplied_kwh · φ / 1000
    green_cost_cny              = green_ppa + green_fees + green_feed_in_credit

and for the project (the same figures on each of its offtakers' rows): available generation
G = Σ green_available_kw · dt_h, the self-consumption share D/G, the feed-in share F/G and
its share of consumption D / Σ_e C[e] (`energysim.model.green_rules`). ``compliant`` is
True when all three ratio rules hold. `compliance_table` gives one row per rule with its
required and achieved share and the margin, in share points and in kWh (≥ 0: met).
"""

from __future__ import annotations

import pandas as pd

from energysim.model.green_rules import RULE_BASIS
from energysim.results import CaseResult
from energysim.scenario import Scenario

GREEN_COLUMNS = [
    "case", "project", "enterprise", "green_supplied_kwh", "consumption_kwh",
    "green_share_of_consumption", "generation_available_kwh", "feed_in_kwh", "curtailed_kwh",
    "self_consumption_share_of_generation", "feed_in_share_of_generation",
    "project_share_of_consumption", "co2_avoided_t", "green_cost_cny",
    "green_cost_cny_per_kwh", "rules_mode", "compliant",
]
COMPLIANCE_COLUMNS = ["case", "project", "rule", "mode", "required_share", "achieved_share",
                      "margin_share", "margin_kwh", "compliant"]
GREEN_COSTS = ("green_ppa", "green_fees", "green_feed_in_credit")
TOLERANCE_KWH = 1e-6
"""A rule counts as met when its margin is above −TOLERANCE_KWH · max(1, G) (solver round-off)."""


def _green_cases(scenario: Scenario, results: dict[str, CaseResult]) -> list[str]:
    return [c for c in results
            if "green_direct" in scenario.case(c).assets and scenario.spec.green_direct]


def _projects(scenario: Scenario, result: CaseResult) -> list:
    """The projects the result has a plant for (a run may leave some enterprises out)."""
    return [g for g in scenario.spec.green_direct
            if f"{g.id}/green_available_kw" in result.timeseries]


def compliance_table(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """One row per case, project and ratio rule (`COMPLIANCE_COLUMNS`)."""
    rows = []
    for case in _green_cases(scenario, results):
        ts = results[case].timeseries
        for g in _projects(scenario, results[case]):
            totals = _project_totals(ts, g, scenario.dt_h)
            generation = totals["generation"]
            for rule, required in g.required_shares(scenario.index[0].year).items():
                energy_name, base_name, sign = RULE_BASIS[rule]
                energy, base = totals[energy_name], totals[base_name]
                achieved = energy / base if base else float("nan")
                margin_kwh = sign * (energy - required * base)
                rows.append((case, g.id, rule, scenario.green_mode(case, g.id), required, achieved,
                             sign * (achieved - required), margin_kwh,
                             margin_kwh >= -TOLERANCE_KWH * max(1.0, generation)))
    return pd.DataFrame(rows, columns=COMPLIANCE_COLUMNS)


def green_table(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """One row per case and offtaker of each project (`GREEN_COLUMNS`)."""
    factor = scenario.spec.carbon.factor_kgco2_per_kwh
    compliance = compliance_table(scenario, results)
    rows = []
    for case in _green_cases(scenario, results):
        result = results[case]
        ts, dt_h = result.timeseries, scenario.dt_h
        costs = result.costs[result.costs["component"].isin(GREEN_COSTS)]
        green_cost = costs.groupby("enterprise")["cost_cny"].sum()
        for g in _projects(scenario, result):
            totals = _project_totals(ts, g, dt_h)
            generation = totals["generation"]
            rules = compliance[(compliance["case"] == case) & (compliance["project"] == g.id)]
            for e in g.offtakers:
                supplied = ts[f"{e}/green_direct_kw"].sum() * dt_h
                consumption = ts[f"{e}/load_kw"].sum() * dt_h
                cost = float(green_cost.get(e, 0.0))
                rows.append((
                    case, g.id, e, supplied, consumption, _ratio(supplied, consumption),
                    generation, totals["feed_in"], totals["curtailed"],
                    _ratio(totals["delivered"], generation), _ratio(totals["feed_in"], generation),
                    _ratio(totals["delivered"], totals["consumption"]), supplied * factor / 1000.0,
                    cost, _ratio(cost, supplied), scenario.green_mode(case, g.id),
                    bool(rules["compliant"].all()),
                ))
    return pd.DataFrame(rows, columns=GREEN_COLUMNS)


def _project_totals(ts: pd.DataFrame, project, dt_h: float) -> dict[str, float]:
    """Energy totals of a project over the horizon [kWh]."""
    def kwh(column: str) -> float:
        return float(ts[column].sum() * dt_h)

    return {
        "generation": kwh(f"{project.id}/green_available_kw"),
        "delivered": kwh(f"{project.id}/green_delivered_kw"),
        "feed_in": kwh(f"{project.id}/green_feed_in_kw"),
        "curtailed": kwh(f"{project.id}/green_curtail_kw"),
        "consumption": sum(kwh(f"{e}/load_kw") for e in project.offtakers),
    }


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")
