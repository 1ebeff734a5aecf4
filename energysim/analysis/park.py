"""The park microgrid's cases: the connection's model given the members' flows, and the
members' settlement with the platform company (`energysim.park_spec`).

A case with ``metering: park`` first runs its members as any case does, each on its
sub-meter dispatching its own assets for its own bill at its own tariff. What they draw
together, net of what they feed in,

    N[t] = Σ_{i∈members} (grid_import_kw[i, t] − grid_export_kw[i, t])            [kW]

is then the load of one more model, the connection's: a meter `PARK` with load N⁺ =
max(N, 0), the members' joint feed-in N⁻ = max(−N, 0) as a supply it must take (PV never
curtailed: `MEMBERS_FEED_IN`), the assets placed ``at: park``, and the connection's tariff
(the case's, else the connection's own, at the connection's voltage level), transformer and
basic charge, billed on the coincident monthly peak of the connection's import. Within a
step one member's feed-in serves another's load; only the remainder crosses the connection.
At hourly steps the connection has no 15-minute demand margin (a stated approximation).

Under ``park_dispatch: platform`` the connection's model holds the members' loads and
assets instead, and their sub-metered flows follow from it (`energysim.analysis.park_dispatch`);
each member then settles as alone (`as_alone`: B_i below is its bill alone), the platform
bearing the wear its dispatch adds to the members' batteries (``members_wear``).

Settlement, per member i and month, with B_i what i's own tariff bills its sub-metered
flows (its energy, basic charge on its own peak and export credit, as in its model):

    public_tariff    P_i = B_i
    discount         P_i = (1 − d) · B_i           (booked as B_i and park_discount = −d · B_i)
    internal_price   P_i = p · import_kwh_i − p_x · export_kwh_i
                                                   (its energy and export_credit; no basic charge)

The platform company's row is the connection's: its bill (energy, basic_charge,
export_credit), its assets' operating costs (storage_wear; under the platform's dispatch
also members_wear, negative where it spares the members' batteries), and
members_payments = −Σ_i P_i.
Money is conserved, the case's total being what the park pays the grid and spends on its
assets: Σ_i P_i − margin = grid bill + asset costs, margin = −(the platform's total).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from energysim.analysis.case_models import run_case
from energysim.analysis.executors import pool_map
from energysim.analysis.park_connection import connection_inputs
from energysim.analysis.park_dispatch import platform_dispatch, solve_platform
from energysim.analysis.park_sharing import needed
from energysim.assets import PARK
from energysim.case_inputs import CaseInputs
from energysim.charges import BILL_COMPONENTS
from energysim.economics.lifecycle import HOURS_A_YEAR, annualised_cny_per_unit_year
from energysim.errors import SolverError
from energysim.results import COALITION_COLUMNS, CaseResult
from energysim.scenario import Scenario
from energysim.scenario_spec import CAPACITY_FIELDS

MEMBERS_FEED_IN = "park_members_feed_in"
"""The connection's supply of what the members feed in together (a PV array it must take)."""
BILLED = BILL_COMPONENTS
"""The cost components of a meter's bill."""
SETTLEMENT_COSTS = ("members_payments", "park_discount", "park_bill_as_alone",
                    "park_wear_as_alone")
"""The components the settlement books: the platform's receipts (negative), members'
discounts and, under the platform's dispatch, what turns their payments into those alone."""


def is_park_case(scenario: Scenario, case: str) -> bool:
    """Whether ``case`` meters the park's members behind its connection."""
    return scenario.case(case).metering == "park"


def members_net_kw(scenario: Scenario, members: CaseResult,
                   coalition: Sequence[str] | None = None) -> np.ndarray:
    """N: what the members (of ``coalition``, all by default) draw together, net of what
    they feed in, per step. [kW]"""
    ts = members.timeseries
    return sum((ts[f"{i}/grid_import_kw"] - ts[f"{i}/grid_export_kw"]).to_numpy(dtype=float)
               for i in coalition or scenario.spec.park.members)


def park_inputs(scenario: Scenario, case: str, members: CaseResult,
                coalition: Sequence[str] | None = None) -> CaseInputs:
    """The inputs of the connection's model under ``case``, given the members' result, for
    the members of ``coalition`` (all by default): their net draw N⁺ and their joint feed-in
    N⁻ (`MEMBERS_FEED_IN`, taken whole), with the park's assets."""
    net = members_net_kw(scenario, members, coalition)
    pv = {a.id: a.spec.capacity_kwp * scenario.pv_kw_per_kwp[a.id]
          for a in scenario.assets_on(case, "pv", [PARK])}
    pv[MEMBERS_FEED_IN] = np.maximum(-net, 0.0)
    storages = {a.id: a.spec for a in scenario.assets_on(case, "storage", [PARK])}
    return connection_inputs(scenario, case, f"{scenario.name} / {case} / {PARK}",
                             np.maximum(net, 0.0), pv, storages, frozenset({MEMBERS_FEED_IN}))


def with_park(scenario: Scenario, case: str, members: CaseResult, workers: int = 1
              ) -> CaseResult:
    """The result of the park case ``case``: the members' result (their models' parts
    combined; under the platform's dispatch, their sub-metered flows and costs in it,
    `energysim.analysis.park_dispatch`), the connection's model and the settlement; the
    coalitions' models on ``workers`` processes."""
    platform = scenario.case(case).park_dispatch == "platform"
    try:
        if platform:
            metered, park = platform_dispatch(scenario, case, members)
        else:
            metered, park = members, run_case(scenario, case,
                                              inputs=park_inputs(scenario, case, members))
    except SolverError as exc:
        if exc.termination != "infeasible" or exc.reason:
            raise
        raise SolverError(exc.termination, exc.where, too_small(scenario, members)) from None
    coalitions = coalition_costs(scenario, case, members, metered, park, workers)
    ts = park.timeseries.copy()
    net = members_net_kw(scenario, metered)
    ts[f"{PARK}/load_kw"] = net  # the members' net draw, negative where they feed in
    if not platform:
        ts[f"{PARK}/pv_kw"] -= np.maximum(-net, 0.0)  # the park's own PV only
    transfers = settlement(scenario, members)  # on the bills alone, whoever dispatched
    if platform:  # each member settles what it would pay alone, the platform its extra wear
        transfers = pd.concat([as_alone(scenario, members, metered), transfers],
                              ignore_index=True)
    timings = {s: metered.timings_s.get(s, 0.0) + park.timings_s.get(s, 0.0)
               for s in {*metered.timings_s, *park.timings_s}}
    costs = pd.concat([metered.costs, park.costs, transfers], ignore_index=True)
    return dataclasses.replace(
        metered, timeseries=pd.concat([metered.timeseries, ts], axis=1), costs=costs,
        objective_cny=metered.objective_cny + park.objective_cny
        + float(transfers["cost_cny"].sum()),
        timings_s=timings, bound_cny=metered.bound_cny + park.bound_cny,
        methods=tuple(sorted({*metered.methods, *park.methods})),
        regularisation_cny=metered.regularisation_cny + park.regularisation_cny,
        park_coalitions=coalitions,
        battery_wear_cny=metered.battery_wear_cny | park.battery_wear_cny)


def too_small(scenario: Scenario, members: CaseResult) -> str:
    """Why the connection's model may be infeasible: what the members draw and feed in
    together, against the connection's transformer."""
    net = members_net_kw(scenario, members)
    kva = scenario.spec.park.connection.transformer_kva
    drawn, fed = int(np.argmax(net)), int(np.argmin(net))
    return (f"park.connection.transformer_kva is {kva:g} kVA; the members alone draw up to "
            f"{max(net[drawn], 0.0):g} kW together ({scenario.index[drawn]:%Y-%m-%d %H:%M}) and "
            f"feed in up to {max(-net[fed], 0.0):g} kW ({scenario.index[fed]:%Y-%m-%d %H:%M}), "
            "which the park's batteries and PV must bring within it")


def coalition_costs(scenario: Scenario, case: str, members: CaseResult, metered: CaseResult,
                    park: CaseResult, workers: int = 1) -> pd.DataFrame:
    """What each coalition the sharing rule needs (`energysim.analysis.park_sharing.needed`)
    costs behind the connection (`energysim.results.COALITION_COLUMNS`), on ``workers``
    processes: under the members' dispatch (``members``, alone), the connection's model
    solved on their net draw, against their bills alone; under the platform's, its model
    for their loads and assets (`energysim.analysis.park_dispatch`), against their bills and
    the wear of the batteries behind their meters alone (whoever pays it: a coalition runs
    the batteries behind its members' meters). The whole park's is ``park``'s (with ``metered``'s wear)."""
    ids = list(scenario.spec.park.members)
    platform = scenario.case(case).park_dispatch == "platform"
    costs = members.costs
    alone = costs[costs["component"].isin(BILLED)].groupby("enterprise")["cost_cny"].sum()
    if platform:  # and the wear of the batteries behind each member's meter, whoever pays it
        alone = alone.add(pd.Series({i: sum(members.battery_wear_cny.get(a.id, 0.0) for a in
                                            scenario.assets_on(case, "storage", [i]))
                                     for i in ids}), fill_value=0.0)
    capital = park_capital_cny(scenario, case).sum()
    coalitions = needed(ids, scenario.spec.park.sharing)
    others = [c for c in coalitions if len(c) < len(ids)]
    task = (scenario, case, None if platform else members, platform)  # (only the net draw's)
    solved = pool_map(_coalition_cost, task, others, workers)
    whole = park.total_cost_cny
    if platform:  # the members' batteries' wear, theirs in ``metered``, was the model's
        worn = metered.costs[metered.costs["enterprise"].isin(ids)
                             & (metered.costs["component"] == "storage_wear")]
        whole += float(worn["cost_cny"].sum())
    cost = dict(zip(others, solved, strict=True)) | {tuple(ids): (whole, park.bound_cny)}
    return pd.DataFrame([("+".join(c), len(c), float(alone.reindex(list(c)).fillna(0.0).sum()),
                          cost[c][0], capital, cost[c][1]) for c in coalitions],
                        columns=COALITION_COLUMNS)


def _coalition_cost(task: tuple, coalition: tuple[str, ...]) -> tuple[float, float]:
    """The connection's model's cost for ``coalition`` (its members' net draw, or under the
    platform's dispatch their loads and assets), and its bound: the net meter's modes
    iterated, never a MILP (a coalition's MILP took minutes where the park's own LP took
    seconds). [CNY]"""
    scenario, case, members, platform = task
    if platform:
        result = solve_platform(scenario, case, coalition, meter="iterate")[1]
    else:
        result = run_case(scenario, case, meter="iterate",
                          inputs=park_inputs(scenario, case, members, coalition))
    return result.total_cost_cny, result.bound_cny


def park_capital_cny(scenario: Scenario, case: str) -> pd.Series:
    """The park's assets' annualised capital cost in each month of the horizon (by
    ``YYYY-MM``; `energysim.economics.lifecycle`, over the month's hours inside it). [CNY]"""
    economics = scenario.spec.economics
    finance = economics.finance_spec()
    yearly = 0.0
    for kind, fields in CAPACITY_FIELDS.items():
        for asset in scenario.assets_on(case, kind, [PARK]):
            cost = annualised_cny_per_unit_year(kind, economics.costs_of(kind, asset.id), finance)
            yearly += sum(cost[unit] * getattr(asset.spec, f) for f, unit in fields.items())
    hours = pd.Series(scenario.dt_h, index=scenario.index.strftime("%Y-%m")).groupby(
        level=0, sort=True).sum()
    return yearly * hours / HOURS_A_YEAR


def as_alone(scenario: Scenario, members: CaseResult, metered: CaseResult) -> pd.DataFrame:
    """Under the platform's dispatch, the rows that leave each member i paying what it
    would alone (``enterprise, month, component, cost_cny``): ``park_bill_as_alone`` =
    B_i − B'_i (its bill alone less its sub-meter's under the platform's dispatch; the
    settlement then works on B_i) and ``park_wear_as_alone`` = W_i − W'_i (its batteries'
    wear alone less under the platform's dispatch), the platform bearing
    ``members_wear`` = Σ_i (W'_i − W_i)."""
    ids = list(scenario.spec.park.members)

    def by(result: CaseResult, components) -> pd.Series:
        costs = result.costs
        mine = costs[costs["enterprise"].isin(ids) & costs["component"].isin(list(components))]
        return mine.groupby(["enterprise", "month"])["cost_cny"].sum()

    bill = by(members, BILLED).sub(by(metered, BILLED), fill_value=0.0)
    wear = by(members, ["storage_wear"]).sub(by(metered, ["storage_wear"]), fill_value=0.0)
    rows = ([(e, mo, "park_bill_as_alone", b) for (e, mo), b in bill.items()]
            + [(e, mo, "park_wear_as_alone", w) for (e, mo), w in wear.items()]
            + [(PARK, mo, "members_wear", -w)
               for mo, w in wear.groupby(level="month", sort=True).sum().items()])
    return pd.DataFrame(rows, columns=["enterprise", "month", "component", "cost_cny"])


def settlement(scenario: Scenario, members: CaseResult) -> pd.DataFrame:
    """The rows the settlement adds to the members' own costs (``enterprise, month,
    component, cost_cny``; see the module docstring): each member's adjustment of its bill
    to P_i, and the platform's members_payments = −Σ P_i."""
    spec = scenario.spec.park.settlement
    costs = members.costs
    mine = costs[costs["enterprise"].isin(scenario.spec.park.members)
                 & costs["component"].isin(BILLED)]
    bill = mine.groupby(["enterprise", "month"], sort=False)["cost_cny"].sum()
    rows = []
    if spec.rule == "public_tariff":
        paid = bill
    elif spec.rule == "discount":
        paid = (1.0 - spec.discount_fraction) * bill
        rows += [(e, mo, "park_discount", -spec.discount_fraction * b)
                 for (e, mo), b in bill.items()]
    else:
        ts, dt_h = members.timeseries, scenario.dt_h
        months = ts.index.strftime("%Y-%m")
        paid = {}
        for (e, mo), _ in bill.items():
            step = months == mo
            drawn = float(ts.loc[step, f"{e}/grid_import_kw"].sum()) * dt_h
            fed = float(ts.loc[step, f"{e}/grid_export_kw"].sum()) * dt_h
            internal = {"energy": spec.internal_price_cny_per_kwh * drawn, "basic_charge": 0.0,
                        "export_credit": -spec.internal_export_price_cny_per_kwh * fed}
            own = mine[(mine["enterprise"] == e) & (mine["month"] == mo)]
            for component, amount in internal.items():  # B_i's rows turned into P_i's
                before = float(own.loc[own["component"] == component, "cost_cny"].sum())
                rows.append((e, mo, component, amount - before))
            paid[e, mo] = sum(internal.values())
        paid = pd.Series(paid, dtype=float)
    received = paid.groupby(level=1, sort=False).sum()
    rows += [(PARK, mo, "members_payments", -amount) for mo, amount in received.items()]
    return pd.DataFrame(rows, columns=["enterprise", "month", "component", "cost_cny"])


PARK_COLUMNS = ["case", "month", "import_kwh", "export_kwh", "coincident_peak_kw",
                "sum_of_member_peaks_kw", "grid_bill_cny", "members_paid_cny",
                "asset_operating_cny", "asset_capital_cny", "asset_costs_cny",
                "platform_margin_cny"]
"""park.csv: a row per park case and month; members_paid − platform_margin = grid_bill +
asset_costs, asset_costs = operating (the park's assets' wear) + capital (annualised)."""


def park_table(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """`PARK_COLUMNS` for every case of ``results`` metered at the park."""
    frames = []
    for case, result in results.items():
        if not is_park_case(scenario, case):
            continue
        ts, dt_h = result.timeseries, scenario.dt_h
        months = ts.index.strftime("%Y-%m")
        flows = pd.DataFrame({
            "import_kwh": ts[f"{PARK}/grid_import_kw"].to_numpy() * dt_h,
            "export_kwh": ts[f"{PARK}/grid_export_kw"].to_numpy() * dt_h,
            "coincident_peak_kw": ts[f"{PARK}/grid_import_kw"].to_numpy()}, index=months)
        table = flows.groupby(level=0, sort=True).agg(
            {"import_kwh": "sum", "export_kwh": "sum", "coincident_peak_kw": "max"})
        peaks = pd.DataFrame({i: ts[f"{i}/grid_import_kw"].to_numpy()
                              for i in scenario.spec.park.members}, index=months)
        table["sum_of_member_peaks_kw"] = peaks.groupby(level=0, sort=True).max().sum(axis=1)
        platform = result.costs[result.costs["enterprise"] == PARK]
        by = platform.pivot_table(index="month", columns="component", values="cost_cny",
                                  aggfunc="sum").reindex(table.index).fillna(0.0)

        def part(components, by=by):
            return by.reindex(columns=list(components), fill_value=0.0).sum(axis=1)

        table["grid_bill_cny"] = part(BILLED)
        table["members_paid_cny"] = -part(["members_payments"])
        table["asset_operating_cny"] = part(c for c in by.columns
                                            if c not in {*BILLED, *SETTLEMENT_COSTS})
        table["asset_capital_cny"] = park_capital_cny(scenario, case).reindex(table.index)
        table["asset_costs_cny"] = table["asset_operating_cny"] + table["asset_capital_cny"]
        table["platform_margin_cny"] = (table["members_paid_cny"] - table["grid_bill_cny"]
                                        - table["asset_costs_cny"])
        frames.append(table.rename_axis("month").reset_index().assign(case=case))
    if not frames:
        return pd.DataFrame(columns=PARK_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PARK_COLUMNS]
