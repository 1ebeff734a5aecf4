"""The VPP's settlement read from a solved model: who is paid what for each event.

The model pays the park for ``vpp_paid_kw[k]`` (`energysim.model.vpp`). Revenue is shared
among members by their delivered contribution, max(0, d[v, k]) / Σ_v max(0, d[v, k]) (the
declared shares where no member delivered); penalties by declared flexibility. The totals
are the model's.
"""

from __future__ import annotations

import pandas as pd
import pyomo.environ as pyo

from energysim.model.vpp import response_kw, shortfall_kw
from energysim.results import VPP_EVENT_COLUMNS


def delivery_shares(m: pyo.ConcreteModel, k) -> dict[str, float]:
    """Each member's share of event k's revenue: its positive response over the park's
    (the declared shares where no member delivered)."""
    response = {v: max(0.0, pyo.value(response_kw(m, v, k))) for v in m.VPP_MEMBERS}
    total = sum(response.values())
    if total <= 0:
        return {v: pyo.value(m.vpp_penalty_share[v]) for v in m.VPP_MEMBERS}
    return {v: r / total for v, r in response.items()}


def revenue_by_delivery(m: pyo.ConcreteModel) -> dict[tuple[str, str], float]:
    """Energy revenue [CNY] (negative: a cost term) per (member, month), shared by delivery."""
    out: dict[tuple[str, str], float] = {}
    for k in m.EVENTS:
        revenue = pyo.value(m.vpp_payment_cny_per_kwh[k] * m.vpp_duration_h[k] * m.vpp_paid_kw[k])
        for v, share in delivery_shares(m, k).items():
            key = (v, m.vpp_event_month[k])
            out[key] = out.get(key, 0.0) - share * revenue
    return out


def vpp_event_table(m: pyo.ConcreteModel) -> pd.DataFrame:
    """One row per event and member, and a ``park`` row per event (`VPP_EVENT_COLUMNS`)."""
    rows = []
    for k in m.EVENTS:
        hours = pyo.value(m.vpp_duration_h[k])
        requested = pyo.value(m.vpp_requested_kw[k]) * hours
        paid = pyo.value(m.vpp_paid_kw[k]) * hours
        penalty = pyo.value(m.vpp_penalty_cny_per_kwh[k] * shortfall_kw(m, k)) * hours
        price = pyo.value(m.vpp_payment_cny_per_kwh[k])
        shares = delivery_shares(m, k)
        members = [(k, v, pyo.value(m.vpp_baseline_kw[v, k]) * hours,
                    pyo.value(response_kw(m, v, k)) * hours, shares[v] * paid, requested,
                    price * shares[v] * paid, pyo.value(m.vpp_penalty_share[v]) * penalty)
                   for v in m.VPP_MEMBERS]
        park = [sum(row[i] for row in members) for i in range(2, 8)]
        park[3] = requested
        rows += [*members, (k, "park", *park)]
    return pd.DataFrame(rows, columns=VPP_EVENT_COLUMNS)
