"""The executors sweeps run on: a local process pool, or the executor of a Dask cluster.

Both follow `concurrent.futures`. A process pool pickles what it is given with each task; a
Dask cluster gets the sweep's base scattered once to its workers (`shipped`). The
``distributed`` package is imported only where a scheduler is named (the ``dask`` extra).
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """A local process pool (``workers`` processes, default all cores), or the executor of
    the Dask cluster at ``scheduler`` (its client is the executor's ``_client``)."""
    if scheduler is None:
        return ProcessPoolExecutor(workers or os.cpu_count() or 1)
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


def shut_down(executor: Executor) -> None:
    """Stop ``executor``: a Dask executor and its client once their tasks are done, a
    process pool at once, its queued tasks cancelled."""
    client = _client(executor)
    if client is not None:
        executor.shutdown(wait=True)
        client.close()
    else:
        executor.shutdown(wait=True, cancel_futures=True)
