"""Solved values of a model as arrays, for the components' output columns.

A component's module gives its columns with ``timeseries(m, meters, n)``
(`energysim.components`, `energysim.model.extract`): arrays [len(meters), n], one row per
meter in the order given. These helpers read a (key, T) Var or Param into such rows:
`matrix` row by row where the keys are the meters, `meter_sums` summed over the assets
behind each meter (``PV_AT[e]``, ``STORAGES_AT[e]``, ...).
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo


def matrix(component, rows: list, n: int) -> np.ndarray:
    """Values of a (key, T) Var or Param as an array [len(rows), n]: row i holds key
    ``rows[i]``; zeros where the key, or the component, is absent."""
    out = np.zeros((len(rows), n))
    if component is None:
        return out
    present = list(next(iter(component.index_set().subsets())))
    if component.ctype is pyo.Var:
        raw = [v.value for v in component.values()]
    else:
        raw = [pyo.value(v) for v in component.values()]
    block = np.nan_to_num(np.array(raw, dtype=float)).reshape(len(present), n)  # None → 0
    position = {key: i for i, key in enumerate(rows)}
    for i, key in enumerate(present):
        if key in position:
            out[position[key]] = block[i]
    return out


def meter_sums(m: pyo.ConcreteModel, name: str, at: str, meters: list, n: int) -> np.ndarray:
    """Σ over the assets behind each meter (the indexed Set ``at``) of the (asset, T)
    component ``name``, as an array [len(meters), n]; zeros where the model has none."""
    component, members = m.component(name), m.component(at)
    out = np.zeros((len(meters), n))
    if component is None or members is None:
        return out
    assets = list(next(iter(component.index_set().subsets())))
    block = matrix(component, assets, n)
    row = {a: i for i, a in enumerate(assets)}
    for i, e in enumerate(meters):
        rows = [row[a] for a in members[e]]
        if rows:  # one asset's values as they are (a sum would turn −0 into 0)
            out[i] = block[rows[0]] if len(rows) == 1 else block[rows].sum(axis=0)
    return out
