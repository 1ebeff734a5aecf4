"""energysim: an industrial park's electricity under Chinese time-of-use tariffs.

The public API::

    scenario = load_scenario("scenarios/chongqing_demo_park.yaml")
    m = build_model(scenario, "current_pv_storage", ["auto_parts"])   # a Pyomo model
    solve_model(m)                                                    # HiGHS
    scenario, sizes = size_cases(scenario)                            # cases with size: {...}
    results = run_scenario(scenario)                                  # every case
    tariff = resolve_tariff("chongqing_2021_tou")                     # library name or file
    compute_bill(tariff, import_kw, export_kw)                        # independent check
"""

import importlib

_API = {
    "CaseResult": "energysim.results",
    "ScenarioError": "energysim.errors",
    "SolverError": "energysim.errors",
    "Tariff": "energysim.tariffs",
    "build_model": "energysim.analysis.cases",
    "compare": "energysim.analysis.savings",
    "compute_bill": "energysim.tariffs",
    "extract_costs": "energysim.model.extract",
    "extract_timeseries": "energysim.model.extract",
    "load_scenario": "energysim.scenario",
    "resolve_tariff": "energysim.tariffs",
    "run_case": "energysim.analysis.case_models",
    "run_scenario": "energysim.analysis.run",
    "size_cases": "energysim.analysis.sizing",
    "solve_model": "energysim.model.solve",
}
"""Name → the module it comes from. Imported when first used, so that importing a part of
the package (the bill calculator, say) does not import the rest (Pyomo, HiGHS)."""

__all__ = sorted(_API)


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'energysim' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})
