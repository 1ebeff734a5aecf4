"""The park's virtual power plant: demand-response events and capacity payments.

Members v of the programme are solved in one model (the request is a park-level
commitment). For each event k with steps S_k (n_k steps, duration D_k [h]) the programme
settles what the park delivered, d[k], as every programme does:

    d[k]    = Σ_v ( baseline_kw[v, k] − (1/n_k) Σ_{t∈S_k} (grid_import_kw − grid_export_kw)[v, t] )
    paid[k] = min(max(d[k], 0), requested_kw[k])
    revenue[k] = payment[k] · D_k · paid[k];  penalty[k] = penalty[k] · D_k · (requested_kw[k] − paid[k])

A park that draws more than its baseline is paid nothing and penalised for the whole request,
never more. paid is not a concave function of the dispatch, so each event has one binary,
``vpp_delivering[k]`` δ (1: the park is paid for a delivery), and

    0 ≤ vpp_paid_kw[k] ≤ requested_kw[k] · δ[k]                                (vpp_request_cap)
    vpp_paid_kw[k] ≤ d[k] + M[k] · (1 − δ[k])                                  (vpp_delivery_limit)

with M[k] = max(0, Σ_v (transformer_kva[v] − baseline_kw[v, k])), the most d can fall below
zero. Minimising the cost (−revenue + penalty) makes paid the settlement above: with δ = 1
paid ≤ min(d, requested) needs d ≥ 0; with δ = 0 paid = 0. These few integers are the only
ones a VPP brings (DESIGN.md: "integers only where a feature truly needs them"): a linear
model either pays negative responses or rewards delivering beyond what is paid.

    cost_vpp_capacity_revenue_cny[v, m] = − capacity_payment · declared_kw[v] · f[m]

The baseline is the mean, over the window, of the programme's baseline days
(`energysim.vpp_baseline`) of the member's load net of the PV it could deliver
(what its meter would show with storage and flexibility idle) — exogenous, so the model
cannot inflate it — unless the event gives one.

Sharing. The objective needs only the park's totals; in the model the revenue and penalty
terms are split by declared flexibility (equally if none is declared). Revenue is then
shared among members by their delivered contribution, max(0, d[v, k]) / Σ_v max(0, d[v, k]),
an accounting rule applied to the solved flows (`energysim.model.vpp_settlement`); totals
are unchanged. Penalties stay shared by declared flexibility. f[m] is the share of month m
inside the horizon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from energysim.demand_side import VPPSpec
from energysim.model.terms import register_cost, series_param
from energysim.model.values import matrix
from energysim.tariffs.bill import month_labels
from energysim.vpp_baseline import EventBaseline, EventWindow


def add_vpp(m: pyo.ConcreteModel, programme: VPPSpec, windows: dict[str, EventWindow],
            baselines: dict[tuple[str, str], EventBaseline], index: pd.DatetimeIndex) -> None:
    """Add the programme's events and payments for its members in ``m.E``."""
    members = [e for e in programme.participants if e in m.E]
    events = [e.name for e in programme.events]
    steps = {k: np.flatnonzero((index >= w.start) & (index < w.end)).tolist()
             for k, w in windows.items()}
    declared = {v: programme.declared_kw.get(v, 0.0) for v in members}
    total = sum(declared.values())
    m.VPP_MEMBERS = pyo.Set(initialize=members, within=m.E, doc="Enterprises in the VPP")
    m.EVENTS = pyo.Set(initialize=events, doc="Demand-response events")
    m.EVENT_STEPS = pyo.Set(m.EVENTS, initialize=steps, doc="Steps of each event")
    spec = {e.name: e for e in programme.events}
    m.vpp_requested_kw = pyo.Param(m.EVENTS, initialize={k: spec[k].requested_kw for k in events})
    m.vpp_payment_cny_per_kwh = pyo.Param(
        m.EVENTS, initialize={k: spec[k].payment_cny_per_kwh for k in events})
    m.vpp_penalty_cny_per_kwh = pyo.Param(
        m.EVENTS, initialize={k: spec[k].penalty_cny_per_kwh for k in events})
    m.vpp_steps = pyo.Param(m.EVENTS, initialize={k: len(steps[k]) for k in events},
                            doc="Number of steps of the event")
    m.vpp_duration_h = pyo.Param(m.EVENTS, initialize={k: len(steps[k]) * m.dt_h.value
                                                       for k in events}, doc="[h]")
    m.vpp_event_month = pyo.Param(m.EVENTS, within=pyo.Any, initialize={
        k: month_labels(index[steps[k][:1]])[0] for k in events})
    m.vpp_baseline_kw = pyo.Param(m.VPP_MEMBERS, m.EVENTS, doc="Mean baseline [kW]",
                                  initialize={(v, k): baselines[v, k].mean_kw
                                              for v in members for k in events})
    m.vpp_penalty_share = pyo.Param(m.VPP_MEMBERS, initialize={
        v: declared[v] / total if total else 1.0 / len(members) for v in members})
    m.vpp_declared_kw = pyo.Param(m.VPP_MEMBERS, initialize=declared, doc="[kW]")
    m.vpp_capacity_payment_cny_per_kw_month = pyo.Param(
        initialize=programme.capacity_payment_cny_per_kw_month)
    step_baseline = {v: np.zeros(len(index)) for v in members}
    for (v, k), base in baselines.items():
        step_baseline[v][steps[k]] = base.step_kw
    m.vpp_baseline_step_kw = series_param(m.VPP_MEMBERS, step_baseline,
                                          "Baseline at event steps, 0 elsewhere [kW]")
    kva = {v: float(m.transformer_kva[v]) for v in members}
    m.vpp_delivery_slack_kw = pyo.Param(m.EVENTS, doc="M: most d can fall below 0 [kW]", initialize={
        k: max(0.0, sum(kva[v] - baselines[v, k].mean_kw for v in members)) for k in events})
    m.vpp_paid_kw = pyo.Var(m.EVENTS, within=pyo.NonNegativeReals,
                            doc="Mean park reduction paid for: min(max(d, 0), requested) [kW]")
    m.vpp_delivering = pyo.Var(m.EVENTS, within=pyo.Binary,
                               doc="δ: 1 where the park is paid for a delivery [-]")
    m.vpp_request_cap = pyo.Constraint(m.EVENTS, rule=_request_cap, doc="paid ≤ requested · δ")
    # one row per event, given as a dict: a template of this rule fails (Pyomo logs an
    # error and builds the rows one by one)
    m.vpp_delivery_limit = pyo.Constraint(
        m.EVENTS, rule={k: _delivery_limit(m, k) for k in events}, doc="paid ≤ d + M · (1 − δ)")
    register_cost(m, "vpp_energy_revenue", _energy_revenue,
                  "− share · payment · duration · paid (re-shared by delivery after the solve)")
    register_cost(m, "vpp_penalty", _penalty, "share · penalty · duration · (requested − paid)")
    register_cost(m, "vpp_capacity_revenue", _capacity_revenue,
                  "− capacity payment · declared kW · month share")


def response_kw(m, v, k):
    """d[v, k]: member v's mean reduction of its net import below its baseline during event k [kW]."""
    net = sum(m.grid_import_kw[v, t] - m.grid_export_kw[v, t] for t in m.EVENT_STEPS[k])
    return m.vpp_baseline_kw[v, k] - net / m.vpp_steps[k]


def _delivery_limit(m, k):
    return m.vpp_paid_kw[k] <= (sum(response_kw(m, v, k) for v in m.VPP_MEMBERS)
                                + m.vpp_delivery_slack_kw[k] * (1 - m.vpp_delivering[k]))


def _request_cap(m, k):
    return m.vpp_paid_kw[k] <= m.vpp_requested_kw[k] * m.vpp_delivering[k]


def shortfall_kw(m, k):
    """requested_kw[k] − vpp_paid_kw[k]: the mean reduction short of the request [kW]."""
    return m.vpp_requested_kw[k] - m.vpp_paid_kw[k]


def _events_in(m, month):
    return [k for k in m.EVENTS if m.vpp_event_month[k] == month]


def _energy_revenue(m, e, month):
    if e not in m.VPP_MEMBERS:
        return 0.0
    return -sum(m.vpp_penalty_share[e] * m.vpp_payment_cny_per_kwh[k] * m.vpp_duration_h[k]
                * m.vpp_paid_kw[k] for k in _events_in(m, month))


def _penalty(m, e, month):
    if e not in m.VPP_MEMBERS:
        return 0.0
    return sum(m.vpp_penalty_share[e] * m.vpp_penalty_cny_per_kwh[k] * m.vpp_duration_h[k]
               * shortfall_kw(m, k) for k in _events_in(m, month))


def _capacity_revenue(m, e, month):
    if e not in m.VPP_MEMBERS:
        return 0.0
    return (-m.vpp_capacity_payment_cny_per_kw_month * m.vpp_declared_kw[e]
            * m.month_fraction[month])


def applies(inputs) -> bool:
    """Whether the case's inputs switch the VPP on for members in the model."""
    return inputs.vpp is not None


def add(m: pyo.ConcreteModel, inputs) -> None:
    """Add the VPP of ``inputs`` (`energysim.components`)."""
    add_vpp(m, inputs.vpp.programme, inputs.vpp.windows, inputs.vpp.baselines, inputs.index)


def timeseries(m: pyo.ConcreteModel, meters: list[str], n: int) -> dict[str, np.ndarray]:
    """``vpp_response_kw``: baseline − net grid import at the steps of the events, for the
    VPP's members (0 elsewhere) [kW]."""
    response = np.zeros((len(meters), n))
    net = matrix(m.grid_import_kw, meters, n) - matrix(m.grid_export_kw, meters, n)
    baseline = matrix(m.vpp_baseline_step_kw, meters, n)
    steps = sorted({t for k in m.EVENTS for t in m.EVENT_STEPS[k]})
    for v in m.VPP_MEMBERS:
        i = meters.index(v)
        response[i, steps] = baseline[i, steps] - net[i, steps]
    return {"vpp_response_kw": response}
