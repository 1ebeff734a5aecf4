"""First figures: a week of dispatch per enterprise and case, and savings per enterprise.

Figures are built on `matplotlib.figure.Figure` directly (no pyplot state, no GUI
backend), so they can be made in any process.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

SUPPLY_COLOURS = {"grid_import_kw": "#7f7f7f", "pv_kw": "#f2b701", "storage_discharge_kw": "#3a7dc9",
                  "green_direct_kw": "#2ca02c"}
SUPPLY_LABELS = ["grid import", "PV delivered", "storage discharge", "green direct line"]


def default_week(index: pd.DatetimeIndex) -> pd.Timestamp:
    """The first Monday on or after the middle of ``index`` that leaves a week to show."""
    middle = index[len(index) // 2].normalize()
    monday = middle + pd.Timedelta(days=(7 - middle.day_of_week) % 7)
    latest = index[-1].normalize() - pd.Timedelta(days=6)
    return max(min(monday, latest), index[0].normalize())


def plot_dispatch(timeseries: pd.DataFrame, enterprise: str, start: pd.Timestamp,
                  title: str, days: int = 7) -> Figure:
    """Supply stacked against load, price and state of charge, for ``days`` from ``start``."""
    week = timeseries.loc[start: start + pd.Timedelta(days=days) - pd.Timedelta(minutes=1)]
    col = {q: week[f"{enterprise}/{q}"] for q in
           ("load_kw", "grid_import_kw", "grid_export_kw", "pv_kw", "storage_charge_kw",
            "storage_discharge_kw", "storage_soc_kwh", "price_cny_per_kwh", "green_direct_kw")}
    fig = Figure(figsize=(11, 6), layout="constrained")
    power, soc = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    power.stackplot(week.index, *(col[q] for q in SUPPLY_COLOURS),
                    labels=SUPPLY_LABELS,
                    colors=list(SUPPLY_COLOURS.values()), step="post", alpha=0.85)
    demand = col["load_kw"] + col["storage_charge_kw"] + col["grid_export_kw"]
    power.step(week.index, col["load_kw"], where="post", color="black", lw=1.2, label="load")
    power.step(week.index, demand, where="post", color="crimson", lw=0.8, ls="--",
               label="load + charge + export")
    power.set_ylabel("power [kW]")
    power.set_title(title)
    price = power.twinx()
    price.step(week.index, col["price_cny_per_kwh"], where="post", color="green", lw=0.8)
    price.set_ylabel("energy price [CNY/kWh]", color="green")
    handles, labels = power.get_legend_handles_labels()
    power.legend(handles, labels, loc="upper left", fontsize=8, ncols=5)
    soc.step(week.index, col["storage_soc_kwh"], where="post", color="#3a7dc9")
    soc.set_ylabel("state of charge [kWh]")
    soc.set_xlabel("local time (UTC+8)")
    return fig


def plot_savings(savings: pd.DataFrame, baseline: str) -> Figure:
    """Savings per enterprise against ``baseline``, one group of bars per enterprise."""
    table = savings[savings["case"] != baseline].pivot(
        index="enterprise", columns="case", values="savings_cny") / 1e4
    table = table.reindex(savings["enterprise"].drop_duplicates())
    fig = Figure(figsize=(10, 5), layout="constrained")
    ax = fig.subplots()
    table.plot.bar(ax=ax, rot=0, width=0.8)
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("savings against baseline [10k CNY]")
    ax.set_xlabel("enterprise")
    ax.set_title(f"Savings per enterprise against '{baseline}' (positive: pays less)")
    ax.legend(title="case", fontsize=8)
    return fig


def write_figures(results: dict, savings: pd.DataFrame, baseline: str, folder: Path,
                  week_start: pd.Timestamp | None = None) -> list[Path]:
    """Write the dispatch and savings figures as PNG into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case, result in results.items():
        start = week_start if week_start is not None else default_week(result.timeseries.index)
        for enterprise in result.cost_by_enterprise().index:
            fig = plot_dispatch(result.timeseries, enterprise, start,
                                f"{enterprise} - case '{case}' - week of {start:%Y-%m-%d}")
            path = folder / f"dispatch_{case}_{enterprise}.png"
            fig.savefig(path, dpi=90)
            written.append(path)
    if len(results) > 1:
        path = folder / "savings.png"
        plot_savings(savings, baseline).savefig(path, dpi=100)
        written.append(path)
    return written
