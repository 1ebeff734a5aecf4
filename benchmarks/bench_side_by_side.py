"""energysim end to end against HiGHS alone on the very same LP, and the whole demo's wall
time and memory.

    python benchmarks/bench_side_by_side.py [--repeats 3] [--enterprise auto_parts]
                                            [--case current_pv_storage] [--skip-demo]

One enterprise-year at 15 minutes: energysim builds, compiles, hands off, solves and
extracts it; its LP is then written to MPS from energysim's own HiGHS object and solved by
a fresh HiGHS in this process (read and run timed apart). Where the model has net-meter
modes, the LP written is the last one energysim solved (its modes fixed), so pick a case
without contested steps (the default) to compare like with like. Medians of
``--repeats``; the ratio end to end / HiGHS's run is what energysim adds. The machine is
shared, so compare ratios within one run.

The demo: every case through `energysim.run_scenario` on all cores, and the report written
(`energysim.report.outputs.write_outputs`, summary figures), wall time per stage, the peak
resident memory of this process and of the largest worker.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import highspy

from energysim import build_model, load_scenario, run_scenario, solve_model
from energysim.analysis.case_models import extract_result

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"
STAGES = ("build", "compile", "handoff", "solve", "load", "extract")


def end_to_end(scenario, case: str, enterprise: str, mps: Path) -> dict[str, float]:
    """energysim's stages on one model, its wall time, and its LP written to ``mps``."""
    start = time.perf_counter()
    m = build_model(scenario, case, [enterprise])
    build = time.perf_counter() - start
    solved = solve_model(m, keep_solver=True)
    result = extract_result(m, scenario, case, solved, {"build": build, **solved.timings_s})
    wall = time.perf_counter() - start
    solved.highs.writeModel(str(mps))
    return {**{s: result.timings_s.get(s, 0.0) for s in STAGES}, "wall": wall,
            "objective": solved.objective_cny}


def highs_alone(mps: Path) -> dict[str, float]:
    """A fresh HiGHS reading ``mps`` and solving it on one thread."""
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    start = time.perf_counter()
    highs.readModel(str(mps))
    read = time.perf_counter() - start
    start = time.perf_counter()
    highs.run()
    run = time.perf_counter() - start
    return {"read": read, "run": run,
            "objective": float(highs.getInfo().objective_function_value)}


def median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def demo(workers: int | None) -> None:
    from energysim.report.outputs import write_outputs

    start = time.perf_counter()
    scenario = load_scenario(DEMO)
    loaded = time.perf_counter() - start
    results = run_scenario(scenario, workers=workers)
    solved = time.perf_counter() - start - loaded
    out = Path(tempfile.mkdtemp()) / "results"
    write_outputs(scenario, results, out)
    wall = time.perf_counter() - start
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    methods = {}
    for r in results.values():
        for method in r.methods:
            methods[method] = methods.get(method, 0) + 1
    print(f"\nthe demo ({len(results)} cases): load {loaded:.1f} s, solve {solved:.1f} s, "
          f"report {wall - loaded - solved:.1f} s, wall {wall:.1f} s")
    print(f"  peak memory: this process {own:.0f} MB, the largest worker {worker:.0f} MB")
    print(f"  output {size / 1e6:.1f} MB; cases by method {methods}")
    stage = {s: sum(r.timings_s.get(s, 0.0) for r in results.values()) for s in STAGES}
    print("  CPU seconds over the models: "
          + ", ".join(f"{s} {v:.1f}" for s, v in stage.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--enterprise", default="auto_parts")
    parser.add_argument("--case", default="current_pv_storage")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()

    scenario = load_scenario(DEMO)
    mps = Path(tempfile.mkdtemp()) / "model.mps"
    ours, theirs = [], []
    for _ in range(args.repeats):
        ours.append(end_to_end(scenario, args.case, args.enterprise, mps))
        theirs.append(highs_alone(mps))
    gap = abs(ours[0]["objective"] - theirs[0]["objective"])
    print(f"one enterprise-year ({args.enterprise}, {args.case}, 15 min), median of "
          f"{args.repeats}; objectives agree to {gap:.2e} CNY")
    for s in STAGES:
        print(f"  energysim {s:<8} {median(ours, s):6.2f} s")
    print(f"  energysim end to end {median(ours, 'wall'):6.2f} s")
    print(f"  HiGHS alone: read MPS {median(theirs, 'read'):.2f} s, run {median(theirs, 'run'):.2f} s")
    ratio = statistics.median(o["wall"] / t["run"] for o, t in zip(ours, theirs, strict=True))
    print(f"  ratio end to end / HiGHS's run: {ratio:.2f}")
    if not args.skip_demo:
        demo(args.workers)


if __name__ == "__main__":
    main()
