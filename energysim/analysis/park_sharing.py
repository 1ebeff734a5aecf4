"""Sharing the park's saving among its members (`energysim.park_spec.SharingSpec`).

A coalition S of members behind the connection saves, against its members alone (each on its
own meter with its own assets, billed B_i by its own tariff),

    v(S) = Σ_{i∈S} B_i − (C(S) + K),   v(∅) = 0

with C(S) what the connection's model costs for S's net draw (its bill and the park's assets'
operating costs) and K the park's assets' capital cost over the horizon (annualised,
`energysim.economics.lifecycle`). The park's saving v(N) is allocated by the rule:

    energy    x_i = v(N) · E_i / Σ_j E_j,     E_i the energy i draws
    peak      x_i = v(N) · Q_i / Σ_j Q_j,     Q_i = Σ_months i's draw at the step of the
                                                   connection's monthly peak (at least 0)
    shapley   x_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)),  exact up to
              `energysim.park_spec.SHAPLEY_EXACT_MAX` members; above, the mean of i's marginal
              contribution over ``samples`` random orders, with its standard error

A member is better off in the park (individually rational) where x_i ≥ max(v({i}), 0): at
least what it would save behind the connection alone, and no loss against its own meter
(where it saves 0); the table flags any that is not.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from energysim.assets import PARK
from energysim.park_spec import SHAPLEY_EXACT_MAX, SharingSpec

ALLOCATION_COLUMNS = ["case", "member", "rule", "alone_cny", "standalone_value_cny",
                      "allocated_cny", "allocated_share", "shapley_se_cny",
                      "individually_rational"]
"""The allocation table: a row per park case and member."""


def needed(members: Sequence[str], sharing: SharingSpec) -> list[tuple[str, ...]]:
    """The coalitions whose cost the rule needs: every one for the exact Shapley value, the
    prefixes of the sampled orders above `SHAPLEY_EXACT_MAX` members, the singletons and the
    whole park otherwise (for individual rationality), in the members' order."""
    ids = list(members)
    if sharing.rule != "shapley":
        chosen = {(i,) for i in ids} | {tuple(ids)}
    elif len(ids) <= SHAPLEY_EXACT_MAX:
        chosen = {c for k in range(1, len(ids) + 1) for c in itertools.combinations(ids, k)}
    else:
        chosen = {(i,) for i in ids} | {tuple(ids)}
        for order in _orders(ids, sharing):
            chosen |= {tuple(sorted(order[:k], key=ids.index)) for k in range(1, len(ids))}
    return sorted(chosen, key=lambda c: (len(c), [ids.index(i) for i in c]))


def _orders(ids: list[str], sharing: SharingSpec) -> list[list[str]]:
    rng = np.random.default_rng(sharing.seed)
    return [[ids[k] for k in rng.permutation(len(ids))] for _ in range(sharing.samples)]


def shapley(members: Sequence[str], value: Callable[[frozenset], float],
            sharing: SharingSpec | None = None) -> tuple[dict[str, float], dict[str, float]]:
    """Each member's Shapley value of the game ``value`` (a coalition → its value, 0 for
    the empty one) and its standard error (0 where exact): exact up to
    `SHAPLEY_EXACT_MAX` members, else sampled over ``sharing``'s orders."""
    ids = list(members)
    n = len(ids)
    sharing = sharing or SharingSpec()
    if n <= SHAPLEY_EXACT_MAX:
        phi = {}
        for i in ids:
            others = [j for j in ids if j != i]
            phi[i] = sum(math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
                         * (value(frozenset(s) | {i}) - value(frozenset(s)))
                         for k in range(n) for s in itertools.combinations(others, k))
        return phi, dict.fromkeys(ids, 0.0)
    gains: dict[str, list[float]] = {i: [] for i in ids}
    for order in _orders(ids, sharing):
        before: frozenset = frozenset()
        for i in order:
            gains[i].append(value(before | {i}) - value(before))
            before = before | {i}
    return ({i: float(np.mean(g)) for i, g in gains.items()},
            {i: float(np.std(g, ddof=1) / np.sqrt(len(g))) for i, g in gains.items()})


def allocation_table(scenario, results) -> pd.DataFrame:
    """`ALLOCATION_COLUMNS` for every park case of ``results`` (see the module docstring)."""
    rows = []
    for case, result in results.items():
        coalitions = result.park_coalitions
        if coalitions is None:
            continue
        park = scenario.spec.park
        ids = list(park.members)
        saved = {frozenset(c.split("+")): a - k - m for c, a, k, m in zip(
            coalitions["coalition"], coalitions["alone_cny"], coalitions["connection_cny"],
            coalitions["assets_cny"], strict=True)}

        def value(coalition: frozenset, saved=saved) -> float:
            return saved[coalition] if coalition else 0.0

        whole = value(frozenset(ids))
        se = dict.fromkeys(ids, float("nan"))
        if park.sharing.rule == "shapley":
            allocated, se = shapley(ids, value, park.sharing)
        else:
            weight = _weights(result, ids, park.sharing.rule, scenario.dt_h)
            total = sum(weight.values())
            allocated = {i: whole * (weight[i] / total if total else 1 / len(ids)) for i in ids}
        alone = coalitions.set_index("coalition")["alone_cny"]
        for i in ids:
            alone_i = float(alone.get(i, np.nan))
            standalone = value(frozenset([i]))
            rows.append((case, i, park.sharing.rule, alone_i, standalone, allocated[i],
                         allocated[i] / whole if whole else np.nan, se[i],
                         bool(allocated[i] >= max(standalone, 0.0)
                              - 1e-6 * max(1.0, abs(alone_i)))))
    return pd.DataFrame(rows, columns=ALLOCATION_COLUMNS)


def _weights(result, ids: list[str], rule: str, dt_h: float) -> dict[str, float]:
    """E_i (``energy``) or Q_i (``peak``) of the module docstring."""
    ts = result.timeseries
    if rule == "energy":
        return {i: float(ts[f"{i}/grid_import_kw"].sum()) * dt_h for i in ids}
    draw = {i: (ts[f"{i}/grid_import_kw"] - ts[f"{i}/grid_export_kw"]) for i in ids}
    imports = ts[f"{PARK}/grid_import_kw"]
    months = imports.groupby(ts.index.strftime("%Y-%m"))
    peaks = months.idxmax()[months.max() > 0]  # a month the connection draws nothing: no peak
    return {i: float(np.maximum(draw[i].loc[list(peaks)], 0.0).sum()) for i in ids}
