"""Command line: ``energysim validate`` and ``energysim run``.

Exit codes: 0 success, 2 bad input (the problems, no traceback), 3 solver failure.
``--debug`` shows the traceback of unexpected errors.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
import pandas as pd

from energysim.errors import ScenarioError, SolverError

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

    try:
        return load_scenario(path)
    except ScenarioError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check SCENARIO (schema, tariffs, profiles) without solving."""
    loaded = _load(scenario)
    click.echo(f"{scenario}: OK — {len(loaded.enterprises)} enterprises, "
               f"{len(loaded.cases)} cases, {len(loaded.index)} steps of "
               f"{loaded.spec.horizon.resolution}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the results (created if needed).")
@click.option("--case", "cases", multiple=True, help="Run only this case (repeatable).")
@click.option("--workers", type=int, default=None, help="Processes (default: all cores).")
@click.option("--week", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the dispatch week in the figures.")
@click.option("--no-figures", is_flag=True, help="Skip the PNG figures.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def run(scenario: Path, out_dir: Path, cases: tuple[str, ...], workers: int | None,
        week, no_figures: bool, quiet: bool) -> None:
    """Solve every case of SCENARIO and write costs, savings, time series and figures."""
    from energysim.analysis.run import run_scenario
    from energysim.report.outputs import write_outputs

    loaded = _load(scenario)
    selected = list(cases) or list(loaded.cases)
    unknown = [c for c in selected if c not in loaded.cases]
    if unknown:
        click.secho(f"{scenario}: unknown case(s) {', '.join(unknown)}; the scenario has: "
                    f"{', '.join(loaded.cases)}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if loaded.baseline_case not in selected:
        selected.insert(0, loaded.baseline_case)
    total = len(selected) * len(loaded.enterprises)
    done = [0]

    def progress(case: str, enterprise: str) -> None:
        done[0] += 1
        if not quiet:
            click.echo(f"  [{done[0]}/{total}] {case} / {enterprise}", err=True)

    start = time.perf_counter()
    try:
        results = run_scenario(loaded, selected, workers=workers, on_done=progress)
    except SolverError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_SOLVER)
    write_outputs(loaded, results, out_dir, figures=not no_figures,
                  week_start=pd.Timestamp(week) if week else None)
    if not quiet:
        base = results[loaded.baseline_case].total_cost_cny
        click.echo(f"{loaded.name}: {len(selected)} cases in {time.perf_counter() - start:.1f} s"
                   f" → {out_dir}")
        for case, result in results.items():
            click.echo(f"  {case:<28} {result.total_cost_cny:>16,.0f} CNY"
                       f"   saves {base - result.total_cost_cny:>14,.0f} CNY")
