"""The jobs of a run: each model built once, its cases solved one after another.

A group of enterprises gets models under several cases that differ, at most, in the prices
of grid import (the tariff) — the demo's five ``*_pv_storage`` cases, say — or in nothing
at all: a case whose assets the group does not have (the demo's green line for the
enterprises it does not serve, flexibility for the plant that has none) gives the group
the model of a case without them. `plan_jobs` prepares the inputs of every (case, group)
and makes one `ModelJob` of the cases whose inputs differ from its first case's only in
what a re-solve can change (`energysim.analysis.resolve.REPRICED_FIELDS`). `solve_job`

- bills a case whose inputs switch nothing on (`energysim.analysis.billed`: no LP);
- solves the first of the others, keeping its HiGHS object (`energysim.analysis.resolve.
  Repricer`); a next case with the very inputs of one it solved is that solution again
  (`Repricer.repeat`), any other is re-solved from the optimal basis it holds where the
  re-pricer's deny-by-default check allows (inputs equal field by field but for prices and
  battery sizes, tariffs equal but for energy prices, no lazy rows, the net meter's modes
  where the new prices need them); any other case is built and solved afresh and becomes
  the model kept. A job of one case is built and solved as `run_case` does.

The plan is only a hint for grouping: what may be re-solved is decided by the check, case
by case. A cost proven optimal (`exact`) is therefore the same however the jobs were
planned; a bounded one (the net meter's modes iterated, `energysim.model.meter_modes`) may
land elsewhere within its bound when solved from another basis.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from energysim.analysis.billed import bill_result, needs_no_model
from energysim.analysis.case_models import run_case
from energysim.analysis.cases import enforces_rules, job_weight, model_groups
from energysim.analysis.resolve import REPRICED_FIELDS, Repricer, differences
from energysim.case_inputs import CaseInputs
from energysim.prepare import prepare
from energysim.results import CaseResult
from energysim.scenario import Scenario

RESOLVE_WEIGHT = 0.3
"""What a warm re-solve weighs against a first solve, for ordering the jobs."""


@dataclass(frozen=True)
class ModelJob:
    """The models of one group of enterprises under cases whose inputs differ at most in
    what a re-solve can change (see the module docstring).

    Attributes
    ----------
    group : tuple of str
        The enterprises solved together (`energysim.analysis.cases.model_groups`).
    cases : tuple of str
        The cases, in the scenario's order.
    weight : float
        A rough order of its solve time (`energysim.analysis.cases.job_weight`).
    """

    group: tuple[str, ...]
    cases: tuple[str, ...]
    weight: float


def plan_jobs(scenario: Scenario, cases: list[str], grouped: bool = True) -> list[ModelJob]:
    """The jobs of ``cases``, the longest first: where ``grouped``, one per group and model
    (see the module docstring), else one per (case, group)."""
    planned: list[tuple[tuple[str, ...], CaseInputs | None, list[str]]] = []
    for case in cases:
        for group in model_groups(scenario, case):
            inputs = prepare(scenario, case, list(group)) if grouped else None
            for g, first, members in planned:
                if grouped and g == group and not differences(first, inputs) - REPRICED_FIELDS:
                    members.append(case)
                    break
            else:
                planned.append((group, inputs, [case]))
    jobs = []
    for group, _, members in planned:
        first = job_weight(scenario, members[0], group)
        jobs.append(ModelJob(group, tuple(members),
                             first * (1 + RESOLVE_WEIGHT * (len(members) - 1))))
    return sorted(jobs, key=lambda job: -job.weight)


def solve_job(scenario: Scenario, job: ModelJob) -> dict[str, CaseResult]:
    """The results of ``job``'s models, by case (see the module docstring)."""
    inputs = {case: prepare(scenario, case, list(job.group)) for case in job.cases}
    modelled = [case for case in job.cases if not needs_no_model(inputs[case])]
    results, kept = {}, None
    for case in job.cases:
        if case not in modelled:
            results[case] = bill_result(inputs[case], case)
        elif len(modelled) == 1 or enforces_rules(scenario, case, job.group):
            # enforced rules are lazy rows, and an infeasible model wants its explanation
            results[case] = run_case(scenario, case, list(job.group), inputs=inputs[case])
        elif kept is not None and (twin := kept.twin_of(inputs[case])) is not None:
            results[case] = kept.repeat(scenario, case, twin)
        elif kept is not None and kept.can_reprice(scenario, case, inputs[case]):
            results[case] = kept.reprice(scenario, case)
        else:
            later = [inputs[c] for c in modelled[modelled.index(case) + 1:]]
            kept = Repricer(scenario, case, job.group, with_mode_prices(inputs[case], later))
            results[case] = kept.first
    return results


def with_mode_prices(inputs: CaseInputs, later: list[CaseInputs]) -> CaseInputs:
    """``inputs`` whose net meter has a mode wherever the prices of ``later`` (the cases
    the model may be re-solved for) contest a step: the least of their prices
    (`CaseInputs.mode_price_cny_per_kwh`)."""
    meters = inputs.meters_with(inputs.pv_available_kw)
    later = [i for i in later if not differences(inputs, i) - REPRICED_FIELDS]  # re-priceable
    least = {e: np.minimum.reduce([np.asarray(i.price_cny_per_kwh[e], float)
                                   for i in [inputs, *later]]) for e in meters}
    return replace(inputs, mode_price_cny_per_kwh=least)

