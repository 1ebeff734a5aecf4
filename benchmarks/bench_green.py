"""Time the demo's direct green-supply cases for a year at 15 minutes (the electronics plant).

    python benchmarks/bench_green.py [--repeats 1] [--cold] [--size]

Cases: ``current_pv_storage`` (no line), ``green_direct`` (rules checked) and
``green_direct_enforced`` (rules enforced as lazy rows: relaxed first, tightened and
warm-started only if violated). ``--cold`` also solves the enforced model with its rule rows
passed as ordinary rows (minutes), to show what the lazy rows save; ``--size`` times
`energysim.analysis.green_sizing.size_for_compliance` for the plant. Medians of
``--repeats`` in one process, stage by stage; the machine is shared, so read the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from energysim import build_model, load_scenario, run_case, solve_model

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"
STAGES = ("build", "compile", "handoff", "solve", "load", "extract")
CASES = ("current_pv_storage", "green_direct", "green_direct_enforced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--cold", action="store_true", help="also solve without lazy rows")
    parser.add_argument("--size", action="store_true", help="also time the plant sizing LP")
    args = parser.parse_args()
    scenario = load_scenario(DEMO)
    print(f"{'case':<24}" + "".join(f"{s:>9}" for s in STAGES) + f"{'cost CNY':>14}")
    for case in CASES:
        runs = [run_case(scenario, case, ["electronics"]) for _ in range(args.repeats)]
        times = {s: statistics.median(r.timings_s[s] for r in runs) for s in STAGES}
        print(f"{case:<24}" + "".join(f"{times[s]:9.2f}" for s in STAGES)
              + f"{runs[0].total_cost_cny:14,.0f}")
    if args.cold:
        m = build_model(scenario, "green_direct_enforced", ["electronics"])
        m.LAZY_CONSTRAINTS = []
        solved = solve_model(m)
        print(f"{'enforced, rows not lazy':<24}" + " " * 9 + "".join(
            f"{solved.timings_s.get(s, 0.0):9.2f}" for s in STAGES[1:5]))
    if args.size:
        from energysim.analysis.green_sizing import size_for_compliance

        start = time.perf_counter()
        sized = size_for_compliance(scenario, "green_direct", "green_line", "plant")
        print(f"sizing the plant: {time.perf_counter() - start:.1f} s — {sized.describe()}")


if __name__ == "__main__":
    main()
