"""The net meter on a year at 15 minutes: what each way of deciding its modes costs and how
close to the optimum it gets.

    python benchmarks/bench_meter.py [--case midday_valley_pv_storage] [--milp-seconds 0]

For each enterprise of the demo park: the LP with the modes fixed by the balance without
assets (the old rule), the default ``auto`` (iterating warm-started LPs from the
relaxation's directions; a MILP only for short horizons), with its proven bound and the
re-solves it took; with ``--milp-seconds S`` also HiGHS's MILP within S seconds (its
incumbent and dual bound). Times are HiGHS's solves, all its runs (compile and hand-off
apart); the machine is shared, so read the ratios.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from energysim import build_model, load_scenario, solve_model
from energysim.model import meter_modes

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"


def rule_only(m):
    """The solve with the modes fixed by the balance without assets (no improvement)."""
    for p in m.METER_MODE_STEPS:
        m.meter_import_mode[p].fix(m.meter_rule_import_mode[p])
    try:
        return solve_model(m)
    finally:
        m.meter_import_mode.unfix()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="midday_valley_pv_storage")
    parser.add_argument("--milp-seconds", type=float, default=0.0)
    args = parser.parse_args()
    scenario = load_scenario(DEMO)
    print(f"{args.case}, a year at 15 minutes, one model per enterprise")
    print(f"{'enterprise':<12} {'steps':>6} {'rule CNY':>14} {'auto CNY':>14} {'bound CNY':>10} "
          f"{'bound %':>8} {'rounds':>6} {'LP s':>6} {'auto s':>7}")
    for e in scenario.enterprises:
        m = build_model(scenario, args.case, [e])
        if m.component("METER_MODE_STEPS") is None or not len(m.METER_MODE_STEPS):
            print(f"{e:<12} no contested step")
            continue
        fixed = rule_only(m)
        rule, rule_s = fixed.objective_cny, fixed.timings_s["solve"]
        solved = solve_model(m)
        print(f"{e:<12} {len(m.METER_MODE_STEPS):>6} {rule:>14,.1f} {solved.objective_cny:>14,.1f} "
              f"{solved.bound_cny:>10,.1f} {100 * solved.bound_cny / solved.objective_cny:>7.4f}% "
              f"{solved.meter.rounds:>6} {rule_s:>6.1f} {solved.timings_s['solve']:>7.1f}")
        if args.milp_seconds:
            saved = meter_modes.MILP_TIME_LIMIT_S
            meter_modes.MILP_TIME_LIMIT_S = args.milp_seconds
            try:
                m = build_model(scenario, args.case, [e])
                exact = solve_model(m, meter="milp", time_limit_s=args.milp_seconds)
            except Exception as exc:  # a time limit without a solution
                print(f"{'':<12} MILP within {args.milp_seconds:g} s: {exc}")
            else:
                print(f"{'':<12} MILP within {args.milp_seconds:g} s: {exact.objective_cny:,.1f} "
                      f"(dual bound {exact.objective_cny - exact.bound_cny:,.1f})")
            finally:
                meter_modes.MILP_TIME_LIMIT_S = saved


if __name__ == "__main__":
    main()
