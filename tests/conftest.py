"""Shared helpers: tiny scenarios written to a temporary folder, and the demo on a short span."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "scenarios" / "chongqing_demo_park.yaml"

FLAT_TARIFF = {
    "name": "flat 1.0",
    "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
    "energy_price": {"bands_cny_per_kwh": {"flat": 1.0}},
    "basic_charge": {"capacity_cny_per_kva_month": 20.0, "demand_cny_per_kw_month": 10.0},
    "export_price_cny_per_kwh": 0.4,
}


def two_price_tariff(cheap_until: str = "02:00", low: float = 0.3, high: float = 1.0) -> dict:
    """Valley from midnight to ``cheap_until``, peak for the rest of the day."""
    return {
        "name": "two prices",
        "periods": [{"band": "valley", "hours": [f"00:00-{cheap_until}"]},
                    {"band": "peak", "hours": [f"{cheap_until}-24:00"]}],
        "energy_price": {"bands_cny_per_kwh": {"valley": low, "peak": high}},
        "basic_charge": {"capacity_cny_per_kva_month": 20.0, "demand_cny_per_kw_month": 10.0},
        "export_price_cny_per_kwh": 0.0,
    }


KWP = 1000.0
"""The rooftop PV of the small test parks: KWP kWp whose profile is the wanted kW over KWP, so
that per-kWp values stay below 1.1 kW/kWp (`energysim.scenario_warnings`)."""


def per_kwp(pv_kw) -> np.ndarray:
    """A PV output in kW as the per-kWp profile of `KWP` kWp."""
    return np.asarray(pv_kw, dtype=float) / KWP


def write_profile(path: Path, start: str, values, freq: str = "1h",
                  column: str = "value_kw") -> Path:
    index = pd.date_range(start, periods=len(values), freq=freq)
    frame = pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M"), column: values})
    frame.to_csv(path, index=False)
    return path


def dump_yaml(data: dict, path: Path) -> Path:
    buffer = io.StringIO()
    YAML().dump(data, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def tiny_scenario(folder: Path, load_kw, *, tariff: dict | None = None, pv_kw=None,
                  storage: dict | None = None, basic_charge: str = "none",
                  contract_demand_kw: float | None = None, transformer_kva: float = 1000.0,
                  start: str = "2025-01-01 00:00", resolution: str = "1h") -> Path:
    """A one-enterprise scenario with cases ``none`` (no assets) and ``all`` (PV, storage)."""
    freq = {"1h": "1h", "15min": "15min"}[resolution]
    n = len(load_kw)
    end = pd.Timestamp(start) + n * pd.Timedelta(freq)
    write_profile(folder / "load.csv", start, load_kw, freq)
    ent = {"id": "plant", "name": "测试工厂", "load": "load.csv", "tariff": "t",
           "transformer_kva": transformer_kva, "basic_charge": basic_charge}
    if contract_demand_kw is not None:
        ent["contract_demand_kw"] = contract_demand_kw
    if pv_kw is not None:
        write_profile(folder / "pv.csv", start, per_kwp(pv_kw), freq, "value_kw_per_kwp")
        ent["pv"] = {"capacity_kwp": KWP, "profile": "pv.csv"}
    if storage is not None:
        ent["storage"] = storage
    data = {
        "name": "tiny",
        "horizon": {"start": start, "end": str(end), "resolution": resolution},
        "tariffs": {"t": tariff or FLAT_TARIFF},
        "enterprises": [ent],
        "cases": {"none": {}, "all": {"assets": ["pv", "storage"]}},
        "baseline_case": "none",
    }
    return dump_yaml(data, folder / "scenario.yaml")


def demo_scenario(folder: Path, start: str, end: str, resolution: str = "15min") -> Path:
    """The demo park on a shorter span, profiles read from the repository."""
    yaml = YAML()
    data = yaml.load(DEMO.read_text(encoding="utf-8"))
    data["horizon"] = {"start": start, "end": end, "resolution": resolution}
    for ent in data["enterprises"]:
        if isinstance(ent["load"], str):
            ent["load"] = str((DEMO.parent / ent["load"]).resolve())
        else:
            ent["load"]["file"] = str((DEMO.parent / ent["load"]["file"]).resolve())
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    path = folder / "demo_short.yaml"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_week(tmp_path_factory):
    """The demo park over a July week (critical-peak month), its sizing cases sized (on the
    hourly week), all cases solved."""
    from energysim import load_scenario, run_scenario
    from energysim.analysis.sizing import size_cases

    folder = tmp_path_factory.mktemp("demo_week")
    scenario, _ = size_cases(load_scenario(demo_scenario(folder, "2025-07-07", "2025-07-14")),
                             workers=1)
    return scenario, run_scenario(scenario, workers=1)


def constant(n: int, value: float) -> list[float]:
    return list(np.full(n, value))
