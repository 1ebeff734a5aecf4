"""Time one enterprise for a year at 15 minutes, stage by stage, and the whole demo park.

    python benchmarks/bench_year.py [--repeats 3] [--enterprise auto_parts] [--skip-demo]

Stages of one model: build (Pyomo components), compile (standard form), handoff (arrays to
HiGHS), solve (HiGHS), load (values back into Pyomo), extract (DataFrames). Medians of
``--repeats`` runs in one process; the machine is shared, so read the ratios. The demo
park runs every case through `run_scenario` on all cores (wall time) and reports the
peak resident memory of this process and of its workers.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from ruamel.yaml import YAML

from energysim import build_model, load_scenario, run_case, run_scenario, solve_model

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"
STAGES = ("build", "compile", "handoff", "solve", "load", "extract")


def bench_enterprise(scenario, case: str, enterprise: str, repeats: int) -> dict[str, float]:
    runs = [run_case(scenario, case, [enterprise]).timings_s for _ in range(repeats)]
    return {stage: statistics.median(r[stage] for r in runs) for stage in STAGES}


def hourly_demo(folder: Path):
    """The demo at hourly steps (profiles averaged to hours by the loader)."""
    yaml = YAML()
    data = yaml.load(DEMO.read_text(encoding="utf-8"))
    data["horizon"]["resolution"] = "1h"
    for ent in data["enterprises"]:
        if isinstance(ent["load"], str):
            ent["load"] = str((DEMO.parent / ent["load"]).resolve())
        else:
            ent["load"]["file"] = str((DEMO.parent / ent["load"]["file"]).resolve())
    path = folder / "demo_1h.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return load_scenario(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--enterprise", default="auto_parts")
    parser.add_argument("--case", default="current_pv_storage")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--appsi", action="store_true",
                        help="also time Pyomo's persistent appsi_highs interface")
    args = parser.parse_args()

    start = time.perf_counter()
    scenario = load_scenario(DEMO)
    print(f"load scenario (4 profiles, 35040 steps): {time.perf_counter() - start:.2f} s")

    folder = Path(tempfile.mkdtemp())
    for resolution, sc in (("15min", scenario), ("1h", hourly_demo(folder))):
        t = bench_enterprise(sc, args.case, args.enterprise, args.repeats)
        outside = sum(v for k, v in t.items() if k != "solve")
        print(f"\none enterprise ({args.enterprise}, {args.case}), a year at {resolution}, "
              f"median of {args.repeats}:")
        for stage in STAGES:
            print(f"  {stage:<8} {t[stage]:6.2f} s")
        print(f"  outside HiGHS's solve: {outside:.2f} s = {outside / t['solve']:.2f} × solve")

    if args.appsi:
        runs = []
        for _ in range(args.repeats):
            m = build_model(scenario, args.case, [args.enterprise])
            runs.append(solve_model(m, interface="appsi").timings_s["solve"])
        print(f"\nPyomo appsi_highs (hand-off + solve + load), 15min: "
              f"{statistics.median(runs):.2f} s")

    if not args.skip_demo:
        start = time.perf_counter()
        results = run_scenario(scenario)
        wall = time.perf_counter() - start
        total = {s: sum(r.timings_s[s] for r in results.values()) for s in STAGES}
        print(f"\nwhole demo ({len(results)} cases × {len(scenario.enterprises)} enterprises, "
              f"all cores): {wall:.1f} s wall")
        print("  summed over models: " + ", ".join(f"{s} {v:.1f} s" for s, v in total.items()))
    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak resident memory: this process {self_mb:.0f} MB, largest worker {child_mb:.0f} MB")


if __name__ == "__main__":
    main()
