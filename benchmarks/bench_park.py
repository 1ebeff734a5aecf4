"""Time the park stage of a demo park case for a year at 15 minutes: the members' models,
then the connection's model under the members' own dispatch and under the platform's (the
members' batteries and PV with the park's in one model), and one coalition of each.

    python benchmarks/bench_park.py [--case park_today] [--repeats 1] [--coalition materials+cold_store]

Prints, per model, build, and compile / hand-off / solve / load and extraction (the
stages of `energysim.results.STAGES`), and what it costs. The machine is shared: read the
ratios, medians of the repeats.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from energysim import load_scenario
from energysim.analysis.case_models import combine_parts, run_case
from energysim.analysis.park import park_inputs
from energysim.analysis.park_dispatch import solve_platform

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"


def timed(label: str, run, repeats: int):
    """Run ``run()`` ``repeats`` times; print the median of each stage and the total."""
    stages, totals, result = {}, [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        totals.append(time.perf_counter() - start)
        for stage, seconds in result.timings_s.items():
            stages.setdefault(stage, []).append(seconds)
    text = " ".join(f"{s} {statistics.median(v):.1f}" for s, v in stages.items())
    print(f"{label}: {statistics.median(totals):.1f} s ({text}); "
          f"{result.total_cost_cny / 1e6:.3f} M CNY, {', '.join(result.methods)}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="park_today")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--coalition", default="materials+cold_store")
    args = parser.parse_args()
    scenario = load_scenario(DEMO, {f"cases.{args.case}.park_dispatch": "members"})
    platform = scenario.with_overrides({f"cases.{args.case}.park_dispatch": "platform"})
    coalition = tuple(args.coalition.split("+"))
    parts = [timed(f"member {e}", lambda e=e: run_case(scenario, args.case, [e]), 1)
             for e in scenario.spec.park.members]
    members = combine_parts(scenario, args.case, parts)
    connection = timed("connection, members' dispatch", lambda: run_case(
        scenario, args.case, inputs=park_inputs(scenario, args.case, members)), args.repeats)
    timed(f"coalition {args.coalition}, members' dispatch", lambda: run_case(
        scenario, args.case, meter="iterate",
        inputs=park_inputs(scenario, args.case, members, coalition)), args.repeats)
    joint = timed("connection, platform's dispatch",
                  lambda: solve_platform(platform, args.case)[1], args.repeats)
    wear = members.costs.query("component == 'storage_wear'")["cost_cny"].sum()
    print(f"the park's total (the connection's bill and every battery's wear): members' "
          f"dispatch {(connection.total_cost_cny + wear) / 1e6:.4f} M CNY, platform's "
          f"{joint.total_cost_cny / 1e6:.4f} M (bound {joint.bound_cny:,.0f} CNY)")
    timed(f"coalition {args.coalition}, platform's dispatch", lambda: solve_platform(
        platform, args.case, coalition, meter="iterate")[1], args.repeats)


if __name__ == "__main__":
    main()
