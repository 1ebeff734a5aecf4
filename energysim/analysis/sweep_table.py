"""A sweep's records as one tidy table, and a heatmap of the park's savings over two of its axes.

One row per (point, case, enterprise) — or one row per (point, case) that failed — with
the point's overrides as columns (named by their paths; lists and mappings as JSON text),
``cost_<component>_cny`` columns, ``total_cost_cny``, the baseline case's cost of the same
point and enterprise, ``savings_cny = baseline_cost_cny − total_cost_cny`` and
``savings_pct``, the key indicators, ``case_optimality`` and ``case_bound_cny`` (``exact``, or
how much the case's total may exceed the least possible), ``status``, ``error`` and ``key``.

The heatmap (`plot_savings_heatmap`) draws money as the run's figures do, in CNY or in 10k
CNY (`money_scale`), with their axis label, and fits its wrapped title and labels in the
figure; a case with no point where it and its baseline both ran has none (`heatmap_gap`).
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from energysim.files import write_atomically

LEAD = ["point", "case", "enterprise"]
TAIL = ["status", "error", "seconds", "resolved", "key"]


def sweep_table(records: list[dict[str, Any]], baseline: str) -> pd.DataFrame:
    """The tidy table of ``records`` (see the module docstring), in point and case order."""
    axes = list(dict.fromkeys(k for r in records for k in r["overrides"]))
    rows = []
    for record in records:
        shared = {"point": record["point"], "case": record["case"],
                  **{axis: _cell(record["overrides"].get(axis)) for axis in axes},
                  **{k: record.get(k) for k in TAIL}}
        if record["status"] != "ok" or not record["rows"]:
            rows.append({**shared, "enterprise": None})
        rows += [{**shared, **row} for row in record["rows"]]
    table = pd.DataFrame(rows)
    for column in ("point", "case", "enterprise", "total_cost_cny", *TAIL):
        if column not in table:
            table[column] = pd.Series(dtype=float if column == "total_cost_cny" else object)
    for axis in axes:
        table[axis] = _typed(table[axis])
    base = table.loc[(table["case"] == baseline) & (table["status"] == "ok"),
                     ["point", "enterprise", "total_cost_cny"]]
    table = table.merge(base.rename(columns={"total_cost_cny": "baseline_cost_cny"}),
                        on=["point", "enterprise"], how="left")
    table["savings_cny"] = table["baseline_cost_cny"] - table["total_cost_cny"]
    table["savings_pct"] = 100.0 * table["savings_cny"] / table["baseline_cost_cny"]
    middle = [c for c in table.columns if c not in LEAD + axes + TAIL]
    first = [c for c in ("total_cost_cny", "baseline_cost_cny", "savings_cny", "savings_pct")
             if c in middle]
    order = LEAD + axes + first + [c for c in middle if c not in first] + TAIL
    return table[order].sort_values(["point", "case"], kind="stable").reset_index(drop=True)


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value


def _typed(column: pd.Series) -> pd.Series:
    """Numbers stay numbers; a column of mixed values becomes text (parquet needs one type)."""
    numeric = pd.to_numeric(column, errors="coerce")
    if numeric.notna().sum() == column.notna().sum():
        return numeric
    return column.map(lambda v: None if v is None or v != v else str(v))


def write_table(table: pd.DataFrame, folder: str | Path) -> list[Path]:
    """``sweep.parquet`` and ``sweep.csv``, each written to a temporary name and renamed."""
    folder = Path(folder)
    return [write_atomically(folder / "sweep.parquet", lambda p: table.to_parquet(p, index=False)),
            write_atomically(folder / "sweep.csv",
                             lambda p: table.to_csv(p, index=False, float_format="%.6g"))]


def heatmap_grid(table: pd.DataFrame, case: str, x: str, y: str) -> tuple[pd.DataFrame, int]:
    """The park's savings under ``case`` over axes ``x`` (columns) and ``y`` (rows), the mean
    over the points of each cell (points differing in other axes), and how many points the
    fullest cell has. A point's park savings are the sum over its enterprises, NaN where the
    case or its baseline failed there; a cell is NaN where all its points are. [CNY]"""
    rows = table[(table["case"] == case) & (table["status"] == "ok")]
    park = rows.groupby(["point", x, y], dropna=False)["savings_cny"].agg(
        lambda s: s.sum(skipna=False)).reset_index()
    cells = park.groupby([y, x])["savings_cny"]
    return cells.mean().unstack(x), int(cells.size().max()) if len(park) else 0


def heatmap_gap(table: pd.DataFrame, case: str, baseline: str, x: str, y: str) -> str | None:
    """Why `plot_savings_heatmap` has nothing to draw for ``case`` (None: it has)."""
    grid, _ = heatmap_grid(table, case, x, y)
    if np.isfinite(grid.to_numpy(dtype=float)).any():
        return None
    points = table.loc[table["case"] == case, ["point", "status"]].drop_duplicates()
    ran = int((points["status"] == "ok").sum())
    if not ran:
        return f"no heatmap: case {case!r} failed at all {len(points)} points (see failures)"
    return (f"no heatmap: case {case!r} ran at {ran} of {len(points)} points, but the baseline "
            f"{baseline!r} at none of them (see failures)")


MONEY_IN_10K_CNY = 1e5
"""Amounts of money are drawn in 10k CNY where the largest reaches this, else in CNY: the
rule of the run's figures (`energysim.report.figures_costs.money_unit`, which this layer
may not import; tests check that the two agree)."""
TITLE_CHARS_PER_INCH = 12
"""Characters of a 10-point title that fit in an inch of the figure, to wrap it."""


def money_scale(values_cny) -> tuple[float, str]:
    """Divisor and unit of ``values_cny`` in a figure: ``(1e4, "10k CNY")`` where the
    largest magnitude reaches `MONEY_IN_10K_CNY`, else ``(1.0, "CNY")``."""
    values = np.abs(np.asarray(values_cny, dtype=float))
    big = np.nanmax(values) if np.isfinite(values).any() else 0.0
    return (1e4, "10k CNY") if big >= MONEY_IN_10K_CNY else (1.0, "CNY")


def plot_savings_heatmap(table: pd.DataFrame, case: str, x: str, y: str, *,
                         baseline: str | None = None) -> Figure:
    """The park's savings under ``case`` over axes ``x`` and ``y`` (`heatmap_grid`), each cell
    labelled, in CNY or 10k CNY as the run's figures are (`money_scale`); green saves.

    Raises
    ------
    ValueError
        No cell has savings to draw (`heatmap_gap` says why).
    """
    grid, per_cell = heatmap_grid(table, case, x, y)
    values = grid.to_numpy(dtype=float)
    if not np.isfinite(values).any():
        raise ValueError(heatmap_gap(table, case, baseline or "baseline", x, y))
    scale, unit = money_scale(values)
    shown = values / scale
    top = float(np.nanmax(np.abs(shown))) or 1.0
    xs, ys = [str(v) for v in grid.columns], [str(v) for v in grid.index]
    rotate = max(map(len, xs)) > 6
    width = max(6.4, 3.4 + 1.1 * len(xs) + 0.07 * max(map(len, ys)))
    height = max(3.8, 2.4 + 0.55 * len(ys) + (0.05 * max(map(len, xs)) if rotate else 0))
    fig = Figure(figsize=(width, height), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(shown, cmap="RdYlGn", aspect="auto", vmin=-top, vmax=top)
    ax.set_xticks(range(len(xs)), xs, rotation=30 if rotate else 0, ha="right" if rotate else "center")
    ax.set_yticks(range(len(ys)), ys)
    for (i, j), value in np.ndenumerate(shown):
        ax.text(j, i, "—" if np.isnan(value) else _amount(value), ha="center", va="center",
                fontsize=8.5, color="white" if abs(value) > 0.75 * top else "black")
    ax.set_xlabel(_wrapped_path(x, int(TITLE_CHARS_PER_INCH * (width - 2.6))))
    ax.set_ylabel(_wrapped_path(y, int(TITLE_CHARS_PER_INCH * (height - 1.6))))
    decimals = 0 if top >= 100 else 1 if top >= 1 else 2
    fig.colorbar(image, ax=ax, label=f"Savings against baseline [{unit}]",
                 format=FuncFormatter(lambda v, _: f"{v:,.{decimals}f}".replace("-", "−")))
    against = f" ‘{baseline}’" if baseline else ""
    title = f"Park savings in case ‘{case}’ against the baseline{against} (positive: pays less)"
    if per_cell > 1:
        title += f"; each cell the mean over up to {per_cell} points of the other axes"
    fig.suptitle(textwrap.fill(title, int(TITLE_CHARS_PER_INCH * width)), fontsize=10)
    return fig


def _amount(value: float) -> str:
    """Thousands separators, one decimal below 1,000, a true minus sign and no "−0"."""
    value = round(value, 1) + 0.0
    return (f"{value:,.1f}" if abs(value) < 1e3 else f"{value:,.0f}").replace("-", "−")


def _wrapped_path(path: str, chars: int) -> str:
    """A grid path broken into lines of at most ``chars`` characters after its dots (a part
    longer than that keeps a line of its own)."""
    lines = [""]
    for part in re.findall(r"[^.]+\.?|\.", path):
        if lines[-1] and len(lines[-1]) + len(part) > chars:
            lines.append("")
        lines[-1] += part
    return "\n".join(lines)
