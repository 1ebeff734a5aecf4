"""A sweep's records as one tidy table, and a heatmap of savings over two of its axes.

One row per (point, case, enterprise) — or one row per (point, case) that failed — with
the point's overrides as columns (named by their paths; lists and mappings as JSON text),
``cost_<component>_cny`` columns, ``total_cost_cny``, the baseline case's cost of the same
point and enterprise, ``savings_cny = baseline_cost_cny − total_cost_cny`` and
``savings_pct``, the key indicators, ``case_optimality`` and ``case_bound_cny`` (``exact``, or
how much the case's total may exceed the least possible), ``status``, ``error`` and ``key``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

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


def plot_savings_heatmap(table: pd.DataFrame, case: str, x: str, y: str) -> Figure:
    """The park's savings [万元] under ``case`` over axes ``x`` and ``y`` (the mean over any
    other axis), each cell labelled."""
    rows = table[(table["case"] == case) & (table["status"] == "ok")]
    park = rows.groupby(["point", x, y], dropna=False)["savings_cny"].sum().reset_index()
    grid = park.groupby([y, x])["savings_cny"].mean().unstack(x) / 1e4
    fig = Figure(figsize=(1.6 + 1.1 * grid.shape[1], 1.4 + 0.6 * grid.shape[0]),
                 layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(grid.to_numpy(), cmap="RdYlGn", aspect="auto",
                      vmin=-np.nanmax(np.abs(grid.to_numpy())), vmax=np.nanmax(np.abs(grid.to_numpy())))
    ax.set_xticks(range(grid.shape[1]), [str(v) for v in grid.columns], rotation=30, ha="right")
    ax.set_yticks(range(grid.shape[0]), [str(v) for v in grid.index])
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        ax.text(j, i, "—" if np.isnan(value) else f"{value:,.1f}", ha="center", va="center",
                fontsize=8)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"park savings against the baseline, case {case} [10^4 CNY]")
    fig.colorbar(image, ax=ax, label="savings [10^4 CNY]")
    return fig
