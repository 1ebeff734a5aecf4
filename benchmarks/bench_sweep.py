"""Cases per minute of a sweep: one enterprise for a year at 15 minutes.

    python benchmarks/bench_sweep.py [--enterprise auto_parts] [--valleys 4] [--skip-dask]

The grid varies the valley price of the midday-valley tariff (``--valleys`` values) and the
enterprise's battery (two sizes) under ``midday_valley_pv_storage``; the baseline case runs
too (once per tariff point: it does not depend on the battery). Each configuration runs the
same grid into a fresh folder:

    1 worker, rebuilt     every model built and solved cold (ENERGYSIM_REPRICE=0)
    1 worker, re-priced   tariff-only neighbours re-priced and warm-started
    2 workers, re-priced  a local process pool
    Dask, 2 workers       a two-worker LocalCluster

and reports wall time, cases per minute and how many cases were re-priced. The machine is
shared: read the ratios, and repeat.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from energysim.analysis.sweep import SweepBase, run_sweep, tasks_for
from energysim.analysis.sweep_store import RecordStore

DEMO = Path(__file__).resolve().parents[1] / "scenarios" / "chongqing_demo_park.yaml"
CASE = "midday_valley_pv_storage"


def grid(enterprise: str, valleys: int) -> list[dict]:
    ratios = [round(0.25 + 0.05 * i, 2) for i in range(valleys)]  # valley = ratio · E + adder
    return [{"run.enterprises": [enterprise],
             f"enterprises.{enterprise}.storage.capacity_kwh": size,
             "tariffs.cq_mv_wide.energy_price.ratios.valley": ratio}
            for size in (2000, 6000) for ratio in ratios]


def timed(label: str, base, tasks, reference=None, **kwargs) -> dict:
    """Run the grid into a fresh folder; print the rate and how far the costs are from
    ``reference`` (key → total cost of the rebuilt run)."""
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        counts = run_sweep(base, tasks, folder, **kwargs)
        wall = time.perf_counter() - start
        totals = {k: sum(row["total_cost_cny"] for row in r["rows"])
                  for k, r in RecordStore(folder).read().items()}
    n = counts["run_now"]
    gap = max(abs(totals[k] / reference[k] - 1) for k in totals) if reference else 0.0
    print(f"{label:<24} {n:3d} cases {wall:8.1f} s {60 * n / wall:8.1f} cases/min "
          f"{counts['resolved']:3d} re-priced {counts['failed']:2d} failed   "
          f"max cost gap to rebuilt {gap:.1e}")
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprise", default="auto_parts")
    parser.add_argument("--valleys", type=int, default=4)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    base = SweepBase.from_file(DEMO)
    tasks = tasks_for(base, grid(args.enterprise, args.valleys), [CASE], "baseline")
    print(f"{len({t.key for t in tasks})} distinct cases, {args.enterprise}, a year at 15 min")
    os.environ["ENERGYSIM_REPRICE"] = "0"
    cold = timed("1 worker, rebuilt", base, tasks, workers=1)
    os.environ["ENERGYSIM_REPRICE"] = "1"
    timed("1 worker, re-priced", base, tasks, cold, workers=1)
    timed("2 workers, re-priced", base, tasks, cold, workers=2)
    if not args.skip_dask:
        from distributed import LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
            timed("Dask, 2 workers", base, tasks, cold, scheduler=cluster.scheduler_address)


if __name__ == "__main__":
    main()
