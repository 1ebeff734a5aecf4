"""energysim: an industrial park's electricity under Chinese time-of-use tariffs.

The public API::

    scenario = load_scenario("scenarios/chongqing_demo_park.yaml")
    m = build_model(scenario, "current_pv_storage", ["auto_parts"])   # a Pyomo model
    solve_model(m)                                                    # HiGHS
    results = run_scenario(scenario)                                  # every case
    tariff = resolve_tariff("chongqing_2021_tou")                     # library name or file
    compute_bill(tariff, import_kw, export_kw)                        # independent check
"""

from energysim.analysis.cases import build_model
from energysim.analysis.run import run_case, run_scenario
from energysim.analysis.savings import compare
from energysim.errors import ScenarioError, SolverError
from energysim.model.extract import extract_costs, extract_timeseries
from energysim.model.solve import solve_model
from energysim.results import CaseResult
from energysim.scenario import load_scenario
from energysim.tariffs import Tariff, compute_bill, resolve_tariff

__all__ = [
    "CaseResult",
    "ScenarioError",
    "SolverError",
    "Tariff",
    "build_model",
    "compare",
    "compute_bill",
    "extract_costs",
    "extract_timeseries",
    "load_scenario",
    "resolve_tariff",
    "run_case",
    "run_scenario",
    "solve_model",
]
