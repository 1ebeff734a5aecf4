"""Commands on a scenario: ``validate``, ``run``, ``sweep``, ``size`` and ``green-size``."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import pandas as pd

from energysim.cli._app import EXIT_BAD_INPUT, EXIT_SOLVER, WORKERS, _fail, _load, main
from energysim.errors import ScenarioError, SolverError


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check SCENARIO (schema, tariffs, profiles) without solving."""
    loaded = _load(scenario)
    click.echo(f"{scenario}: OK — {len(loaded.enterprises)} enterprises, "
               f"{len(loaded.cases)} cases, {len(loaded.index)} steps of "
               f"{loaded.spec.horizon.resolution}")
    for warning in loaded.warnings:
        click.secho(f"  warning: {warning}", fg="yellow")
    for note in loaded.notes:
        click.echo(f"  note: {note}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the results, created or replaced whole when they are complete.")
@click.option("--case", "cases", multiple=True,
              help="Run only this case (repeatable); the baseline case always runs too.")
@click.option("--workers", type=WORKERS, default=None, help="Processes (default: all cores).")
@click.option("--week", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the dispatch week in the figures.")
@click.option("--figures", "figure_set", type=click.Choice(["all", "summary", "none"]),
              default="summary", show_default=True,
              help="PNG figures: summary (savings, waterfalls, monthly peaks, tariff heatmaps, "
                   "the dispatch weeks of the best case and its reference), all (every case's "
                   "dispatch and load-duration curves too) or none.")
@click.option("--no-figures", is_flag=True, help="Skip the PNG figures (--figures none).")
@click.option("--timeseries", "timeseries_format", type=click.Choice(["parquet", "csv"]),
              default="parquet", show_default=True,
              help="Format of timeseries/<case>.*: Parquet (compact, typed) or CSV.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en",
              help="Language of the workbook, figures and report.")
def run(scenario: Path, out_dir: Path, cases: tuple[str, ...], workers: int | None,
        week, figure_set: str, no_figures: bool, timeseries_format: str, quiet: bool,
        lang: str) -> None:
    """Solve every case of SCENARIO and write costs, savings, time series and figures.

    The --out folder appears or is replaced as a whole once every file is written; while
    the run lasts it is locked against another run."""
    from energysim.analysis.run import run_scenario
    from energysim.analysis.sizing import size_cases
    from energysim.report.figures import check_week
    from energysim.report.fonts import cjk_note
    from energysim.report.outputs import reserved_output, write_outputs

    loaded = _load(scenario)
    if not quiet:
        for warning in loaded.warnings:
            click.secho(f"  warning: {warning}", fg="yellow", err=True)
        for note in [*loaded.notes, *filter(None, [cjk_note(lang)])]:
            click.echo(f"  note: {note}", err=True)
    if week is not None:
        try:
            week = check_week(loaded.index, pd.Timestamp(week))
        except ValueError as exc:
            click.secho(f"--week: {exc}", fg="red", err=True)
            sys.exit(EXIT_BAD_INPUT)
    selected = list(cases) or list(loaded.cases)
    unknown = [c for c in selected if c not in loaded.cases]
    if unknown:
        click.secho(f"{scenario}: unknown case(s) {', '.join(unknown)}; the scenario has: "
                    f"{', '.join(loaded.cases)}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    for reference in (loaded.reference_case(c) for c in list(selected)):
        if reference not in selected:  # the decomposition re-prices its flows
            selected.insert(0, reference)
    if loaded.baseline_case not in selected:
        selected.insert(0, loaded.baseline_case)
    start = time.perf_counter()
    with reserved_output(out_dir):  # writable and ours, or exit 4; another run's: exit 5
        try:
            loaded, _ = size_cases(loaded, selected, workers=workers)
            results = run_scenario(loaded, selected, workers=workers, progress=not quiet)
        except SolverError as exc:
            click.secho(str(exc), fg="red", err=True)
            sys.exit(EXIT_SOLVER)
        write_outputs(loaded, results, out_dir, figures="none" if no_figures else figure_set,
                      week_start=pd.Timestamp(week) if week else None, lang=lang,
                      timeseries=timeseries_format)
    if not quiet:
        base = results[loaded.baseline_case].total_cost_cny
        click.echo(f"{loaded.name}: {len(selected)} cases in {time.perf_counter() - start:.1f} s"
                   f" → {out_dir}")
        width = max(28, *(len(case) for case in results))
        for case, result in results.items():
            bound = "" if result.exact else f"   (within {result.bound_cny:,.0f} CNY of the optimum)"
            click.echo(f"  {case:<{width}} {result.total_cost_cny:>16,.0f} CNY"
                       f"   saves {base - result.total_cost_cny:>14,.0f} CNY{bound}")



@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--grid", "grid_file", type=click.Path(path_type=Path), required=True,
              help="YAML mapping of scenario paths to lists of values, or a CSV of points.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the records and the table; rerun with it to resume.")
@click.option("--case", "cases", multiple=True,
              help="Run only this case (repeatable); the baseline case always runs too.")
@click.option("--workers", type=WORKERS, default=None,
              help="Local processes (default: all cores).")
@click.option("--scheduler", default=None, help="Dask scheduler address, tcp://HOST:PORT.")
@click.option("--heatmap", nargs=2, default=None, metavar="X Y",
              help="Grid paths for the savings heatmap (default: the first two).")
@click.option("--retry-failed", is_flag=True, help="Run again the cases that failed before.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
def sweep(scenario: Path, grid_file: Path, out_dir: Path, cases: tuple[str, ...],
          workers: int | None, scheduler: str | None, heatmap, retry_failed: bool,
          quiet: bool) -> None:
    """Run SCENARIO over a grid of overrides: one row per point, case and enterprise in
    sweep.parquet and sweep.csv; finished cases are kept, so a rerun resumes."""
    from energysim.analysis.sweep_run import SweepSetupError, sweep_command

    try:
        summary = sweep_command(scenario, grid_file, out_dir, cases=list(cases), workers=workers,
                                scheduler=scheduler, heatmap=heatmap, retry_failed=retry_failed,
                                progress=not quiet)
    except ScenarioError as exc:
        _fail(exc)
    except SweepSetupError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if not quiet:
        counts = summary["counts"]
        click.echo(f"{summary['points']} points × {len(summary['cases'])} cases: "
                   f"{counts['done_before']} done before, {counts['run_now']} run now "
                   f"({counts['resolved']} re-priced), {counts['failed']} failed, "
                   f"{counts['seconds']:.1f} s → {out_dir}")
        for failure in summary["failures"][:5]:
            click.secho(f"  failed: point {failure['point']} {failure['case']}: "
                        f"{failure['error'][:200]}", fg="yellow", err=True)


@contextmanager
def _exit_on_errors(scenario: Path) -> Iterator[None]:
    """A name or option that does not fit the scenario (KeyError, ValueError) prints its
    message and exits 2; a model not solved (SolverError) exits 3."""
    try:
        yield
    except (KeyError, ValueError) as exc:
        click.secho(f"{scenario}: {exc.args[0]}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except SolverError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_SOLVER)


@main.command("green-size")
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--case", "case", required=True, help="A case that switches green_direct on.")
@click.option("--project", required=True, help="Id of the green-supply project.")
@click.option("--asset", type=click.Choice(["plant", "storage"]), default="plant",
              help="Scale the plant (PV and wind) or its battery.")
def green_size(scenario: Path, case: str, project: str, asset: str) -> None:
    """Smallest plant or plant battery of PROJECT that meets the 650号 ratio rules, and what
    complying at that size costs."""
    from energysim.analysis.green_sizing import size_for_compliance

    loaded = _load(scenario)
    with _exit_on_errors(scenario):
        sized = size_for_compliance(loaded, case, project, asset)
    click.echo(sized.describe())
    if sized.result is not None:
        costs = sized.result.cost_by_enterprise()
        click.echo(f"  at that size, rules enforced: {costs.sum():,.0f} CNY for "
                   f"{', '.join(costs.index)}")
        for row in sized.compliance.itertuples():
            click.echo(f"  {row.rule:<22} required {row.required_share:7.1%}   achieved "
                       f"{row.achieved_share:7.1%}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--case", "case", required=True, help="A case with size: {...}.")
@click.option("--enterprise", "enterprises", multiple=True,
              help="Size only the model holding this enterprise (repeatable).")
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="Write the sizes found to this CSV file.")
@click.option("--workers", type=WORKERS, default=None,
              help="Local processes (default: all cores).")
def size(scenario: Path, case: str, enterprises: tuple[str, ...], out_file: Path | None,
         workers: int | None) -> None:
    """Size the PV and batteries of CASE (its size: block) and confirm the sizes at the
    horizon's steps: the total annualised cost at the sizes × 0.9, × 1 and × 1.1."""
    from energysim.analysis.sizing import confirm, size_case

    loaded = _load(scenario)
    with _exit_on_errors(scenario):
        table = size_case(loaded, case, list(enterprises) or None, workers=workers)
        if table.empty:
            raise ValueError(f"case {case!r} sizes nothing at {', '.join(enterprises)}: no "
                             "asset it sizes is switched on behind their meters")
        checked = confirm(loaded, table, workers=workers)
    units = {"kwp": "kWp", "kwh": "kWh", "kw": "kW"}
    for row in table.itertuples():
        bound = "   (the largest allowed)" if row.at_max else ""
        click.echo(f"  {row.kind} {row.asset:<16} {row.size:>12,.0f} {units[row.unit]:<4} of at "
                   f"most {row.max_size:,.0f}, {row.annual_capacity_cost_cny:>12,.0f} CNY a year"
                   f"{bound}   (sized at {row.sized_at} steps in {row.sizing_solve_s:.1f} s)")
    for row in checked.itertuples():
        click.echo(f"  × {row.factor:<4g} bill {row.annual_bill_cny:>14,.0f} + assets "
                   f"{row.annual_capacity_cost_cny:>12,.0f} = {row.annual_total_cny:>14,.0f} CNY a "
                   f"year ({row.enterprises})")
    if out_file is not None:
        table.to_csv(out_file, index=False, float_format="%.6g")
