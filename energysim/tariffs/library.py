"""The built-in tariff library: one YAML file per real tariff, shipped in the package.

A scenario names one with ``from_library: NAME`` and may override any of its fields. A
library file may itself start from another (``from_library:``, e.g. a proposal that keeps
today's price tables and changes the band hours): its own fields override the base's as a
scenario's do, and the base's published prices are dropped, since they were published for
the base, not for the proposal.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from energysim.errors import ScenarioError
from energysim.tariffs.spot import load_spot
from energysim.tariffs.tariff import Tariff
from energysim.yamlio import read_yaml, validate


def _library_dir() -> Path:
    return Path(str(resources.files("energysim.tariffs") / "library"))


def library_names() -> list[str]:
    """Names of the built-in tariffs (file names without ``.yaml``)."""
    return sorted(p.stem for p in _library_dir().glob("*.yaml"))


def library_path(name: str) -> Path:
    """Path of a built-in tariff file.

    Raises
    ------
    KeyError
        No tariff of that name; the message lists the ones there are.
    """
    names = library_names()
    if name not in names:  # a name, never a path: nothing outside the library is read
        raise KeyError(f"no built-in tariff {name!r}; there are: {', '.join(names)}")
    return _library_dir() / f"{name}.yaml"


def library_data(name: str, _seen: tuple[str, ...] = ()) -> tuple[dict[str, Any], Any, Path]:
    """Raw data, ruamel tree and path of a built-in tariff, for merging with overrides; a
    file that starts ``from_library:`` another is merged onto it."""
    path = library_path(name)
    data, root = read_yaml(path)
    base = data.get("from_library") if isinstance(data, dict) else None
    if base is None:
        return data, root, path
    if str(base) in (*_seen, name):
        raise ScenarioError.single(path, "from_library", "tariffs start from each other in a "
                                   f"circle: {' -> '.join((*_seen, name, str(base)))}")
    base_data, _, _ = library_data(str(base), (*_seen, name))
    own = {key: value for key, value in data.items() if key != "from_library"}
    return library_merge(unpublished(base_data), own), root, path


def unpublished(data: dict[str, Any]) -> dict[str, Any]:
    """A tariff's data without its published prices (see the module docstring)."""
    prices = dict(data.get("energy_price") or {})
    prices.pop("published_cny_per_kwh", None)
    if isinstance(prices.get("months"), dict):
        prices["months"] = {key: {k: v for k, v in table.items()
                                  if k not in ("published_cny_per_kwh", "source")}
                            for key, table in prices["months"].items()}
    return {**data, "energy_price": prices}


def load_library_tariff(name: str) -> Tariff:
    """A built-in tariff, validated (with its spot prices, where it has some)."""
    data, root, path = library_data(name)
    return load_spot(validate(Tariff, data, path, root), path.parent)


def library_table() -> pd.DataFrame:
    """One row per built-in tariff: name, region, document, effective date, whether its
    figures come from a secondary source, and its display name."""
    rows = []
    for name in library_names():
        tariff = load_library_tariff(name)
        rows.append((name, tariff.region, tariff.document, tariff.effective,
                     tariff.secondary_source, tariff.name))
    return pd.DataFrame(rows, columns=["name", "region", "document", "effective",
                                       "secondary_source", "title"])


def resolve_tariff(name_or_path: str | Path) -> Tariff:
    """A built-in tariff by name, or a tariff YAML file by path.

    Raises
    ------
    ScenarioError
        Neither a built-in name nor a readable, valid tariff file.
    """
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_tariff_file(path)
    try:
        return load_library_tariff(str(name_or_path))
    except KeyError as exc:
        raise ScenarioError.single(name_or_path, "tariff", exc.args[0]) from None


def load_tariff_file(path: str | Path) -> Tariff:
    """A tariff from a YAML file of the library's form."""
    data, root = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError.single(path, "(top level)", "a tariff file must be a mapping")
    return load_spot(validate(Tariff, data, path, root), Path(path).parent)


PRICE_WAYS = ("bands_cny_per_kwh", "flat_cny_per_kwh", "spot")
"""The fields of an energy_price that price energy another way (`prices_anew`)."""


def prices_anew(override: dict) -> bool:
    """An override that prices energy another way replaces the library's energy_price."""
    prices = override.get("energy_price")
    return isinstance(prices, dict) and bool(set(PRICE_WAYS) & set(prices))


def library_merge(library: dict, override: dict) -> dict:
    """A library tariff's data with ``override`` on top (see the module docstring). Monthly
    tables given to a tariff without them replace its single table (its ratios kept)."""
    prices, base = override.get("energy_price"), library.get("energy_price")
    if isinstance(prices, dict) and "months" in prices and isinstance(base, dict) \
            and base.get("months") is None:
        library = {**library, "energy_price": {k: v for k, v in base.items() if k == "ratios"}}
    return _merge(library, override, replace=("energy_price",) if prices_anew(override) else ())


def _merge(base: dict, override: dict, replace: tuple[str, ...] = ()) -> dict:
    """``override`` on top of ``base``; nested mappings are merged (those named in
    ``replace`` replaced), lists replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in replace:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out
