"""The executors sweeps run on: a local process pool, or the executor of a Dask cluster;
and `pool_map`, a function mapped over tasks on a local pool that shares one input.

Both follow `concurrent.futures`. A process pool pickles what it is given with each task; a
Dask cluster gets the sweep's base scattered once to its workers (`shipped`). The
``distributed`` package is imported only where a scheduler is named (the ``dask`` extra).

Interrupts end the workers too: a pool's processes ignore Ctrl-C and take SIGTERM's default
(`quiet_worker`), so the parent alone decides, and `stop_now` (which `shut_down` uses while an
error or an interrupt propagates) cancels the queued tasks and terminates the processes
instead of waiting for the running ones.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing.connection import wait

from pyomo.common.dependencies import scipy

STOP_SECONDS = 3.0
"""How long terminated workers get to exit before they are killed."""


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """A local process pool (``workers`` processes, default all cores), or the executor of
    the Dask cluster at ``scheduler`` (its client is the executor's ``_client``)."""
    if scheduler is None:
        return ProcessPoolExecutor(workers or os.cpu_count() or 1, initializer=quiet_worker)
    try:
        from distributed import Client
    except ImportError:
        raise RuntimeError("a Dask scheduler needs the dask extra: pip install 'energysim[dask]'") \
            from None
    return Client(scheduler).get_executor()


def _client(executor: Executor | None):
    """The Dask client of a ``distributed`` executor, else None."""
    return getattr(executor, "_client", None)


def shipped(executor: Executor | None, base):
    """The sweep's base (`energysim.analysis.sweep.SweepBase`) as the executor's tasks take
    it: scattered once to a Dask cluster's workers, else as it is (a process pool pickles it
    with each task)."""
    client = _client(executor)
    return base if client is None else client.scatter(base, broadcast=True)


def shut_down(executor: Executor, at_once: bool | None = None) -> None:
    """Stop ``executor``: a Dask executor and its client once their tasks are done, a
    process pool once its running tasks are, the queued ones cancelled. With ``at_once`` —
    by default, where an exception is propagating (called from a ``finally`` clause) — the
    Dask tasks are cancelled and the pool's processes terminated (`stop_now`)."""
    if at_once is None:
        at_once = sys.exc_info()[1] is not None
    client = _client(executor)
    if client is not None:
        executor.shutdown(wait=not at_once)
        client.close()
    elif at_once and isinstance(executor, ProcessPoolExecutor):
        stop_now(executor)
    else:
        executor.shutdown(wait=True, cancel_futures=True)


def quiet_worker() -> None:
    """A pool worker's initializer: Ctrl-C is the parent's to handle (it stops the pool) and
    SIGTERM ends the worker (a handler the parent installed is not inherited)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel ``pool``'s queued tasks and end its processes without waiting for their tasks:
    SIGTERM, then SIGKILL for any still alive after `STOP_SECONDS`."""
    processes = [p for p in (getattr(pool, "_processes", None) or {}).values() if p.is_alive()]
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    alive = {process.sentinel: process for process in processes}
    for sentinel in wait(list(alive), timeout=STOP_SECONDS) if alive else []:
        alive.pop(sentinel)
    for process in alive.values():
        process.kill()
    for process in processes:
        process.join(timeout=STOP_SECONDS)


def pool_map(function: Callable, shared, tasks: Sequence, workers: int) -> list:
    """``function(shared, task)`` of each of ``tasks``, in their order: here where there is
    one worker or one task, else on a pool of up to ``workers`` processes, each given
    ``shared`` once (forked after SciPy's sparse matrices are imported, which Pyomo's
    compiler needs); an error or an interrupt stops the pool at once (`stop_now`).
    ``function`` is a module-level function."""
    if workers <= 1 or len(tasks) <= 1:
        return [function(shared, task) for task in tasks]
    scipy.sparse  # noqa: B018  (imported here, before the workers fork)
    pool = ProcessPoolExecutor(min(workers, len(tasks)), initializer=_init_shared,
                               initargs=(function, shared))
    try:
        out = list(pool.map(_call_shared, tasks))
    except BaseException:
        stop_now(pool)
        raise
    pool.shutdown()
    return out


_SHARED: tuple | None = None


def _init_shared(function: Callable, shared) -> None:
    global _SHARED
    quiet_worker()
    _SHARED = (function, shared)


def _call_shared(task):
    function, shared = _SHARED
    return function(shared, task)
