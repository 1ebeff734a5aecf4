"""The PNG figures of a run, in English or Chinese.

    dispatch_<case>_<enterprise>.png   a week of supply against load, energy price, and the
                                       state of charge below
    savings.png                        savings per enterprise against the baseline
    waterfall_<case>.png               baseline cost → tariff effect → response effect → cost
    monthly_peak_import.png            the park's coincident peak import per month and case
    load_duration_<case>.png           grid-import duration curves, baseline against case
    tariff_<tariff>.png                bands of each tariff the cases use, month × time of day

Figures are built on `matplotlib.figure.Figure` directly (no pyplot state, no GUI
backend), so they can be made in any process. Chinese labels need a CJK font; where none
is installed the figures are labelled in English (`energysim.report.fonts.cjk_note` says
so in one line for the caller to show).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from energysim.report.figures_costs import (
    Grouped,
    enterprise_label,
    money_unit,
    plot_load_duration,
    plot_monthly_peak,
    plot_waterfall,
)
from energysim.report.figures_economics import plot_cumulative
from energysim.report.figures_park import plot_park
from energysim.report.findings_savings import best_case
from energysim.report.fonts import figure_lang, font_context, save_figure
from energysim.report.labels import check_lang, label
from energysim.report.tariff_views import plot_band_heatmap
from energysim.results import CaseResult
from energysim.scenario import Scenario
from energysim.vpp_baseline import events_in_horizon

SUPPLY = {"grid_import_kw": ("fig_grid_import", "#7f7f7f"), "pv_kw": ("fig_pv", "#f2b701"),
          "storage_discharge_kw": ("fig_storage_discharge", "#3a7dc9"),
          "green_direct_kw": ("fig_green_direct", "#2ca02c"),
          "generator_kw": ("fig_generator", "#8c564b")}
"""Supply stacked in the dispatch figure: quantity → (label key, colour)."""
DPI = 100


def default_week(index: pd.DatetimeIndex) -> pd.Timestamp:
    """The first Monday on or after the middle of ``index`` that leaves a week to show."""
    middle = index[len(index) // 2].normalize()
    monday = middle + pd.Timedelta(days=(7 - middle.day_of_week) % 7)
    latest = index[-1].normalize() - pd.Timedelta(days=6)
    return max(min(monday, latest), index[0].normalize())


def event_week(scenario: Scenario, result: CaseResult) -> pd.Timestamp | None:
    """The week (from its Monday, kept inside the horizon) of the first VPP event a case's
    result has, so that its dispatch figure shows an event; None without one."""
    if result.vpp_events is None or not len(result.vpp_events) or scenario.spec.vpp is None:
        return None
    events = events_in_horizon(scenario.spec.vpp, scenario.index)
    if not events:
        return None
    day = pd.Timestamp(min(e.date for e in events))
    monday = day - pd.Timedelta(days=day.day_of_week)
    latest = scenario.index[-1].normalize() - pd.Timedelta(days=6)
    return max(min(monday, latest), scenario.index[0].normalize())


def check_week(index: pd.DatetimeIndex, week_start: pd.Timestamp) -> pd.Timestamp:
    """``week_start`` at midnight where it falls within ``index``, else ValueError."""
    start = pd.Timestamp(week_start).normalize()
    if not index[0].normalize() <= start <= index[-1]:
        raise ValueError(f"dispatch week {start:%Y-%m-%d} is outside the horizon "
                         f"{index[0]:%Y-%m-%d} to {index[-1]:%Y-%m-%d}")
    return start


def plot_dispatch(timeseries: pd.DataFrame, enterprise: str, start: pd.Timestamp,
                  title: str, days: int = 7, lang: str = "en") -> Figure:
    """Supply stacked against load, energy price and state of charge, ``days`` from ``start``."""
    lang = figure_lang(lang)
    week = timeseries.loc[start: start + pd.Timedelta(days=days) - pd.Timedelta(minutes=1)]
    if week.empty:
        raise ValueError(f"no time steps from {start:%Y-%m-%d} for {days} days in the results")

    def col(quantity: str) -> np.ndarray:
        """Values of ``quantity``, the last repeated at the end of the last step."""
        name = f"{enterprise}/{quantity}"
        values = week[name].to_numpy() if name in week else np.zeros(len(week))
        return np.append(values, values[-1])

    step = week.index[1] - week.index[0] if len(week) > 1 else pd.Timedelta(hours=1)
    x = week.index.append(pd.DatetimeIndex([week.index[-1] + step]))
    fig = Figure(figsize=(11, 6.4))
    fig.subplots_adjust(left=0.075, right=0.925, top=0.93, bottom=0.1, hspace=0.08)
    power, soc = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    shown = [q for q in SUPPLY if q == "grid_import_kw" or col(q).any()]  # legend: used only
    power.stackplot(x, *(col(q) for q in shown), labels=[label(SUPPLY[q][0], lang) for q in shown],
                    colors=[SUPPLY[q][1] for q in shown], step="post", alpha=0.85)
    demand = col("load_kw") + col("storage_charge_kw") + col("grid_export_kw")
    power.step(x, col("load_kw"), where="post", color="black", lw=1.2, label=label("fig_load", lang))
    power.step(x, demand, where="post", color="crimson", lw=0.8, ls="--",
               label=label("fig_demand", lang))
    power.set_ylabel(label("fig_power_kw", lang))
    power.yaxis.set_major_formatter(Grouped())
    power.set_ylim(0, max(power.get_ylim()[1], 1.0) * 1.15)  # room for the legend
    power.set_title(title)
    price = power.twinx()
    price.step(x, col("price_cny_per_kwh"), where="post", color="green", lw=0.8)
    price.set_ylabel(label("price_cny_per_kwh", lang), color="green")
    price.set_ylim(bottom=0)
    power.legend(loc="upper left", fontsize=8, ncols=6)
    stored = col("storage_soc_kwh")
    if stored.any():
        soc.step(x, stored, where="post", color="#3a7dc9")
        soc.set_ylim(bottom=0)
    else:
        soc.text(0.5, 0.5, label("fig_no_storage", lang), transform=soc.transAxes, ha="center",
                 va="center", color="grey")
        soc.set_yticks([])
    soc.set_ylabel(label("fig_soc_kwh", lang), fontsize=8.5)
    soc.yaxis.set_major_formatter(Grouped())
    soc.set_xlabel(label("fig_local_time", lang))
    midnights = pd.date_range(start, week.index[-1], freq="D")
    weekdays = label("fig_weekdays", lang).split()
    soc.set_xticks(midnights, [f"{d:%m-%d}\n{weekdays[d.day_of_week]}" for d in midnights])
    soc.set_xlim(x[0], x[-1])
    for ax in (power, soc):
        ax.grid(axis="x", alpha=0.3)
    return fig


def plot_savings(scenario: Scenario, savings: pd.DataFrame, lang: str = "en") -> Figure:
    """Savings per enterprise against the baseline, one group of bars per enterprise."""
    lang = figure_lang(lang)
    baseline = scenario.baseline_case
    table = savings[savings["case"] != baseline].pivot(
        index="enterprise", columns="case", values="savings_cny")
    table = table.reindex(index=savings["enterprise"].drop_duplicates(),
                          columns=savings.loc[savings["case"] != baseline, "case"].drop_duplicates())
    scale, unit = money_unit(table.to_numpy(), lang)
    n_cases = max(len(table.columns), 1)
    fig = Figure(figsize=(min(15, max(10, 1.2 * len(table) * (1 + n_cases / 4))), 5.5),
                 layout="constrained")
    ax = fig.subplots()
    width = 0.8 / n_cases
    colours = _case_colours(n_cases)
    for i, case in enumerate(table.columns):
        ax.bar(np.arange(len(table)) + (i - (n_cases - 1) / 2) * width, table[case] / scale,
               width=width, label=case, color=colours[i])
    ax.set_xticks(range(len(table)), [enterprise_label(scenario, e, lang) for e in table.index])
    ax.axhline(0, color="black", lw=0.8)
    ax.yaxis.set_major_formatter(Grouped())
    ax.grid(axis="y", alpha=0.3)
    ax.set_ylabel(label("fig_savings_axis", lang).format(unit=unit))
    ax.set_xlabel(label("enterprise", lang))
    ax.set_title(label("fig_savings_title", lang).format(baseline=baseline))
    fig.legend(*ax.get_legend_handles_labels(), title=label("case", lang), fontsize=8,
               loc="outside right upper")
    return fig


FIGURE_SETS = ("all", "summary", "none")
"""Which figures a run draws (`write_figures`)."""


def summary_dispatch_cases(scenario: Scenario, results: dict[str, CaseResult]) -> list[str]:
    """The two cases whose dispatch weeks the summary draws: the one that saves the park the
    most (`energysim.report.findings_savings.best_case`), and its reference
    (`Scenario.reference_case`; the baseline where the reference did not run, as in the
    decomposition), in that order; one where only one ran."""
    best = best_case(scenario, results)
    if best is None:
        return list(results)[:1]
    reference = scenario.reference_case(best, results)
    return [best, *([reference] if reference in results else [])]


def write_figures(scenario: Scenario, results: dict[str, CaseResult], savings: pd.DataFrame,
                  decomposition: pd.DataFrame | None, folder: Path, *,
                  week_start: pd.Timestamp | None = None, lang: str = "en",
                  which: str = "all", cashflows: pd.DataFrame | None = None,
                  park: pd.DataFrame | None = None) -> list[Path]:
    """Write the figures of the run as PNG into ``folder`` (created if needed): ``all``, or
    the ``summary`` (savings, waterfalls, monthly peaks, tariff heatmaps, the cumulative
    discounted cash flows of the assets, and the dispatch weeks of two cases,
    `summary_dispatch_cases`; no load-duration curves).

    Parameters
    ----------
    savings : pandas.DataFrame
        `energysim.analysis.savings.compare` (may be empty where the baseline did not run).
    decomposition : pandas.DataFrame or None
        `energysim.analysis.decomposition.decompose`; None where the baseline did not run.
    cashflows : pandas.DataFrame, optional
        `energysim.analysis.economics.economics_tables`' cash flows: ``economics.png``
        where it has rows.
    park : pandas.DataFrame, optional
        `energysim.analysis.park.park_table`: ``park.png`` where it has rows
        (`energysim.report.figures_park`).
    week_start : pandas.Timestamp, optional
        First day of the dispatch week; by default a Monday in the middle of the horizon, and
        for a case with VPP events the week of the first event.
    lang : str
        ``en`` or ``zh``; Chinese falls back to English where no CJK font is installed.

    Returns
    -------
    list of Path
        The files written, dispatch figures first.
    """
    lang = figure_lang(check_lang(lang))
    if which not in FIGURE_SETS[:2]:
        raise ValueError(f"which must be all or summary, got {which!r}")
    folder.mkdir(parents=True, exist_ok=True)
    baseline = scenario.baseline_case
    has_baseline = baseline in results
    start = check_week(scenario.index, week_start) if week_start is not None \
        else default_week(scenario.index)
    written = []
    dispatched = list(results) if which == "all" else summary_dispatch_cases(scenario, results)
    with font_context(lang):
        for case in dispatched:
            result = results[case]
            week = (event_week(scenario, result) if week_start is None else None) or start
            for e in scenario.enterprises:
                title = label("fig_dispatch_title", lang).format(
                    enterprise=enterprise_label(scenario, e, lang), case=case,
                    start=f"{week:%Y-%m-%d}")
                fig = plot_dispatch(result.timeseries, e, week, title, lang=lang)
                written.append(save_figure(fig, folder / f"dispatch_{case}_{e}.png", lang, DPI))
        others = [c for c in results if c != baseline]
        if has_baseline and others and len(savings):
            written.append(save_figure(plot_savings(scenario, savings, lang),
                                       folder / "savings.png", lang, DPI))
        if decomposition is not None and len(decomposition):
            for case in others:
                written.append(save_figure(plot_waterfall(scenario, decomposition, case, lang),
                                           folder / f"waterfall_{case}.png", lang, DPI))
        written.append(save_figure(plot_monthly_peak(scenario, results, lang),
                                   folder / "monthly_peak_import.png", lang, DPI))
        if has_baseline and which == "all":
            for case in others:
                written.append(save_figure(plot_load_duration(scenario, results, case, lang),
                                           folder / f"load_duration_{case}.png", lang, DPI))
        if cashflows is not None and len(cashflows):
            written.append(save_figure(plot_cumulative(scenario, cashflows, lang),
                                       folder / "economics.png", lang, DPI))
        if park is not None and len(park):
            written.append(save_figure(plot_park(park, results, lang), folder / "park.png",
                                       lang, DPI))
        for key in tariffs_used(scenario, results):
            written.append(save_figure(plot_band_heatmap(scenario.tariffs[key], key, lang),
                                       folder / f"tariff_{key}.png", lang, DPI))
    return written


def tariffs_used(scenario: Scenario, cases) -> list[str]:
    """Keys of the tariffs the enterprises pay under ``cases``, in order of first use."""
    keys = [scenario.case(c).tariff or scenario.enterprises[e].tariff
            for c in cases for e in scenario.enterprises]
    return list(dict.fromkeys(keys))


def _case_colours(n: int) -> list:
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]
