"""The ``tariffs`` command group: ``tariffs list`` and ``tariffs show``."""

from __future__ import annotations

from pathlib import Path

import click

from energysim.cli._app import _or_exit, main


@main.group()
def tariffs() -> None:
    """The built-in tariff library."""


@tariffs.command("list")
def tariffs_list() -> None:
    """Name, region, document and effective date of every built-in tariff."""
    from energysim.tariffs import library_table

    table = library_table()
    name, region = (max(len(h), *table[c].str.len()) for h, c in (("name", "name"),
                                                                    ("region", "region")))
    click.echo(f"{'name':<{name}} {'region':<{region}} {'effective':<11} {'figures from':<18} "
               "document")
    for row in table.itertuples(index=False):
        source = "secondary/assumed" if row.secondary_source else "document"
        click.echo(f"{row.name:<{name}} {row.region:<{region}} {row.effective or '-'!s:<11} "
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
