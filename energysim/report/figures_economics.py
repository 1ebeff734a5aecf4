"""The figure of the investment economics: each enterprise's (and direct-supply plant's, and
the park platform company's) cumulative discounted cash flow of its assets, a line per case
(so per tariff), from the investment year to the end of the analysis; where a line crosses
zero the assets have paid back, discounted.

`cumulative_table` returns exactly what is drawn: Σ_{k≤y} CF_k / (1 + r)^k by case,
enterprise and year (`energysim.analysis.economics`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from energysim.assets import PARK
from energysim.economics.finance import discount_factors
from energysim.report.figures_costs import Grouped, enterprise_label, money_unit
from energysim.report.fonts import figure_lang
from energysim.report.labels import label
from energysim.scenario import Scenario


def cumulative_table(cashflows: pd.DataFrame, rate: float) -> pd.DataFrame:
    """``case, enterprise, year, cumulative_cny``: the discounted cash flows summed up to
    each year. [CNY]"""
    yearly = cashflows.groupby(["case", "enterprise", "year"], sort=False)["cashflow_cny"].sum()
    frame = yearly.reset_index()
    years = frame["year"].to_numpy()
    frame["discounted"] = frame["cashflow_cny"] * discount_factors(rate, int(years.max()))[years]
    frame["cumulative_cny"] = frame.groupby(["case", "enterprise"], sort=False)[
        "discounted"].cumsum()
    return frame[["case", "enterprise", "year", "cumulative_cny"]]


def plot_cumulative(scenario: Scenario, cashflows: pd.DataFrame, lang: str = "en") -> Figure:
    """A panel per enterprise, a line per case (`cumulative_table` at the scenario's
    discount rate)."""
    lang = figure_lang(lang)
    rate = scenario.spec.economics.finance_spec().discount_rate
    table = cumulative_table(cashflows, rate)
    enterprises = [e for e in [*scenario.enterprises, *scenario.green_projects, PARK]
                   if e in set(table["enterprise"])]
    cases = list(dict.fromkeys(table["case"]))
    scale, unit = money_unit(table["cumulative_cny"].to_numpy(), lang)
    columns = min(2, len(enterprises))
    rows = int(np.ceil(len(enterprises) / columns))
    fig = Figure(figsize=(6.5 * columns, 3.8 * rows + 1.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, columns, squeeze=False)).ravel()
    cmap = colormaps["tab10" if len(cases) <= 10 else "tab20"]
    for ax, e in zip(axes, enterprises, strict=False):
        for i, case in enumerate(cases):
            line = table[(table["case"] == case) & (table["enterprise"] == e)]
            if len(line):
                ax.plot(line["year"], line["cumulative_cny"] / scale, marker=".", lw=1.4,
                        color=cmap(i % cmap.N), label=case)
        ax.axhline(0, color="black", lw=0.8)
        ax.yaxis.set_major_formatter(Grouped())
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
        ax.set_title(enterprise_label(scenario, e, lang))
        ax.set_xlabel(label("year", lang))
        ax.set_ylabel(label("fig_cumulative_axis", lang).format(unit=unit))
    for ax in axes[len(enterprises):]:
        ax.set_visible(False)
    fig.suptitle(label("fig_cumulative_title", lang).format(rate=f"{rate * 100:g}"))
    legend = {}
    for ax in axes[:len(enterprises)]:
        for handle, name in zip(*ax.get_legend_handles_labels(), strict=True):
            legend.setdefault(name, handle)
    fig.legend(list(legend.values()), list(legend), title=label("case", lang), fontsize=8,
               loc="outside lower center", ncols=min(3, max(1, len(legend))))
    return fig
