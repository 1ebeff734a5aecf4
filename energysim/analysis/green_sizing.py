"""What size of plant, or of battery at the plant, makes a green-supply project comply.

For project g under a case, one LP finds the smallest scale k ≥ 0 of one asset, with the
dispatch re-optimised at the same time, such that the three ratio rules of 650号 hold:

* ``asset="plant"``: PV and wind capacity × k, so the available output is k · A[g, t]:

      green_curtail_kw[g, t] ≤ k · A[g, t]
      k · A[g, t] − green_curtail_kw + battery = Σ_e green_direct_kw + green_feed_in_kw
      D ≥ r_sc · k · G,   D ≥ r_share · Σ_e C[e],   F ≤ r_feed · k · G

* ``asset="storage"``: the plant battery's energy and power × k:

      storage_charge_kw, storage_discharge_kw ≤ k · power_kw
      k · soc_min · capacity ≤ storage_soc_kwh ≤ k · soc_max · capacity
      storage_soc_kwh at the start and the end = k · soc_initial · capacity

minimise k (the costs do not enter). The offtakers do not export in the sizing LP: exporting
never helps meet the rules, and forbidding it keeps rooftop PV from being exported while the
line serves the load (green laundering, `energysim.model.net_meter`), so the LP stays exact
without the meter's modes. The case is then run again at the size found (× 1 +
1e-6 against round-off) with the rules enforced, which gives what complying at that size
costs. Where no scale meets the rules (the line or the load is the limit) the result says so.
A larger plant is not always compliant: more generation makes the 60 % self-consumption rule
harder, so the answer is the smallest size, not a threshold.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pyomo.environ as pyo

from energysim.analysis.cases import build_model, model_groups
from energysim.analysis.green import compliance_table
from energysim.analysis.run import run_case
from energysim.errors import SolverError
from energysim.model.green_direct import plant_balance
from energysim.model.green_rules import RULES, available_kwh, rule_margin
from energysim.model.solve import solve_model
from energysim.model.storage import net_charge_kwh
from energysim.results import CaseResult
from energysim.scenario import Scenario

ASSETS = ("plant", "storage")
HEADROOM = 1e-6
"""Relative margin added to the size found before the case is run at it."""


@dataclass
class SizingResult:
    """The smallest size of ``asset`` that meets the rules, and the case run at it.

    Attributes
    ----------
    scale : float or None
        Smallest k; None where no size meets the rules. [-]
    sizes : dict
        Current and needed capacities, e.g. ``{"pv_capacity_kwp": (4000.0, 7100.0)}``.
    result : CaseResult or None
        The case at the size found, rules enforced.
    compliance : pandas.DataFrame or None
        `energysim.analysis.green.compliance_table` of that run.
    """

    project: str
    asset: str
    scale: float | None
    sizes: dict[str, tuple[float, float | None]]
    result: CaseResult | None = None
    compliance: object = None

    def describe(self) -> str:
        """One sentence for the command line."""
        if self.scale is None:
            return (f"{self.project}: no {self.asset} size meets the 650号 rules here (the line, "
                    "the load or the other assets are the limit)")
        needed = ", ".join(f"{name} {now:,.0f} → {new:,.0f}" for name, (now, new) in self.sizes.items())
        return (f"{self.project}: the smallest {self.asset} that meets the 650号 rules is "
                f"× {self.scale:.3f} ({needed})")


def size_for_compliance(scenario: Scenario, case: str, project: str, asset: str = "plant",
                        options: dict | None = None) -> SizingResult:
    """The smallest scale of ``asset`` (``plant`` or ``storage``) of ``project`` that meets
    the rules under ``case`` (which must switch ``green_direct`` on); ``options`` go to
    HiGHS for the sizing LP (default interior point: the scale is a dense column, which
    dual simplex handles badly)."""
    options = {"solver": "ipm"} if options is None else options
    spec = scenario.green_projects.get(project)
    if spec is None:
        raise KeyError(f"no green-supply project {project!r}; the scenario has: "
                       f"{', '.join(scenario.green_projects)}")
    if asset not in ASSETS:
        raise ValueError(f"asset must be one of {ASSETS}, got {asset!r}")
    if asset == "storage" and spec.storage is None:
        raise ValueError(f"project {project!r} has no battery at the plant to size")
    if "green_direct" not in scenario.case(case).assets:
        raise ValueError(f"case {case!r} does not switch green_direct on")
    group = next(g for g in model_groups(scenario, case) if spec.offtakers[0] in g)
    check = dataclasses.replace(scenario, spec=scenario.spec.model_copy(update={"cases": {
        **scenario.cases, case: scenario.case(case).model_copy(update={"green_rules": "check"})}}))
    m = build_model(check, case, list(group))
    for e in spec.offtakers:
        for t in m.T:
            m.grid_export_kw[e, t].setub(0.0)
    scale = m.green_size_scale = pyo.Var(bounds=(0.0, None), doc=f"Scale of the {asset} [-]")
    if asset == "plant":
        _scale_plant(m, project, scale)
    else:
        _scale_battery(m, project, scale)
    _add_rules(m, scenario, spec, scale if asset == "plant" else 1.0)
    m.total_cost_cny.deactivate()
    m.green_size_objective = pyo.Objective(expr=scale, sense=pyo.minimize)
    try:
        solve_model(m, options=options)
    except SolverError:
        return SizingResult(project, asset, None, _sizes(spec, asset, None))
    k = float(scale.value) * (1 + HEADROOM)
    sized = _resized(scenario, case, project, asset, k)
    result = run_case(sized, case, list(group))
    return SizingResult(project, asset, k, _sizes(spec, asset, k), result,
                        compliance_table(sized, {case: result}))


def _scale_plant(m, g, scale) -> None:
    steps = list(m.T)
    available = {t: pyo.value(m.green_available_kw[g, t]) for t in steps}
    for t in steps:
        m.green_curtail_kw[g, t].setub(None)
        m.green_plant_balance[g, t].deactivate()
    m.green_size_curtail_limit = pyo.Constraint(
        steps, rule={t: m.green_curtail_kw[g, t] <= scale * available[t] for t in steps})
    battery = g in m.GREEN_STORAGES_AT[g]
    m.green_size_balance = pyo.Constraint(steps, rule={
        t: plant_balance(m, g, t, scale * available[t], battery) for t in steps})


def _scale_battery(m, s, scale) -> None:
    steps = list(m.T)
    capacity, power = pyo.value(m.storage_capacity_kwh[s]), pyo.value(m.storage_power_kw[s])
    low = pyo.value(m.storage_soc_min_fraction[s]) * capacity
    high = pyo.value(m.storage_soc_max_fraction[s]) * capacity
    initial = pyo.value(m.storage_soc_initial_fraction[s]) * capacity
    rows = {}
    for t in steps:
        for var in (m.storage_charge_kw[s, t], m.storage_discharge_kw[s, t]):
            var.setub(None)
            rows[var.name] = var <= scale * power
        m.storage_soc_kwh[s, t].setlb(0.0)
        m.storage_soc_kwh[s, t].setub(None)
        rows[f"soc_low[{t}]"] = m.storage_soc_kwh[s, t] >= scale * low
        rows[f"soc_high[{t}]"] = m.storage_soc_kwh[s, t] <= scale * high
    m.storage_soc_first[s].deactivate()
    m.storage_soc_end[s].deactivate()
    first, last = m.T.first(), m.T.last()
    retain = pyo.value(m.storage_retain[s])
    rows["first"] = m.storage_soc_kwh[s, first] == (scale * initial * retain
                                                    + net_charge_kwh(m, s, first))
    rows["end"] = m.storage_soc_kwh[s, last] == scale * initial
    m.green_size_battery = pyo.Constraint(list(rows), rule=rows)


def _add_rules(m, scenario: Scenario, spec, plant_scale) -> None:
    g = spec.id
    generation = plant_scale * available_kwh(m, g)
    m.green_size_rules = pyo.Constraint(list(RULES), rule={
        rule: rule_margin(m, g, rule, share, generation) >= 0
        for rule, share in spec.required_shares(scenario.index[0].year).items()})


def _sizes(spec, asset: str, k: float | None) -> dict[str, tuple[float, float | None]]:
    def times(value: float) -> float | None:
        return None if k is None else value * k

    if asset == "storage":
        return {"storage_capacity_kwh": (spec.storage.capacity_kwh, times(spec.storage.capacity_kwh)),
                "storage_power_kw": (spec.storage.power_kw, times(spec.storage.power_kw))}
    sizes = {}
    if spec.pv is not None:
        sizes["pv_capacity_kwp"] = (spec.pv.capacity_kwp, times(spec.pv.capacity_kwp))
    if spec.wind is not None:
        sizes["wind_capacity_kw"] = (spec.wind.capacity_kw, times(spec.wind.capacity_kw))
    return sizes


def _resized(scenario: Scenario, case: str, project: str, asset: str, k: float) -> Scenario:
    """The scenario with ``asset`` of ``project`` scaled by k and its rules enforced in ``case``
    (other projects keep the mode they had)."""
    projects = []
    for spec in scenario.spec.green_direct:
        mode = "enforce" if spec.id == project else scenario.green_mode(case, spec.id)
        spec = spec.model_copy(update={"rules": spec.rules.model_copy(update={"mode": mode})})
        if spec.id == project:
            if asset == "plant":
                update = {kind: getattr(spec, kind).model_copy(update={field: getattr(
                    getattr(spec, kind), field) * k}) for kind, field in
                    (("pv", "capacity_kwp"), ("wind", "capacity_kw")) if getattr(spec, kind)}
            else:
                update = {"storage": spec.storage.model_copy(update={
                    "capacity_kwh": spec.storage.capacity_kwh * k,
                    "power_kw": spec.storage.power_kw * k})}
            spec = spec.model_copy(update=update)
        projects.append(spec)
    cases = {**scenario.cases, case: scenario.case(case).model_copy(update={"green_rules": None})}
    available = dict(scenario.green_available_kw)
    if asset == "plant":
        available[project] = available[project] * k
    return dataclasses.replace(scenario, spec=scenario.spec.model_copy(
        update={"green_direct": projects, "cases": cases}), green_available_kw=available)
