"""Time the battery sizing of one demo enterprise for a year: on the hourly year (the
default) and, with ``--exact``, at 15 minutes as one LP.

    python benchmarks/bench_sizing.py [--enterprise auto_parts] [--tariff cq_current] [--exact]

Prints the stages (build, and compile / hand-off / solve / load of the sizing LP), the sizes
found, and the confirmation at 15 minutes (`energysim.analysis.sizing.confirm`: the total
annualised cost at the sizes × 0.9, × 1, × 1.1). The machine is shared: read the ratios.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from energysim import load_scenario
from energysim.analysis.sizing import confirm, size_case
from energysim.model.build import build_model
from energysim.model.sizing import sizes
from energysim.model.solve import solve_model
from energysim.prepare import prepare

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprise", default="auto_parts")
    parser.add_argument("--tariff", default="cq_current")
    parser.add_argument("--exact", action="store_true", help="also size at 15 minutes")
    args = parser.parse_args()
    case = {"tariff": args.tariff, "assets": ["pv", "storage"],
            "size": {"storage": {"max_kwh": 40000, "max_kw": 8000}}}
    scenario = load_scenario(DEMO, {"cases.sized": case})
    start = time.perf_counter()
    table = size_case(scenario, "sized", [args.enterprise])
    print(f"hourly sizing, all stages: {time.perf_counter() - start:.1f} s")
    print(table[["asset", "unit", "size", "at_max", "cny_per_unit_year"]].to_string(index=False))
    start = time.perf_counter()
    checked = confirm(scenario, table, workers=1)
    print(f"confirmed at 15 minutes (three runs) in {time.perf_counter() - start:.1f} s")
    print(checked[["factor", "annual_bill_cny", "annual_capacity_cost_cny",
                   "annual_total_cny"]].to_string(index=False))
    if args.exact:
        exact = scenario.with_overrides({"cases.sized.size.resolution": "horizon"})
        start = time.perf_counter()
        m = build_model(prepare(exact, "sized", [args.enterprise]))
        built = time.perf_counter() - start
        solved = solve_model(m, options={"solver": "ipm"})
        stages = " ".join(f"{k} {v:.1f}" for k, v in solved.timings_s.items())
        print(f"exact 15-minute sizing LP: build {built:.1f} {stages} s; sizes {sizes(m)}")


if __name__ == "__main__":
    main()
