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
              help="Load profile CSV (timestamp,value_kw), any regular step.")
@click.option("--basic-charge", type=click.Choice(["none", "capacity", "contract_demand",
                                                   "max_demand"]), default="none")
@click.option("--transformer-kva", type=float, default=None)
@click.option("--contract-kw", type=float, default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON records instead of a table.")
def bill(tariff_name: str, load_file: Path, basic_charge: str, transformer_kva: float | None,
         contract_kw: float | None, as_json: bool) -> None:
    """The monthly bill of a load profile under a tariff, without optimising."""
    from energysim.errors import Problem
    from energysim.tariffs import compute_bill, resolve_tariff
    from energysim.timeseries import read_series

    tariff = _or_exit(resolve_tariff, tariff_name)
    problems: list[Problem] = []
    load = read_series(load_file, problems)
    if problems:
        _fail(ScenarioError(problems))
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
