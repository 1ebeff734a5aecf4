"""Running cases: models solved in parallel processes, each model built once.

Enterprises that share no asset are independent, so a case is solved as one small LP per
group of enterprises rather than one large park LP (solve time grows faster than the
model). Cases whose inputs for a group differ only in what a re-solve can change (other
tariffs, or assets the group does not have) are one job (`energysim.analysis.jobs`): its
model is built once and re-solved warm for each next case (a case with the very inputs of
one solved is that solution again), and a case with nothing to dispatch is billed without
an LP. Jobs go to a process
pool when there is more than one job and more than one core, or to a Dask cluster
(``scheduler``, the ``dask`` extra; start its workers with one thread each, ``--nthreads 1``:
Pyomo's model building is not thread-safe, and a year's model takes about 1 GB); each worker
runs HiGHS on one thread. An error or an
interrupt (Ctrl-C, or SIGTERM where the command line raises it) cancels the jobs not started
and terminates the workers at once (`energysim.analysis.executors.stop_now`).

The pool's workers are forked after the parent has imported SciPy's sparse matrices, which
Pyomo's compiler imports on first use (about 3 s a process otherwise).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from pyomo.common.dependencies import scipy

from energysim.analysis.case_models import combine_parts, run_case
from energysim.analysis.executors import make_executor, quiet_worker, shipped, shut_down, stop_now
from energysim.analysis.jobs import ModelJob, plan_jobs, solve_job
from energysim.analysis.park import is_park_case, with_park
from energysim.analysis.resolve import repricing_on
from energysim.results import CaseResult
from energysim.scenario import Scenario

__all__ = ["progress_bar", "run_case", "run_scenario"]


def run_scenario(scenario: Scenario, cases: Sequence[str] | None = None,
                 workers: int | None = None,
                 on_done: Callable[[str, str], None] | None = None,
                 progress: bool = False, scheduler: str | None = None) -> dict[str, CaseResult]:
    """Run ``cases`` (all by default), each group of enterprises as its own model (the
    members of a switched-on VPP together, see `model_groups`), cases that differ only in
    what a re-solve can change on one model (see the module docstring).

    Parameters
    ----------
    workers : int, optional
        Processes to use; default the number of cores, 1 runs everything here.
    on_done : callable, optional
        Called as ``on_done(case, enterprises)`` when a model is solved.
    progress : bool
        Show a progress bar over the models (tqdm; a widget in Jupyter where ipywidgets is
        installed, text elsewhere).
    scheduler : str, optional
        The address of a Dask scheduler (``tcp://host:port``) to run the jobs on instead.

    Returns
    -------
    dict of str to CaseResult, in the order of ``cases``.

    Raises
    ------
    SolverError
        A model was not solved to optimality.
    """
    names = list(cases) if cases is not None else list(scenario.cases)
    for name in names:
        if scenario.case(name).size is not None:
            raise ValueError(f"case {name!r} sizes its assets: size it first "
                             "(energysim.analysis.sizing.size_cases gives the scenario at the "
                             "sizes found; energysim run does it)")
    jobs = plan_jobs(scenario, names, grouped=repricing_on())
    cores = workers or os.cpu_count() or 1
    workers = min(cores, len(jobs))
    parts: dict[tuple[str, tuple[str, ...]], CaseResult] = {}
    models = sum(len(job.cases) for job in jobs)
    bar = progress_bar(models, "models") if progress and models > 1 else None

    def done(job: ModelJob, results: dict[str, CaseResult]) -> None:
        for case, result in results.items():
            parts[case, job.group] = result
            if bar is not None:
                bar.set_postfix_str(f"{case} / {', '.join(job.group)}", refresh=False)
                bar.update()
            if on_done:
                on_done(case, ", ".join(job.group))

    try:
        if scheduler is not None:
            _on_cluster(scenario, jobs, scheduler, done)
        elif workers <= 1:
            for job in jobs:
                done(job, solve_job(scenario, job))
        else:
            _on_pool(scenario, jobs, workers, done)
    finally:
        if bar is not None:
            bar.close()
    results = {c: combine_parts(scenario, c, [r for (case, _), r in parts.items() if case == c])
               for c in names}
    for c in names:  # the connection's model on what its members draw (energysim.analysis.park)
        if is_park_case(scenario, c):
            results[c] = with_park(scenario, c, results[c], cores if scheduler is None else 1)
    return results


def _on_pool(scenario: Scenario, jobs: list[ModelJob], workers: int, done) -> None:
    """``jobs`` on a local pool of ``workers`` processes, each given the scenario once."""
    scipy.sparse  # noqa: B018  (imported here, before the workers fork)
    pool = ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(scenario,))
    try:
        futures = {pool.submit(_worker_job, job): job for job in jobs}
        for future in as_completed(futures):
            done(futures[future], future.result())
    except BaseException:
        stop_now(pool)
        raise
    pool.shutdown()


def _on_cluster(scenario: Scenario, jobs: list[ModelJob], scheduler: str, done) -> None:
    """``jobs`` on the Dask cluster at ``scheduler``, the scenario scattered once."""
    executor = make_executor(scheduler=scheduler)
    try:
        given = shipped(executor, scenario)
        futures = {executor.submit(solve_job, given, job): job for job in jobs}
        for future in as_completed(futures):
            done(futures[future], future.result())
    finally:
        shut_down(executor)


def progress_bar(total: int, unit: str):
    """A tqdm bar on stderr: the notebook widget where ipywidgets is installed, text elsewhere."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm(total=total, unit=f" {unit}", dynamic_ncols=True)


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    quiet_worker()
    _WORKER_SCENARIO = scenario


def _worker_job(job: ModelJob) -> dict[str, CaseResult]:
    return solve_job(_WORKER_SCENARIO, job)
