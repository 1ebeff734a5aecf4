"""Spot prices for tariffs whose floating part follows the market.

A tariff file or scenario declares ``energy_price: {spot: {file: prices.csv}}``; the file
is a CSV with a ``timestamp`` column (step starts, local time) and one price column (or
the one named ``column``) in CNY/kWh — not kW, so the profile readers' unit rules do not
apply. Prices may be negative. The path is relative to the file that declared it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energysim.errors import Problem, ScenarioError
from energysim.tariffs.tariff import Tariff
from energysim.timeseries import parse_timestamps, regular_series


def read_spot_prices(path: Path, column: str | None, problems: list[Problem]) -> pd.Series | None:
    """Prices [CNY/kWh] on their own regular index; problems appended, None where any."""
    before = len(problems)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        problems.append(Problem(str(path), None, None, "file", f"cannot be read as CSV ({exc})"))
        return None
    others = [c for c in frame.columns if c != "timestamp"]
    name = column or (others[0] if len(others) == 1 else None)
    if "timestamp" not in frame.columns or name not in frame.columns:
        problems.append(Problem(str(path), 1, None, "header",
                                f"expected 'timestamp' and one price column, or the column named "
                                f"by spot.column (got {list(frame.columns)})"))
        return None
    stamps = parse_timestamps(frame["timestamp"])
    prices = pd.to_numeric(frame[name], errors="coerce")
    for row in [*stamps[stamps.isna()].index[:3], *prices[prices.isna()].index[:3]]:
        problems.append(Problem(str(path), int(row) + 2, None, name,
                                f"not a timestamp and a price (got {frame.iloc[row].tolist()})"))
    if len(problems) > before:
        return None
    series = regular_series(str(path), stamps, prices.to_numpy(float), problems)
    return None if series is None else series.rename("price_cny_per_kwh")


def with_spot_file(tariff: Tariff, base: Path, problems: list[Problem]) -> Tariff:
    """``tariff`` with its spot prices read, where it declares some (else unchanged)."""
    spot = tariff.energy_price.spot
    if spot is None:
        return tariff
    path = (base / spot.file).resolve()
    if not path.is_file():
        problems.append(Problem(str(path), None, None, "spot.file", "spot price file not found"))
        return tariff
    prices = read_spot_prices(path, spot.column, problems)
    if prices is None:
        return tariff
    try:
        return tariff.with_spot_prices(prices)
    except ValueError as exc:
        problems.append(Problem(str(path), None, None, "spot", str(exc)))
        return tariff


def load_spot(tariff: Tariff, base: Path) -> Tariff:
    """`with_spot_file`, raising a `ScenarioError` for any problem."""
    problems: list[Problem] = []
    loaded = with_spot_file(tariff, base, problems)
    if problems:
        raise ScenarioError(problems)
    return loaded
