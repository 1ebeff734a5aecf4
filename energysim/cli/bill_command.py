"""The ``bill`` command: the monthly bill of a load profile under a tariff."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from energysim.charges import BASIC_CHARGES
from energysim.cli._app import EXIT_BAD_INPUT, _fail, _or_exit, main, quantity
from energysim.errors import ScenarioError


@main.command()
@click.option("--tariff", "tariff_name", required=True, help="Built-in tariff name or YAML file.")
@click.option("--load", "load_file", type=click.Path(path_type=Path), required=True,
              help="Load profile: CSV timestamp,value_kw or a 96/24-point sheet (CSV, xlsx).")
@click.option("--basic-charge", type=click.Choice(list(BASIC_CHARGES)), default="none")
@click.option("--transformer-kva", type=quantity(0, 1e7, low_open=True), default=None)
@click.option("--contract-kw", type=quantity(0, 1e7, low_open=True), default=None)
@click.option("--unit", type=click.Choice(["kw", "kwh"]), default=None,
              help="Values are mean kW, or kWh per interval (default: from the header).")
@click.option("--sheet", default=None, help="Excel sheet name.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON records instead of a table.")
def bill(tariff_name: str, load_file: Path, basic_charge: str, transformer_kva: float | None,
         contract_kw: float | None, unit: str | None, sheet: str | None, as_json: bool) -> None:
    """The monthly bill of a load profile under a tariff, without optimising."""
    from energysim.errors import Problem
    from energysim.profiles.readers import DECLARE_ON_COMMAND_LINE, read_table
    from energysim.tariffs import compute_bill, resolve_tariff

    tariff = _or_exit(resolve_tariff, tariff_name)
    problems: list[Problem] = []
    read = read_table(load_file, problems, unit=unit, sheet=sheet, declare=DECLARE_ON_COMMAND_LINE)
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
