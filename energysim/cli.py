"""Command line: ``validate``, ``run``, ``tariffs list|show`` and ``bill``.

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

    return _or_exit(load_scenario, path)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
def validate(scenario: Path) -> None:
    """Check SCENARIO (schema, tariffs, profiles) without solving."""
    loaded = _load(scenario)
    click.echo(f"{scenario}: OK — {len(loaded.enterprises)} enterprises, "
               f"{len(loaded.cases)} cases, {len(loaded.index)} steps of "
               f"{loaded.spec.horizon.resolution}")
    for note in loaded.notes:
        click.echo(f"  note: {note}")


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the results (created if needed).")
@click.option("--case", "cases", multiple=True,
              help="Run only this case (repeatable); the baseline case always runs too.")
@click.option("--workers", type=int, default=None, help="Processes (default: all cores).")
@click.option("--week", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="First day of the dispatch week in the figures.")
@click.option("--no-figures", is_flag=True, help="Skip the PNG figures.")
@click.option("--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en",
              help="Language of the workbook, figures and report.")
def run(scenario: Path, out_dir: Path, cases: tuple[str, ...], workers: int | None,
        week, no_figures: bool, quiet: bool, lang: str) -> None:
    """Solve every case of SCENARIO and write costs, savings, time series and figures."""
    from energysim.analysis.run import run_scenario
    from energysim.report.figures import check_week
    from energysim.report.fonts import cjk_note
    from energysim.report.outputs import write_outputs

    loaded = _load(scenario)
    if not quiet:
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
    if loaded.baseline_case not in selected:
        selected.insert(0, loaded.baseline_case)
    start = time.perf_counter()
    try:
        results = run_scenario(loaded, selected, workers=workers, progress=not quiet)
    except SolverError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_SOLVER)
    write_outputs(loaded, results, out_dir, figures=not no_figures,
                  week_start=pd.Timestamp(week) if week else None, lang=lang)
    if not quiet:
        base = results[loaded.baseline_case].total_cost_cny
        click.echo(f"{loaded.name}: {len(selected)} cases in {time.perf_counter() - start:.1f} s"
                   f" → {out_dir}")
        for case, result in results.items():
            bound = "" if result.exact else f"   (within {result.bound_cny:,.0f} CNY of the optimum)"
            click.echo(f"  {case:<28} {result.total_cost_cny:>16,.0f} CNY"
                       f"   saves {base - result.total_cost_cny:>14,.0f} CNY{bound}")




@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--grid", "grid_file", type=click.Path(path_type=Path), required=True,
              help="YAML mapping of scenario paths to lists of values, or a CSV of points.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Folder for the records and the table; rerun with it to resume.")
@click.option("--case", "cases", multiple=True,
              help="Run only this case (repeatable); the baseline case always runs too.")
@click.option("--workers", type=int, default=None, help="Local processes (default: all cores).")
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
    try:
        sized = size_for_compliance(loaded, case, project, asset)
    except (KeyError, ValueError) as exc:
        click.secho(f"{scenario}: {exc.args[0]}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except SolverError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(EXIT_SOLVER)
    click.echo(sized.describe())
    if sized.result is not None:
        costs = sized.result.cost_by_enterprise()
        click.echo(f"  at that size, rules enforced: {costs.sum():,.0f} CNY for "
                   f"{', '.join(costs.index)}")
        for row in sized.compliance.itertuples():
            click.echo(f"  {row.rule:<22} required {row.required_share:7.1%}   achieved "
                       f"{row.achieved_share:7.1%}")

@main.group()
def tariffs() -> None:
    """The built-in tariff library."""


@tariffs.command("list")
def tariffs_list() -> None:
    """Name, region, document and effective date of every built-in tariff."""
    from energysim.tariffs import library_table

    table = library_table()
    for row in table.itertuples(index=False):
        source = "secondary/assumed" if row.secondary_source else "document"
        click.echo(f"{row.name:<34} {row.region:<10} {row.effective or '-'!s:<11} "
                   f"{source:<18} {row.document}")


@tariffs.command("show")
@click.argument("tariff")
@click.option("--png", type=click.Path(path_type=Path), default=None,
              help="Heatmap file (default: <TARIFF>_bands.png here).")
def tariffs_show(tariff: str, png: Path | None) -> None:
    """Print TARIFF's bands as a month × time-of-day grid and write a heatmap PNG.

    TARIFF is a built-in name (see `energysim tariffs list`) or a tariff YAML file.
    """
    from energysim.report.tariff_views import band_text, plot_band_heatmap
    from energysim.tariffs import resolve_tariff

    resolved = _or_exit(resolve_tariff, tariff)
    label = Path(tariff).stem
    click.echo(band_text(resolved))
    png = png or Path(f"{label}_bands.png")
    plot_band_heatmap(resolved, label).savefig(png, dpi=100)
    click.echo(f"\nheatmap: {png}")


@main.command()
@click.option("--tariff", "tariff_name", required=True, help="Built-in tariff name or YAML file.")
@click.option("--load", "load_file", type=click.Path(path_type=Path), required=True,
              help="Load profile: CSV timestamp,value_kw or a 96/24-point sheet (CSV, xlsx).")
@click.option("--basic-charge", type=click.Choice(["none", "capacity", "contract_demand",
                                                   "max_demand"]), default="none")
@click.option("--transformer-kva", type=float, default=None)
@click.option("--contract-kw", type=float, default=None)
@click.option("--unit", type=click.Choice(["kw", "kwh"]), default=None,
              help="Values are mean kW, or kWh per interval (default: from the header).")
@click.option("--sheet", default=None, help="Excel sheet name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records instead of a table.")
def bill(tariff_name: str, load_file: Path, basic_charge: str, transformer_kva: float | None,
         contract_kw: float | None, unit: str | None, sheet: str | None, as_json: bool) -> None:
    """The monthly bill of a load profile under a tariff, without optimising."""
    from energysim.errors import Problem
    from energysim.profiles.readers import read_table
    from energysim.tariffs import compute_bill, resolve_tariff

    tariff = _or_exit(resolve_tariff, tariff_name)
    problems: list[Problem] = []
    read = read_table(load_file, problems, unit=unit, sheet=sheet)
    if problems or read is None:
        _fail(ScenarioError(problems))
    load = read.series
    try:
        table = compute_bill(tariff, load, basic_charge=basic_charge,
                             transformer_kva=transformer_kva, contract_demand_kw=contract_kw)
    except ValueError as exc:
        click.secho(f"{load_file}: {exc}", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    table.loc["total"] = table.sum()
    table.loc["total", "peak_kw"] = table["peak_kw"].iloc[:-1].max()
    if as_json:
        click.echo(table.reset_index().to_json(orient="records", force_ascii=False, indent=2))
        return
    click.echo(f"{tariff.name} ({tariff.document}) — {load_file}, basic charge: {basic_charge}")
    click.echo(table.round(2).to_string())


def _or_exit(function, *args):
    """Call ``function``; a ScenarioError prints its problems and exits 2."""
    try:
        return function(*args)
    except ScenarioError as exc:
        _fail(exc)


def _fail(exc: ScenarioError) -> None:
    click.secho(str(exc), fg="red", err=True)
    sys.exit(EXIT_BAD_INPUT)


@main.group()
def profiles() -> None:
    """Read, convert and make load and PV profiles."""


@profiles.command("convert")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--resolution", type=click.Choice(["15min", "1h"]), required=True)
@click.option("--unit", type=click.Choice(["kw", "kwh"]), default=None,
              help="Values are mean kW, or kWh per interval (default: from the header).")
@click.option("--layout", type=click.Choice(["auto", "long", "wide"]), default="auto")
@click.option("--sheet", default=None, help="Excel sheet name.")
@click.option("--year", type=int, default=None, help="Year for sheets whose dates have none.")
@click.option("--fill", type=click.Choice(["interpolate", "previous_day", "zero"]), default=None,
              help="Fill gaps by this rule instead of rejecting the file.")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True)
def profiles_convert(file: Path, resolution: str, unit: str | None, layout: str,
                     sheet: str | None, year: int | None, fill: str | None,
                     out_file: Path) -> None:
    """Turn any accepted profile FILE into the long form timestamp,value_kw."""
    from energysim.errors import Problem
    from energysim.profiles.readers import convert, write_long

    problems: list[Problem] = []
    read = convert(file, problems, resolution=resolution, unit=unit, year=year, layout=layout,
                   sheet=sheet, fill=fill)
    if problems or read is None:
        _fail(ScenarioError(problems))
    write_long(read, out_file)
    for note in read.notes:
        click.echo(f"  {note}")
    series = read.series
    hours = (series.index[1] - series.index[0]) / pd.Timedelta(hours=1)
    click.echo(f"{out_file}: {len(series)} steps from {series.index[0]:%Y-%m-%d %H:%M}, "
               f"{series.sum() * hours / 1000:,.1f} MWh, peak {series.max():,.1f} kW")


@profiles.command("load")
@click.option("--archetype", required=True, help="single_shift, two_shift, three_shift, ...")
@click.option("--annual-mwh", type=float, required=True)
@click.option("--year", type=int, required=True)
@click.option("--seed", type=int, default=0)
@click.option("--resolution", type=click.Choice(["15min", "1h"]), default="15min")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True)
def profiles_load(archetype: str, annual_mwh: float, year: int, seed: int, resolution: str,
                  out_file: Path) -> None:
    """Write a synthetic load of a documented archetype (timestamp,value_kw)."""
    from energysim.profiles.archetypes import archetype_load_kw
    from energysim.profiles.readers import ProfileRead, write_long

    try:
        series = archetype_load_kw(archetype, annual_mwh, year, seed, resolution)
    except ValueError as exc:
        _fail(ScenarioError.single("--archetype", archetype, str(exc)))
    write_long(ProfileRead(series, []), out_file)
    click.echo(f"{out_file}: {archetype}, {annual_mwh:,.0f} MWh in {year}, "
               f"peak {series.max():,.1f} kW, mean {series.mean():,.1f} kW")


@profiles.command("pv")
@click.option("--lat", type=float, default=29.56, show_default=True)
@click.option("--lon", type=float, default=106.55, show_default=True)
@click.option("--tilt", type=float, default=20.0, show_default=True)
@click.option("--azimuth", type=float, default=180.0, show_default=True, help="180 = south")
@click.option("--year", type=int, required=True)
@click.option("--seed", type=int, default=0)
@click.option("--resolution", type=click.Choice(["15min", "1h"]), default="15min")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True)
def profiles_pv(lat: float, lon: float, tilt: float, azimuth: float, year: int, seed: int,
                resolution: str, out_file: Path) -> None:
    """Write PV output per kWp for a place with pvlib (the pv extra), calibrated to Chongqing's
    monthly irradiation (timestamp,value_kw_per_kwp)."""
    try:
        from energysim.profiles.pv import pv_kw_per_kwp
    except ImportError:
        click.secho("pvlib is not installed: pip install 'energysim[pv]'", fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from energysim.profiles.readers import ProfileRead, write_long

    series = pv_kw_per_kwp(year, latitude=lat, longitude=lon, tilt_deg=tilt, azimuth_deg=azimuth,
                           seed=seed, resolution=resolution)
    write_long(ProfileRead(series.rename("value_kw_per_kwp"), []), out_file)
    hours = (series.index[1] - series.index[0]) / pd.Timedelta(hours=1)
    click.echo(f"{out_file}: {series.sum() * hours:,.0f} kWh/kWp in {year}, "
               f"peak {series.max():.3f} kW/kWp")
