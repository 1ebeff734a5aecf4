"""What an hourly model misses of the maximum demand: the peak inside each hour.

A meter bills the highest 15-minute mean import of the month; a model at hourly steps sees
only hourly means. Where the profiles exist at 15 minutes (files at 15 minutes or finer,
archetypes, the shipped and pvlib PV profiles), an hourly model holds its dispatch (battery,
flexibility, grid import) through each hour h against the real quarter-hours q of the load L
and the PV available V, so the meter sees

    import_q = grid_import_kw[h] − grid_export_kw[h] + (N_q − mean_{q∈h} N_q),
    N = L − V   (V = 0 where PV is off)

and the month's billed demand is max_h (grid_import_kw[h] − grid_export_kw[h] + margin[h])
(an hour exported through may still import in a quarter-hour) with

    margin[h] = max_{q∈h} N_q − mean_{q∈h} N_q ≥ 0,

which the model adds to ``demand_peak_def`` (`energysim.model.basic_charge`). Where a load
exists only hourly the margin is unknown: the demand charge of that enterprise is a lower
bound, and the run says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.assets import declared_assets
from energysim.charges import DEMAND_CHARGES
from energysim.profiles.sources import SourceReader
from energysim.timeseries import horizon_index

QUARTERS_PER_HOUR = 4


def read_quarter_hours(spec, base, problems_seen: bool, store) -> tuple[dict, dict]:
    """Each enterprise's load [kW] and each PV array's output per kWp [kW/kWp] at 15 minutes
    over an hourly horizon, where their sources have 15-minute data (else left out)."""
    if spec.horizon.resolution == "15min" or problems_seen:
        return {}, {}
    index = horizon_index(spec.horizon.start, spec.horizon.end, "15min")
    ignored: list = []  # the hourly reading has reported what is wrong with a source
    reader = SourceReader(base, index, ignored, store, finest_only=True)
    load, pv = {}, {}
    for ent in spec.enterprises:
        values = reader.read(ent.load, lambda message: None)
        if values is not None and not ignored:
            load[ent.id] = values
        ignored.clear()
    for array in (a for a in declared_assets(spec) if a.kind == "pv"):
        values = reader.read(array.spec.profile, lambda message: None, default_unit="kw")
        if values is not None and not ignored:
            pv[array.id] = values
        ignored.clear()
    return load, pv


def demand_margin_kw(load_kw: np.ndarray, pv_kw: np.ndarray | None = None) -> np.ndarray:
    """margin[h] = max − mean over each hour's quarter-hours of the load net of PV [kW]."""
    net = np.asarray(load_kw, dtype=float) - (0.0 if pv_kw is None else np.asarray(pv_kw))
    hours = net.reshape(-1, QUARTERS_PER_HOUR)
    return hours.max(axis=1) - hours.mean(axis=1)


def metered_demand_kw(import_kw, export_kw, margin_kw: np.ndarray):
    """What the meter bills as demand in each step: the mean net import plus the step's
    15-minute margin, at least 0 [kW]."""
    return (import_kw - export_kw + margin_kw).clip(lower=0.0)


def margin_notes(spec, load_quarter_kw: dict, pv_quarter_kw_per_kwp: dict) -> list[str]:
    """What a reader of an hourly run should know about its demand charges."""
    billed = [e.id for e in spec.enterprises if e.basic_charge in DEMAND_CHARGES]
    if spec.horizon.resolution == "15min" or not billed:
        return []
    known = [e for e in billed if e in load_quarter_kw]
    unknown = [e for e in billed if e not in load_quarter_kw]
    hourly_arrays = {a.at for a in declared_assets(spec)
                     if a.kind == "pv" and a.id not in pv_quarter_kw_per_kwp}
    pv_hourly = [e for e in known if e in hourly_arrays]
    notes = []
    if known:
        notes.append(f"hourly steps: the maximum demand of {', '.join(known)} adds each hour's "
                     "15-minute peak above the hourly mean of its load net of PV, as a meter "
                     "bills it with the dispatch held through the hour")
    if pv_hourly:
        notes.append(f"hourly PV profile for {', '.join(pv_hourly)}: its 15-minute margin "
                     "counts the load's variation within the hour only, not the PV's")
    if unknown:
        notes.append(f"hourly steps and no 15-minute profile for {', '.join(unknown)}: its "
                     "maximum demand is the hourly mean, a lower bound of the highest 15-minute "
                     "mean a meter bills, so its demand charge here is a lower bound")
    return notes


def hourly_mean(values: np.ndarray) -> np.ndarray:
    """The hourly means of 15-minute values."""
    return np.asarray(values, dtype=float).reshape(-1, QUARTERS_PER_HOUR).mean(axis=1)


def quarter_index(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The 15-minute steps of an hourly index."""
    return pd.date_range(index[0], periods=len(index) * QUARTERS_PER_HOUR, freq="15min")
