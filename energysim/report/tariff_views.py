"""Tariffs shown to people: a text grid of bands and a month × time-of-day heatmap."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from energysim.report.fonts import drawable, figure_lang, font_kwargs
from energysim.report.labels import label as word
from energysim.tariffs.tariff import BANDS, Tariff

BAND_LETTERS = {"critical_peak": "C", "peak": "P", "flat": "F", "valley": "V", "deep_valley": "D"}
BAND_COLOURS = {"critical_peak": "#8b0000", "peak": "#e4572e", "flat": "#f3d34a",
                "valley": "#76b041", "deep_valley": "#17607d"}


def band_text(tariff: Tariff) -> str:
    """The band grid of each day type the tariff distinguishes, one letter a step."""
    groups = tariff.day_groups()
    lines = [f"{tariff.name}  ({tariff.document})",
             "  ".join(f"{letter}={band}" for band, letter in BAND_LETTERS.items())]
    for group in groups:
        grid = tariff.band_grid(group[0])
        width = len(grid.columns) // 24
        header = [" "] * len(grid.columns)
        for hour in range(0, 24, 1 if width > 1 else 2):
            header[hour * width: hour * width + 2] = f"{hour:02d}"
        title = _group_title(group, len(groups))
        lines += ["", f"{title}: month × time of day, one letter per {60 // width} min",
                  f"     {''.join(header)}"]
        for month, row in grid.iterrows():
            lines.append(f"  {month:>2} " + "".join(BAND_LETTERS[b] for b in row))
    if tariff.is_spot:
        lines += ["", f"energy price: spot + adder {tariff.energy_price.adder_cny_per_kwh:g} "
                      "CNY/kWh (the bands above are labels only)"]
    else:
        lines += ["", *price_table_lines(tariff)]
    rates = tariff.basic_charge
    capacity, demand = rates.capacity_cny_per_kva_month, rates.demand_cny_per_kw_month
    lines += [f"basic charge: by capacity {'–' if capacity is None else f'{capacity:g}'} "
              f"CNY/(kVA·month), by demand {'–' if demand is None else f'{demand:g}'} CNY/(kW·month)",
              f"export price: {tariff.export_price_cny_per_kwh:g} CNY/kWh"]
    return "\n".join(lines)


def price_table_lines(tariff: Tariff) -> list[str]:
    """The price tables as text: per month (or the one table) the floating base E, the
    adder and the all-in price of each band used, and whether the published prices fit."""
    price = tariff.energy_price
    used = tariff.bands_used
    ratios = price.band_ratios
    lines = []
    if price.ratios is not None:
        lines.append("ratios to the floating base E: " + ", ".join(
            f"{band} {ratios[band]:g}" for band in used if band in ratios))
    if tariff.user_type or tariff.voltage_level or tariff.transmission_distribution:
        network = tariff.transmission_distribution
        level = tariff.level or "-"
        shift_base, shift_adder = tariff.voltage_shift_cny_per_kwh
        lines.append(f"user type: {tariff.user_type or '-'}; voltage level: {level}"
                     + (f" (tables are for {network.tables_at}: E {shift_base:+.4f}, adder "
                        f"{shift_adder:+.4f} CNY/kWh)" if network and level != network.tables_at
                        else ""))
    if tariff.floating_part:
        lines.append(f"floating part: {', '.join(tariff.floating_part)}; the adder does not float")
    header = f"{'table':<9} {'E':>9} {'adder':>9}  " + " ".join(f"{b:>13}" for b in used)
    lines += ["all-in energy price [CNY/kWh] (E: floating base, the floating part of flat)",
              header]
    for month, table in price.tables().items():
        prices = dict(zip(BANDS, tariff.prices_of_table(month), strict=True))
        base = "-" if table.flat_cny_per_kwh is None else f"{table.flat_cny_per_kwh:.6f}"
        label = month or "all"
        if month is not None and month == price.default_month:
            label += "*"
        lines.append(f"{label:<9} {base:>9} {table.adder_cny_per_kwh:>9.6f}  "
                     + " ".join(f"{prices[b]:>13.6f}" for b in used))
        if table.published_cny_per_kwh:
            lines.append(f"{'published':<9} {'':>9} {'':>9}  " + " ".join(
                f"{table.published_cny_per_kwh[b]:>13.6f}" if b in table.published_cny_per_kwh
                else f"{'-':>13}" for b in used))
    if price.default_month is not None:
        lines.append("* default: prices every month without a table of its own")
    misfits = tariff.published_misfits()
    if any(t.published_cny_per_kwh for t in price.tables().values()):
        lines.append("published prices reproduced to 1e-6" if not misfits
                     else "published prices NOT reproduced: " + "; ".join(misfits))
    return lines


def plot_band_heatmap(tariff: Tariff, label: str = "", lang: str = "en") -> Figure:
    """Bands by month and time of day (one panel per day type where they differ).

    ``label`` (e.g. the library name) titles the figure where no installed font can draw
    the tariff's Chinese name. ``lang`` (``en`` or ``zh``) is the language of the axes and
    legend; Chinese falls back to English where no CJK font is installed.
    """
    lang = figure_lang(lang)
    groups = tariff.day_groups()
    fig = Figure(figsize=(11, 1.2 + 3.2 * len(groups)), layout="constrained")
    axes = np.atleast_1d(fig.subplots(len(groups), 1, squeeze=False)[:, 0])
    cmap = ListedColormap([BAND_COLOURS[b] for b in BANDS])
    for ax, group in zip(axes, groups, strict=True):
        grid = tariff.band_grid(group[0], 15)
        codes = np.vectorize(BANDS.index)(grid.to_numpy())
        ax.imshow(codes, aspect="auto", cmap=cmap, vmin=-0.5, vmax=len(BANDS) - 0.5,
                  extent=(0, 24, 12.5, 0.5), interpolation="nearest")
        ax.set_xticks(range(0, 25, 2))
        ax.set_yticks(range(1, 13))
        ax.set_ylabel(word("month", lang))
        ax.set_title(_group_title(group, len(groups), lang), fontsize=9)
    axes[-1].set_xlabel(word("fig_time_of_day", lang))
    title = f"{tariff.name} ({tariff.document})" if tariff.document else tariff.name
    fig.suptitle(drawable(title, label or tariff.region or "tariff"), **font_kwargs(title))
    prices = dict(zip(BANDS, tariff.price_by_band, strict=True))
    handles = [Patch(color=BAND_COLOURS[b], label=word(b, lang) if tariff.is_spot
                     else word("fig_band_price", lang).format(band=word(b, lang),
                                                               price=f"{prices[b]:.3f}"))
               for b in BANDS if b in tariff.bands_used]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=8)
    return fig


def _group_title(group: list[str], n_groups: int, lang: str = "en") -> str:
    if n_groups == 1:
        return word("every_day", lang)
    days = word("list_separator", lang).join(word(name, lang) for name in group)
    return word("fig_on_days", lang).format(days=days)
