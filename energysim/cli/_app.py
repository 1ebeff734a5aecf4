"""The ``energysim`` group itself, its exit codes, and the helpers every command uses.

`main` is the group the command modules of `energysim.cli` add their commands to; an
unexpected error prints one red line (the traceback with ``--debug``). `_or_exit` and
`_fail` turn a ScenarioError into its problems on stderr and exit code 2; `_load` loads a
scenario that way.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from energysim.errors import ScenarioError

EXIT_BAD_INPUT = 2
EXIT_SOLVER = 3


class _Group(click.Group):
    """Unexpected errors print one red line, or the traceback with ``--debug``."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:
            if ctx.params.get("debug"):
                raise
            click.secho(f"error: {type(exc).__name__}: {exc} (run with --debug for the "
                        "traceback)", fg="red", err=True)
            sys.exit(1)


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
