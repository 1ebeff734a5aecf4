"""The ``energysim`` group itself, its exit codes, and the helpers every command uses.

`main` is the group the command modules of `energysim.cli` add their commands to; an
unexpected error prints one red line (the traceback with ``--debug``). `_or_exit` and
`_fail` turn a ScenarioError into its problems on stderr and exit code 2; `_load` loads a
scenario that way.

Exit codes of every command:

    0    success
    1    an unexpected error (one line; the traceback with ``--debug``)
    2    bad input: every problem listed, nothing solved
    3    solver trouble: infeasible, unbounded or failed, with what is to blame where known
    4    the output folder cannot be written: read-only, the disk full, a file in its place,
         or a folder of other files (it would be replaced whole); found before solving
         where it can be, and the folder then keeps its earlier contents
    5    the output folder is in use by another energysim run
    130  interrupted by Ctrl-C (SIGINT)
    143  terminated by SIGTERM

While a command runs, SIGTERM raises `Terminated`, a KeyboardInterrupt, so both end the same
way: worker processes stopped, staging folders removed, one line on stderr, no traceback.
A second signal while that happens is ignored, so the clean-up is not cut short. A thread
the interpreter would wait for at exit and that is still blocked after `THREAD_GRACE_S` (a
process pool's manager reading a result a stopped worker half wrote, a CPython race seen
under load) does not keep the process alive: it then ends at once (`os._exit`), streams
flushed, with the same code.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

import click

from energysim.errors import ScenarioError
from energysim.files import FolderInUse, OutputError

EXIT_UNEXPECTED = 1
EXIT_BAD_INPUT = 2
EXIT_SOLVER = 3
EXIT_OUTPUT = 4
EXIT_IN_USE = 5
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM
THREAD_GRACE_S = 3.0
"""How long an interrupted command waits for its other threads before ending without them [s]."""


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: raised where the program is, like Ctrl-C's KeyboardInterrupt."""


class _Group(click.Group):
    """Unexpected errors print one red line, or the traceback with ``--debug``; an unusable
    output folder, Ctrl-C and SIGTERM end with their exit codes and one line."""

    def invoke(self, ctx: click.Context):
        previous = _install_handlers()
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            _ignore_signals()
            _stop_children()
            _interrupted(ctx, isinstance(exc, Terminated))
        except OutputError as exc:
            click.secho(f"output folder: {exc}", fg="red", err=True)
            sys.exit(EXIT_IN_USE if isinstance(exc, FolderInUse) else EXIT_OUTPUT)
        except BrokenPipeError:  # the reader went away (`energysim tariffs list | head`)
            with suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - no flush at exit fails
            sys.exit(0)
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.secho(f"error: {type(exc).__name__}: {exc} (run with --debug for the "
                        "traceback)", fg="red", err=True)
            sys.exit(EXIT_UNEXPECTED)
        finally:
            _restore_handlers(previous)


def _install_handlers() -> dict | None:
    """SIGTERM raises `Terminated`; the first SIGINT or SIGTERM stops the program, later ones
    are ignored while it cleans up. Returns the handlers to restore (None off the main
    thread, where signals cannot be handled)."""
    try:
        return {signal.SIGTERM: signal.signal(signal.SIGTERM, _on_signal),
                signal.SIGINT: signal.signal(signal.SIGINT, _on_signal)}
    except ValueError:
        return None


def _on_signal(signum: int, frame) -> None:
    _ignore_signals()
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def _ignore_signals() -> None:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except ValueError:
        pass


def _restore_handlers(previous: dict | None) -> None:
    for signum, handler in (previous or {}).items():
        signal.signal(signum, handler)


def _stop_children() -> None:
    """Terminate any worker process still alive (the pools stop theirs; this is the last
    resort), then wait briefly for them."""
    children = multiprocessing.active_children()
    for child in children:
        child.terminate()
    for child in children:
        child.join(timeout=3)
        if child.is_alive():
            child.kill()


def _interrupted(ctx: click.Context, terminated: bool) -> None:
    kept = ("; the cases finished so far are kept in records.jsonl, a rerun resumes"
            if ctx.invoked_subcommand == "sweep" else "")
    how = "terminated by SIGTERM" if terminated else "interrupted by Ctrl-C"
    click.secho(f"energysim: {how}: workers stopped, no partial result left (the output "
                f"folder keeps its earlier complete result, if any){kept}", fg="yellow", err=True)
    exit_without_stuck_threads(EXIT_TERMINATED if terminated else EXIT_INTERRUPTED)


def exit_without_stuck_threads(code: int, grace_s: float = THREAD_GRACE_S) -> None:
    """``sys.exit(code)``, or, where a thread the interpreter would join at exit is still
    alive after ``grace_s`` in all, ``os._exit(code)`` (see the module docstring)."""
    deadline = time.monotonic() + grace_s
    waited = [t for t in threading.enumerate()
              if t is not threading.current_thread() and not t.daemon]
    for thread in waited:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in waited):
        with suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


@click.group(cls=_Group)
@click.version_option(package_name="energysim")
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
def main(debug: bool) -> None:
    """energysim: what each enterprise of an industrial park pays for electricity, and
    what it saves, under Chinese time-of-use tariffs, PV and storage."""


def _load(path: Path):
    from energysim.scenario import load_scenario

    return _or_exit(load_scenario, path)


def _or_exit(function, *args):
    """Call ``function``; a ScenarioError prints its problems and exits 2."""
    try:
        return function(*args)
    except ScenarioError as exc:
        _fail(exc)


def _fail(exc: ScenarioError) -> None:
    click.secho(str(exc), fg="red", err=True)
    sys.exit(EXIT_BAD_INPUT)


class _Quantity(click.FloatRange):
    """A finite number in a range (click's ranges let NaN through: it compares false)."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def quantity(low: float, high: float, *, low_open: bool = False) -> click.ParamType:
    """A click type: a finite number from ``low`` to ``high`` (above ``low`` where
    ``low_open``); NaN, infinities and absurd magnitudes are refused as bad parameters."""
    return _Quantity(low, high, min_open=low_open)


YEAR = click.IntRange(1990, 2100)
"""A calendar year a profile may be made for."""
WORKERS = click.IntRange(1, 256)
"""How many worker processes a command may start."""
