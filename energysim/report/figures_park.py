"""The figure of the park microgrid: for each case metered at the park, its net load before
and after the park's own assets (the members' net draw N, and the connection's import −
export, as an average day), and each month's coincident peak at the connection against the
sum of the members' own peaks (`energysim.analysis.park`).

`park_profiles` returns exactly what the left panels draw.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from energysim.assets import PARK
from energysim.report.figures_costs import Grouped
from energysim.report.fonts import figure_lang
from energysim.report.labels import label
from energysim.results import CaseResult


def park_profiles(result: CaseResult) -> pd.DataFrame:
    """``before_kw`` (the members' net draw) and ``after_kw`` (the connection's net import),
    averaged by time of day (``HH:MM``). [kW]"""
    ts = result.timeseries
    frame = pd.DataFrame({"before_kw": ts[f"{PARK}/load_kw"].to_numpy(),
                          "after_kw": (ts[f"{PARK}/grid_import_kw"]
                                       - ts[f"{PARK}/grid_export_kw"]).to_numpy()},
                         index=ts.index.strftime("%H:%M"))
    return frame.groupby(level=0, sort=True).mean()


def plot_park(park: pd.DataFrame, results: dict[str, CaseResult], lang: str = "en") -> Figure:
    """A row per park case of ``park`` (`energysim.analysis.park.park_table`): its average
    day before and after, and its monthly peaks."""
    lang = figure_lang(lang)
    cases = list(dict.fromkeys(park["case"]))
    fig = Figure(figsize=(13, 3.6 * len(cases) + 0.8), layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(cases), 2, squeeze=False))
    for (left, right), case in zip(axes, cases, strict=True):
        profile = park_profiles(results[case])
        x = np.arange(len(profile))
        left.plot(x, profile["before_kw"], lw=1.6, label=label("fig_park_before", lang))
        left.plot(x, profile["after_kw"], lw=1.6, label=label("fig_park_after", lang))
        ticks = x[:: max(1, len(x) // 8)]
        left.set_xticks(ticks, [profile.index[i] for i in ticks])
        left.axhline(0, color="black", lw=0.6)
        left.yaxis.set_major_formatter(Grouped())
        left.set_ylabel(label("fig_park_axis", lang))
        left.set_title(label("fig_park_day", lang).format(case=case))
        left.legend(fontsize=8)
        left.grid(alpha=0.3)
        months = park[park["case"] == case]
        at = np.arange(len(months))
        right.bar(at - 0.2, months["sum_of_member_peaks_kw"], 0.4,
                  label=label("sum_of_member_peaks_kw", lang))
        right.bar(at + 0.2, months["coincident_peak_kw"], 0.4,
                  label=label("coincident_peak_kw", lang))
        right.set_xticks(at, [m[-2:] for m in months["month"]])
        right.yaxis.set_major_formatter(Grouped())
        right.set_ylabel(label("fig_park_axis", lang))
        right.set_title(label("fig_park_peaks", lang).format(case=case))
        right.legend(fontsize=8)
        right.grid(alpha=0.3, axis="y")
    return fig
