"""The built-in tariff library: one YAML file per real tariff, shipped in the package.

A scenario names one with ``from_library: NAME`` and may override any of its fields.
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


def library_data(name: str) -> tuple[dict[str, Any], Any, Path]:
    """Raw data, ruamel tree and path of a built-in tariff, for merging with overrides."""
    path = library_path(name)
    data, root = read_yaml(path)
    return data, root, path


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
