"""The ``profiles`` command group: ``profiles convert``, ``profiles load`` and ``profiles pv``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pandas as pd

from energysim.cli._app import EXIT_BAD_INPUT, YEAR, _fail, main, quantity
from energysim.errors import ScenarioError


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
@click.option("--year", type=YEAR, default=None, help="Year for sheets whose dates have none.")
@click.option("--fill", type=click.Choice(["interpolate", "previous_day", "zero"]), default=None,
              help="Fill gaps by this rule instead of rejecting the file.")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True)
def profiles_convert(file: Path, resolution: str, unit: str | None, layout: str,
                     sheet: str | None, year: int | None, fill: str | None,
                     out_file: Path) -> None:
    """Turn any accepted profile FILE into the long form timestamp,value_kw."""
    from energysim.errors import Problem
    from energysim.profiles.readers import DECLARE_ON_COMMAND_LINE, convert, write_long

    problems: list[Problem] = []
    read = convert(file, problems, resolution=resolution, unit=unit, year=year, layout=layout,
                   sheet=sheet, fill=fill, declare=DECLARE_ON_COMMAND_LINE)
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
@click.option("--annual-mwh", type=quantity(0, 1e8, low_open=True), required=True)
@click.option("--year", type=YEAR, required=True)
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
@click.option("--lat", type=quantity(-90, 90), default=29.56, show_default=True)
@click.option("--lon", type=quantity(-180, 180), default=106.55, show_default=True)
@click.option("--tilt", type=quantity(0, 90), default=20.0, show_default=True)
@click.option("--azimuth", type=quantity(0, 360), default=180.0, show_default=True,
              help="180 = south")
@click.option("--year", type=YEAR, required=True)
@click.option("--seed", type=int, default=0)
@click.option("--resolution", type=click.Choice(["15min", "1h"]), default="15min")
@click.option("--out", "out_file", type=click.Path(path_type=Path), required=True)
def profiles_pv(lat: float, lon: float, tilt: float, azimuth: float, year: int, seed: int,
                resolution: str, out_file: Path) -> None:
    """Write PV output per kWp for a place with pvlib (the pv extra), calibrated to Chongqing's
    monthly irradiation (timestamp,value_kw_per_kwp)."""
    from energysim.profiles.pv import pv_kw_per_kwp
    from energysim.profiles.readers import ProfileRead, write_long

    try:
        series = pv_kw_per_kwp(year, latitude=lat, longitude=lon, tilt_deg=tilt,
                               azimuth_deg=azimuth, seed=seed, resolution=resolution)
    except ImportError as exc:  # pvlib is imported when it is needed
        if (exc.name or "").split(".")[0] != "pvlib":
            raise
        click.secho("profiles pv needs pvlib, in the pv extra: pip install 'energysim[pv]'",
                    fg="red", err=True)
        sys.exit(EXIT_BAD_INPUT)
    write_long(ProfileRead(series.rename("value_kw_per_kwp"), []), out_file)
    hours = (series.index[1] - series.index[0]) / pd.Timedelta(hours=1)
    click.echo(f"{out_file}: {series.sum() * hours:,.0f} kWh/kWp in {year}, "
               f"peak {series.max():.3f} kW/kWp")
