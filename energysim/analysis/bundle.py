"""The analysis of a run, computed once: the tables every writer formats.

`analyse` computes, from the results of a run, the savings against the baseline (with each
enterprise's outcome), the decomposition into tariff and response effects, the indicators,
the green-supply and compliance tables, the VPP events, the costs, the investment
economics and the park's connection and sharing, once; the CSV files,
the workbook, the HTML report, its findings and the figures read them from the `Analysis`
instead of computing them again. A table of a subset of the cases is the rows of those
cases (each case's rows depend on that case and the baseline only).

`TABLES` lists the tables the writers write, in their order, with how each is written: its
CSV file and number format, and its sheet in the workbook (which columns freeze, which
words are translated, which rows are marked good or bad). A new table is a field here,
computed in `analyse`, one entry in `TABLES` and its labels (`energysim.report.labels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from energysim.analysis.decomposition import decompose, outcome
from energysim.analysis.economics import economics_tables
from energysim.analysis.green import compliance_table, green_table
from energysim.analysis.indicators import indicators
from energysim.analysis.park import park_table
from energysim.analysis.park_sharing import allocation_table
from energysim.analysis.savings import SAVINGS_COLUMNS, compare
from energysim.assets import PARK
from energysim.results import VPP_EVENT_COLUMNS, CaseResult
from energysim.scenario import Scenario

COST_COLUMNS = ["case", "enterprise", "month", "component", "cost_cny"]
VPP_COMPONENTS = ("vpp_capacity_revenue", "vpp_energy_revenue", "vpp_penalty")
"""The VPP's cost components, as its payments table lists them."""
DECOMPOSED = ["reference_cost_cny", "tariff_effect_cny", "response_effect_cny", "cost_cny"]


@dataclass(frozen=True)
class Table:
    """How one table of the `Analysis` is written.

    Attributes
    ----------
    name : str
        The table's key: its CSV file is ``<name>.csv`` and its sheet's label ``name``.
    field : str
        The `Analysis` attribute holding it.
    float_format : str
        Of its CSV file.
    csv_columns : tuple of str, optional
        The columns its CSV file has (all if None).
    sheet : str
        ``table`` (a sheet of the frame as it is), ``own`` (the workbook draws it its own
        way) or ``none``.
    freeze, translate, mark, marked
        Of its sheet: the cell the panes freeze at, the columns whose words are labelled,
        the column whose value marks a row good or bad (``outcome``: winner / loser, or a
        boolean column) and the columns so marked.
    sheet_needs : str
        When the sheet is written: ``always``, ``baseline`` (the baseline case was run),
        ``cases`` (more than one case was run) or ``rows`` (the table has rows).
    """

    name: str
    field: str
    float_format: str = "%.4f"
    csv_columns: tuple[str, ...] | None = None
    sheet: str = "table"
    freeze: str = "C2"
    translate: tuple[str, ...] = ()
    mark: str | None = None
    marked: tuple[str, ...] = ()
    sheet_needs: str = "always"


TABLES = (
    Table("savings", "savings", csv_columns=tuple(SAVINGS_COLUMNS), translate=("outcome",),
          mark="outcome", marked=("savings_cny", "savings_pct", "outcome"),
          sheet_needs="baseline"),
    Table("decomposition", "decomposition", translate=("outcome_if_held", "outcome"), mark="outcome",
          marked=("cost_cny", "outcome"), sheet_needs="cases"),
    Table("costs", "costs", sheet="own"),
    Table("indicators", "indicators", translate=("scope",)),
    Table("green_direct", "green", float_format="%.6g", freeze="D2", translate=("rules_mode",),
          mark="compliant", marked=("compliant",)),
    Table("green_compliance", "compliance", float_format="%.6g", freeze="D2",
          translate=("rule", "mode"), mark="compliant", marked=("compliant",)),
    Table("vpp_events", "vpp_events", freeze="D2", translate=("enterprise",), sheet_needs="rows"),
    Table("economics", "economics", float_format="%.6g", freeze="D2", sheet_needs="rows"),
    Table("sizing", "sizing", float_format="%.6g", freeze="D2", sheet_needs="rows"),
    Table("cashflows", "cashflows", float_format="%.2f", freeze="E2", translate=("component",),
          sheet_needs="rows"),
    Table("park", "park", float_format="%.10g", sheet_needs="rows"),
    Table("park_allocation", "park_allocation", float_format="%.10g", mark="individually_rational",
          marked=("allocated_cny", "individually_rational"), sheet_needs="rows"),
)
"""The tables of a run, in the order the writers write them."""


@dataclass
class Analysis:
    """The tables of one run.

    Attributes
    ----------
    baseline : str or None
        The baseline case, where it was run.
    savings : pandas.DataFrame
        `energysim.analysis.savings.SAVINGS_COLUMNS` and ``outcome``; empty without the
        baseline.
    decomposition : pandas.DataFrame or None
        `energysim.analysis.decomposition.decompose`; None without the baseline.
    indicators, green, compliance : pandas.DataFrame
        `energysim.analysis.indicators.indicators`, `energysim.analysis.green.green_table`,
        `energysim.analysis.green.compliance_table` (empty where no case has green supply).
    vpp_events : pandas.DataFrame or None
        ``case`` and `energysim.results.VPP_EVENT_COLUMNS`, the cases with a VPP; None where
        no case has one.
    costs : pandas.DataFrame
        ``case, enterprise, month, component, cost_cny``.
    park_savings, park_decomposition : pandas.DataFrame or None
        The park's rows of the savings (``case, baseline_cost_cny, cost_cny``) and of the
        decomposition (its numbers and ``outcome``): sums over the enterprises. None
        without the baseline.
    vpp_payments : pandas.DataFrame or None
        ``case`` and the VPP's cost components summed (`VPP_COMPONENTS`; revenues negative),
        the cases with a VPP; None where no case has one.
    economics, cashflows : pandas.DataFrame
        `energysim.analysis.economics.economics_tables`: a row per case with assets and
        enterprise paying for some, and their cash flows by year and component.
    sizing : pandas.DataFrame or None
        `energysim.analysis.sizing.SIZING_COLUMNS`: the capacities the sized cases chose
        (the scenario's `energysim.scenario.Scenario.sizing`); None where none was sized.
    park, park_allocation : pandas.DataFrame or None
        `energysim.analysis.park.PARK_COLUMNS` (a row per park case and month) and
        `energysim.analysis.park_sharing.ALLOCATION_COLUMNS` (per park case and member);
        None where no case meters at the park.
    """

    baseline: str | None
    savings: pd.DataFrame
    decomposition: pd.DataFrame | None
    indicators: pd.DataFrame
    green: pd.DataFrame
    compliance: pd.DataFrame
    vpp_events: pd.DataFrame | None
    costs: pd.DataFrame
    park_savings: pd.DataFrame | None = None
    park_decomposition: pd.DataFrame | None = None
    vpp_payments: pd.DataFrame | None = None
    economics: pd.DataFrame | None = None
    cashflows: pd.DataFrame | None = None
    sizing: pd.DataFrame | None = None
    park: pd.DataFrame | None = None
    park_allocation: pd.DataFrame | None = None

    def table(self, table: Table) -> pd.DataFrame | None:
        """The frame of ``table``; None where the run has none (no baseline for the
        decomposition, no VPP, no green supply)."""
        if table.field in ("green", "compliance") and not len(self.green):
            return None
        return getattr(self, table.field)

    def of_cases(self, table: pd.DataFrame, cases) -> pd.DataFrame:
        """The rows of ``table`` (one of these) that belong to ``cases``."""
        return table[table["case"].isin(list(cases))]


def analyse(scenario: Scenario, results: dict[str, CaseResult]) -> Analysis:
    """Every table of the run of ``results`` (see the module docstring)."""
    baseline = scenario.baseline_case if scenario.baseline_case in results else None
    if baseline is None:
        savings, decomposition = pd.DataFrame(columns=[*SAVINGS_COLUMNS, "outcome"]), None
    else:
        savings = compare(results, baseline)
        savings["outcome"] = [outcome(b, c) for b, c in
                              zip(savings["baseline_cost_cny"], savings["cost_cny"], strict=True)]
        decomposition = decompose(scenario, results, baseline)
    green = green_table(scenario, results)
    events = [r.vpp_events.assign(case=c) for c, r in results.items()
              if r.vpp_events is not None]
    park_savings = park_decomposition = None
    if baseline is not None:
        park_savings = savings.groupby("case", sort=False)[
            ["baseline_cost_cny", "cost_cny"]].sum().reset_index()
        park_decomposition = _with_platform(decomposition.groupby(
            ["case", "reference_case"], sort=False)[DECOMPOSED].sum().reset_index(), results)
        held = park_decomposition["reference_cost_cny"] + park_decomposition["tariff_effect_cny"]
        park_decomposition["outcome_if_held"] = [
            outcome(b, c) for b, c in zip(park_decomposition["reference_cost_cny"], held,
                                          strict=True)]
        park_decomposition["outcome"] = [
            outcome(b, c) for b, c in zip(park_decomposition["reference_cost_cny"],
                                          park_decomposition["cost_cny"], strict=True)]
    economics, cashflows = economics_tables(scenario, results)
    return Analysis(
        baseline=baseline, savings=savings, decomposition=decomposition,
        indicators=indicators(scenario, results), green=green,
        compliance=compliance_table(scenario, results),
        vpp_events=(pd.concat(events, ignore_index=True)[["case", *VPP_EVENT_COLUMNS]] if events
                    else None),
        costs=pd.concat([r.costs.assign(case=c) for c, r in results.items()],
                        ignore_index=True)[COST_COLUMNS],
        park_savings=park_savings, park_decomposition=park_decomposition,
        vpp_payments=_vpp_payments(results), economics=economics, cashflows=cashflows,
        sizing=_ran(scenario.sizing, results),
        **_park_tables(scenario, results),
    )


def _with_platform(totals: pd.DataFrame, results: dict[str, CaseResult]) -> pd.DataFrame:
    """The park's totals of the decomposition with the platform company's cost (a case
    metered at the park, `energysim.assets.PARK`) added: against its reference, its whole
    change is response (its own dispatch and settlement), none of it the tariff's held."""
    totals = totals.copy()
    for row, (case, reference) in enumerate(zip(totals["case"], totals["reference_case"],
                                                strict=True)):
        now, before = (_platform_cny(results[c]) for c in (case, reference))
        totals.loc[row, "reference_cost_cny"] += before
        totals.loc[row, "response_effect_cny"] += now - before
        totals.loc[row, "cost_cny"] += now
    return totals


def _platform_cny(result: CaseResult) -> float:
    costs = result.costs
    return float(costs.loc[costs["enterprise"] == PARK, "cost_cny"].sum())


def _park_tables(scenario: Scenario, results: dict[str, CaseResult]) -> dict:
    """``park`` and ``park_allocation``, where a case meters at the park."""
    if not any(r.park_coalitions is not None for r in results.values()):
        return {}
    return {"park": park_table(scenario, results),
            "park_allocation": allocation_table(scenario, results)}


def _ran(sizing: pd.DataFrame | None, results: dict[str, CaseResult]) -> pd.DataFrame | None:
    """The rows of ``sizing`` of the cases in ``results``; None where there are none."""
    if sizing is None or not sizing["case"].isin(list(results)).any():
        return None
    return sizing[sizing["case"].isin(list(results))].reset_index(drop=True)


def _vpp_payments(results: dict[str, CaseResult]) -> pd.DataFrame | None:
    """Per case with a VPP, the sums of its cost components `VPP_COMPONENTS` [CNY]."""
    cases = {c: r for c, r in results.items() if r.vpp_events is not None}
    if not cases:
        return None
    sums = [r.costs.groupby("component")["cost_cny"].sum().reindex(VPP_COMPONENTS, fill_value=0.0)
            for r in cases.values()]
    return pd.DataFrame([(c, *s.to_numpy()) for c, s in zip(cases, sums, strict=True)],
                        columns=["case", *VPP_COMPONENTS])
