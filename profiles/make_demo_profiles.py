"""Remake the demo park's load profiles from energysim's documented archetypes.

    python profiles/make_demo_profiles.py

Every file is SYNTHETIC. Three loads are long CSV files (``timestamp,value_kw``), the
same as ``energysim profiles load --archetype ... --out ...`` writes; the cold store's is
written the way analysts usually receive data: a 96-point Excel sheet, one row per day,
columns labelled at the END of each interval (00:15 … 24:00), values in kWh per interval
(kWh = kW × 0.25 h). PV comes from the package's shipped Chongqing profile
(``{builtin: chongqing}``), made with ``energysim profiles pv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from energysim.profiles.archetypes import archetype_load_kw
from energysim.profiles.readers import ProfileRead, write_long

HERE = Path(__file__).resolve().parent
YEAR = 2025
LOADS = {  # file → (archetype, annual MWh, seed)
    "load_materials_3shift.csv": ("three_shift", 30_000, 1),
    "load_electronics_1shift.csv": ("single_shift", 6_000, 2),
    "load_auto_parts_2shift.csv": ("two_shift", 12_000, 3),
}
COLD_STORE = ("cold_storage", 4_000, 4)
COLD_STORE_FILE = "load_cold_store_96point_kwh.xlsx"


def write_96_point_kwh(load_kw: pd.Series, path: Path) -> None:
    """One row per day, 96 columns labelled at interval end, kWh per interval."""
    days = load_kw.index.normalize()
    minutes = (load_kw.index - days) // pd.Timedelta(minutes=1)
    table = (load_kw * 0.25).to_frame("kwh").assign(day=days, minute=minutes).pivot(
        index="day", columns="minute", values="kwh")
    table.columns = [f"{(m + 15) // 60:02d}:{(m + 15) % 60:02d}" for m in table.columns]
    table.index = table.index.strftime("%Y-%m-%d")
    table.index.name = "日期 (kWh)"
    table.round(3).reset_index().to_excel(path, sheet_name="负荷", index=False)


def main() -> None:
    for name, (archetype, annual_mwh, seed) in LOADS.items():
        series = archetype_load_kw(archetype, annual_mwh, YEAR, seed)
        write_long(ProfileRead(series, []), HERE / name)
        print(f"{name}: {archetype}, {annual_mwh} MWh, peak {series.max():.0f} kW")
    archetype, annual_mwh, seed = COLD_STORE
    series = archetype_load_kw(archetype, annual_mwh, YEAR, seed)
    write_96_point_kwh(series, HERE / COLD_STORE_FILE)
    print(f"{COLD_STORE_FILE}: {archetype}, {annual_mwh} MWh, peak {series.max():.0f} kW")


if __name__ == "__main__":
    main()
