"""Figures of costs and peaks: the waterfall from the baseline's cost to a case's (tariff
effect, response effect), the park's peak import per month, and grid-import duration
curves before and after; with the helpers the figure modules share.

Each figure has a data function (`waterfall_table`, `monthly_peak_table`,
`load_duration_table`) that returns exactly what is drawn, so tests can check the numbers.
Labels come from `energysim.report.labels` in ``lang`` (already resolved by
`energysim.report.fonts.figure_lang`: ``zh`` only where a CJK font is installed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter

from energysim.report.fonts import figure_lang
from energysim.report.labels import label
from energysim.results import CaseResult
from energysim.scenario import Scenario

WATERFALL_STEPS = ("reference_cost_cny", "tariff_effect_cny", "response_effect_cny", "cost_cny")
STEP_LABELS = ("fig_baseline_cost", "fig_tariff_effect", "fig_response_effect", "fig_case_cost")
RAISES, LOWERS, LEVEL, CASE = "#d62728", "#2ca02c", "#8c8c8c", "#1f6fb4"
DURATION_POINTS = 1000


class Grouped(Formatter):
    """Tick labels with thousands separators and as many decimals as the tick step needs."""

    decimals = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        locs = np.asarray(locs, dtype=float)
        self.decimals = next((d for d in range(3) if np.allclose(locs * 10**d, np.round(locs * 10**d),
                                                                  rtol=0, atol=1e-6)), 3)

    def __call__(self, x, pos=None) -> str:
        return f"{x:,.{self.decimals}f}".replace("-", "−")


def _grouped(x: float) -> str:
    """``x`` with thousands separators, one decimal below 1,000."""
    return f"{x:,.1f}" if abs(x) < 1e3 else f"{x:,.0f}"


def money_unit(values_cny, lang: str) -> tuple[float, str]:
    """Divisor and unit for amounts of money: 万元 (10k CNY) where the largest reaches
    100,000 CNY, else CNY."""
    values = np.abs(np.asarray(values_cny, dtype=float))
    big = np.nanmax(values) if values.size and np.isfinite(values).any() else 0.0
    return (1e4, label("fig_unit_10k_cny", lang)) if big >= 1e5 else (1.0, label("unit_cny", lang))


def enterprise_label(scenario: Scenario, enterprise: str, lang: str) -> str:
    """The display name in Chinese figures (an enterprise's or a direct-supply plant's), the
    id in English ones."""
    if lang != "zh":
        return enterprise
    named = scenario.enterprises.get(enterprise) or scenario.green_projects.get(enterprise)
    return named.name or enterprise if named is not None else label("platform", lang)


def park_and_enterprises(n: int) -> tuple[Figure, object, list]:
    """A figure with a large park panel on the left and ``n`` small enterprise panels in
    two columns on the right (fixed margins: constrained layout costs half the drawing
    time of such a figure)."""
    rows = max(math.ceil(n / 2), 1)
    height = max(5.5, 2.3 * rows + 1.3)
    fig = Figure(figsize=(13, height))
    fig.subplots_adjust(left=0.07, right=0.985, top=1 - 0.7 / height, bottom=0.7 / height,
                        wspace=0.3, hspace=0.55)
    grid = fig.add_gridspec(rows, 3, width_ratios=[2.3, 1, 1])
    park = fig.add_subplot(grid[:, 0])
    small = [fig.add_subplot(grid[i // 2, 1 + i % 2]) for i in range(n)]
    return fig, park, small


# waterfall ---------------------------------------------------------------------------------

def waterfall_table(decomposition: pd.DataFrame, case: str,
                    enterprise: str | None = None) -> pd.DataFrame:
    """The four bars from the reference's cost to ``case``'s, for ``enterprise`` or the park.

    Returns
    -------
    pandas.DataFrame
        Index `WATERFALL_STEPS`; ``value_cny`` (bar height, signed for the effects) and
        ``bottom_cny`` (where the bar starts). [CNY]
    """
    rows = decomposition[decomposition["case"] == case]
    if enterprise is not None:
        rows = rows[rows["enterprise"] == enterprise]
    if rows.empty:
        raise KeyError(f"no decomposition rows for case {case!r}"
                       + (f" and enterprise {enterprise!r}" if enterprise else "")
                       + f"; cases there: {', '.join(decomposition['case'].unique())}")
    base, tariff, response, cost = (float(rows[s].sum()) for s in WATERFALL_STEPS)
    return pd.DataFrame({"value_cny": [base, tariff, response, cost],
                         "bottom_cny": [0.0, base, base + tariff, 0.0]},
                        index=pd.Index(WATERFALL_STEPS, name="step"))


def plot_waterfall(scenario: Scenario, decomposition: pd.DataFrame, case: str,
                   lang: str = "en") -> Figure:
    """Park waterfall (left) and one small waterfall per enterprise (right), in one unit."""
    lang = figure_lang(lang)
    enterprises = list(scenario.enterprises)
    park = waterfall_table(decomposition, case)
    scale, unit = money_unit(park["value_cny"], lang)
    fig, ax, small = park_and_enterprises(len(enterprises))
    _draw_waterfall(ax, park, scale, lang, fontsize=10)
    ax.set_title(label("fig_park_total", lang))
    ax.set_ylabel(label("fig_cost_axis", lang).format(unit=unit))
    for sub, e in zip(small, enterprises, strict=True):
        _draw_waterfall(sub, waterfall_table(decomposition, case, e), scale, lang, fontsize=7)
        sub.set_title(enterprise_label(scenario, e, lang), fontsize=9)
    fig.suptitle(label("fig_waterfall_title", lang).format(baseline=scenario.baseline_case,
                                                          case=case))
    return fig


def _draw_waterfall(ax, table: pd.DataFrame, scale: float, lang: str, fontsize: float) -> None:
    values, bottoms = table["value_cny"].to_numpy() / scale, table["bottom_cny"].to_numpy() / scale
    colours = [LEVEL, *(RAISES if v > 0 else LOWERS for v in values[1:3]), CASE]
    bars = ax.bar(range(4), values, bottom=bottoms, color=colours, width=0.6)
    levels = [values[0], values[0] + values[1], values[3]]
    for i, level in enumerate(levels):
        ax.plot([i + 0.3, i + 0.7], [level, level], color="black", lw=0.7, ls=":")
    shown = np.round(values, 1) + 0.0  # no "−0.0"
    texts = [f"{v:,.1f}" if i in (0, 3) else f"{v:+,.1f}".replace("-", "−")
             for i, v in enumerate(shown)]
    if fontsize >= 9 and values[0]:
        shares = np.round(100 * values[1:3] / values[0], 1) + 0.0
        texts[1:3] = [f"{t}\n({s:+.1f} %)".replace("-", "−")
                      for t, s in zip(texts[1:3], shares, strict=True)]
    ax.bar_label(bars, labels=texts, fontsize=fontsize, padding=2)
    names = [label(k, lang) for k in STEP_LABELS]
    ax.set_xticks(range(4), [n.replace(" ", "\n") for n in names] if fontsize < 9 else names,
                  fontsize=fontsize)
    ax.yaxis.set_major_formatter(Grouped())
    ax.tick_params(axis="y", labelsize=fontsize)
    ends = np.concatenate([bottoms, bottoms + values, [0.0]])
    span = max(ends.max() - ends.min(), 1e-9)
    ax.set_ylim(ends.min() - (0.12 * span if ends.min() < 0 else 0), ends.max() + 0.12 * span)
    ax.axhline(0, color="black", lw=0.8)


# monthly peak ------------------------------------------------------------------------------

def monthly_peak_table(scenario: Scenario, results: dict[str, CaseResult]) -> pd.DataFrame:
    """Park's coincident peak import per billing month: cases × months (``YYYY-MM``). [kW]"""
    rows = {}
    for case, result in results.items():
        ts = result.timeseries
        park = sum(ts[f"{e}/grid_import_kw"].to_numpy() for e in scenario.enterprises)
        rows[case] = pd.Series(park, index=ts.index).groupby(ts.index.strftime("%Y-%m")).max()
    return pd.DataFrame(rows).T.rename_axis(index="case", columns="month")


def plot_monthly_peak(scenario: Scenario, results: dict[str, CaseResult],
                      lang: str = "en") -> Figure:
    """Cases × months, coloured by the park's peak import, each cell with its value and the
    change against the baseline."""
    lang = figure_lang(lang)
    table = monthly_peak_table(scenario, results)
    baseline = scenario.baseline_case
    n_cases, n_months = table.shape
    fig = Figure(figsize=(max(8.0, 1.05 * n_months + 4.0), 0.42 * n_cases + 2.0),
                 layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(table.to_numpy(), aspect="auto", cmap="YlOrRd")
    low, high = np.nanmin(table.to_numpy()), np.nanmax(table.to_numpy())
    for (i, j), kw in np.ndenumerate(table.to_numpy()):
        text = f"{kw:,.0f}"
        if baseline in table.index and table.index[i] != baseline and table.loc[baseline].iloc[j]:
            change = 100 * (kw / table.loc[baseline].iloc[j] - 1)
            text += f" ({change:+.0f} %)".replace("-", "−")
        dark = high > low and (kw - low) / (high - low) > 0.6
        ax.text(j, i, text, ha="center", va="center", fontsize=8.5,
                color="white" if dark else "black")
    ax.set_xticks(range(n_months), table.columns)
    ax.set_yticks(range(n_cases), table.index)
    ax.set_xlabel(label("month", lang))
    ax.set_ylabel(label("case", lang))
    colourbar = fig.colorbar(image, ax=ax, format=Grouped(), shrink=0.9)
    colourbar.set_label(label("peak_import_kw", lang))
    note = label("fig_monthly_peak_note", lang).format(baseline=baseline) \
        if baseline in table.index else ""
    ax.set_title(f"{label('fig_monthly_peak_title', lang)}\n{note}".strip(), fontsize=10)
    return fig


# load duration -----------------------------------------------------------------------------

def load_duration_table(grid_import_kw, dt_h: float,
                        points: int = DURATION_POINTS) -> pd.DataFrame:
    """Grid import sorted from the highest down, sampled at ``points`` evenly spaced ranks
    where there are more steps (the highest and lowest kept).

    Parameters
    ----------
    grid_import_kw : array-like
        Import per step. [kW]
    dt_h : float
        Step length. [h]

    Returns
    -------
    pandas.DataFrame
        ``duration_h`` (hours at or above the power) and ``grid_import_kw``, descending.
    """
    values = np.sort(np.asarray(grid_import_kw, dtype=float))[::-1]
    ranks = np.linspace(0, len(values) - 1, points) if len(values) > points \
        else np.arange(len(values), dtype=float)
    kw = np.interp(ranks, np.arange(len(values)), values)
    return pd.DataFrame({"duration_h": (ranks + 1) * dt_h, "grid_import_kw": kw})


def plot_load_duration(scenario: Scenario, results: dict[str, CaseResult], case: str,
                       lang: str = "en") -> Figure:
    """Duration curves of grid import, baseline against ``case``: the park (left) and each
    enterprise (right)."""
    lang = figure_lang(lang)
    baseline, enterprises = scenario.baseline_case, list(scenario.enterprises)
    fig, ax, small = park_and_enterprises(len(enterprises))
    for name, colour, width in ((baseline, LEVEL, 2.0), (case, CASE, 1.5)):
        park = sum(results[name].timeseries[f"{e}/grid_import_kw"].to_numpy() for e in enterprises)
        curve = load_duration_table(park, scenario.dt_h)
        legend = label("fig_curve_legend", lang).format(
            case=name, peak=f"{park.max():,.0f}", energy=_grouped(park.sum() * scenario.dt_h / 1e3))
        ax.plot(curve["duration_h"], curve["grid_import_kw"], color=colour, lw=width, label=legend)
    ax.set_title(label("fig_park_total", lang))
    ax.set_ylabel(label("fig_grid_import_kw", lang))
    ax.legend(fontsize=9)
    axes = [ax]
    for sub, e in zip(small, enterprises, strict=True):
        for name, colour in ((baseline, LEVEL), (case, CASE)):
            curve = load_duration_table(results[name].timeseries[f"{e}/grid_import_kw"],
                                        scenario.dt_h)
            sub.plot(curve["duration_h"], curve["grid_import_kw"], color=colour, lw=1.2)
        sub.set_title(enterprise_label(scenario, e, lang), fontsize=9)
        sub.tick_params(labelsize=7)
        axes.append(sub)
    for a in axes:
        a.set_xlim(0, len(scenario.index) * scenario.dt_h)
        a.set_ylim(bottom=min(0.0, a.get_ylim()[0]))
        a.xaxis.set_major_formatter(Grouped())
        a.yaxis.set_major_formatter(Grouped())
        a.grid(alpha=0.3)
    ax.set_xlabel(label("fig_duration_h", lang))
    for sub in small[-2:]:
        sub.set_xlabel(label("fig_duration_h", lang), fontsize=7)
    fig.suptitle(label("fig_load_duration_title", lang).format(baseline=baseline, case=case))
    return fig
