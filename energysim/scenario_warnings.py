"""Inputs that are allowed but suspicious: what a run warns about (not errors).

Each warning is one line for the run's notes, the command line and ``summary.json``:

* a profile that is all zeros (a load that never draws, PV that never generates);
* PV output per kWp above `PV_WARN_KW_PER_KWP` at its peak (above `PV_MAX_KW_PER_KWP` it is
  an error, `pv_peak_problem`: panels do not give more than their rating by that much; a
  profile in W/kWp peaks near 1,000);
* a load from a file whose peak is below `PEAK_SHARE_WARN` of its transformer: values of kWh
  per 15-minute interval read as kW look a quarter of what they are (transformers are sized
  for their peaks: the demo's peak at 66–83 % of theirs);
* a case that switches the VPP on while every event falls outside the horizon (it pays the
  capacity payment only, or nothing, and its costs differ from the VPP case a reader expects);
* a tariff with one price table per month whose default table prices months of the horizon
  that have no table of their own (agency-purchase prices change every month), or whose
  published prices its floating base, ratios and adder do not reproduce;
* ``calendar: weekends_only`` over years no holiday calendar covers (no public holidays).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from energysim.daytypes import covered_years, uncovered_years
from energysim.vpp_baseline import events_in_horizon

PV_MAX_KW_PER_KWP = 1.1
"""PV output per kWp installed above this is impossible (an error). [kW/kWp]"""
PV_WARN_KW_PER_KWP = 1.0
"""PV output per kWp above this is possible only in rare conditions (a warning). [kW/kWp]"""
PEAK_SHARE_WARN = 0.25
"""A load from a file peaking below this share of its transformer's kVA is warned about. [-]"""


def pv_peak_problem(values_kw_per_kwp: np.ndarray, index: pd.DatetimeIndex) -> str | None:
    """What is wrong with a PV profile whose peak is impossible (None where it is not)."""
    worst = int(np.argmax(values_kw_per_kwp))
    peak = float(values_kw_per_kwp[worst])
    if peak <= PV_MAX_KW_PER_KWP:
        return None
    hint = " (a profile in W/kWp? divide it by 1000)" if peak > 100 else ""
    return (f"PV output reaches {peak:,.4g} kW per kWp at {index[worst]:%Y-%m-%d %H:%M}; more than "
            f"{PV_MAX_KW_PER_KWP:g} kW/kWp is impossible{hint}")


def input_warnings(spec, index: pd.DatetimeIndex, load_kw: dict, pv_kw_per_kwp: dict,
                   assets) -> list[str]:
    """The warnings of a loaded scenario (see the module docstring); ``assets`` its
    `energysim.assets.Asset` list."""
    warnings = []
    for ent in spec.enterprises:
        load = load_kw.get(ent.id)
        if load is None:
            continue
        from_file = not hasattr(ent.load, "archetype")
        if not np.any(load):
            warnings.append(f"enterprises.{ent.id}.load: the load is zero at every step")
        elif from_file and load.max() < PEAK_SHARE_WARN * ent.transformer_kva:
            warnings.append(
                f"enterprises.{ent.id}.load: the load peaks at {load.max():,.1f} kW, "
                f"{load.max() / ent.transformer_kva:.0%} of the {ent.transformer_kva:g} kVA "
                f"transformer: if the file holds kWh per 15-minute interval (a peak of "
                f"{4 * load.max():,.1f} kW), declare unit: kwh")
    for asset in (a for a in assets if a.kind == "pv" and a.id in pv_kw_per_kwp):
        values = pv_kw_per_kwp[asset.id]
        where = f"assets.{asset.id}" if asset.listed is not None else f"enterprises.{asset.id}.pv"
        if not np.any(values):
            warnings.append(f"{where}.profile: the PV output is zero at every step")
        elif values.max() > PV_WARN_KW_PER_KWP:
            warnings.append(f"{where}.profile: PV output reaches {values.max():.3f} kW per kWp, "
                            f"above {PV_WARN_KW_PER_KWP:g}: check the profile's unit")
    if spec.vpp is not None and spec.vpp.events and not events_in_horizon(spec.vpp, index):
        for name, case in spec.cases.items():
            if "vpp" in case.assets:
                warnings.append(f"cases.{name}: switches the VPP on, but every event falls "
                                "outside the horizon: only capacity payments count")
    return warnings


def default_table_warnings(tariffs: dict, index: pd.DatetimeIndex) -> list[str]:
    """One warning per tariff whose default table prices months of ``index``, and one per
    tariff whose published prices its tables do not reproduce."""
    warnings = [f"tariffs.{name}: the published prices are not what its floating base, ratios "
                f"and adder give ({'; '.join(misfits)}): check the figures"
                for name, tariff in tariffs.items() if (misfits := tariff.published_misfits())]
    for name, tariff in tariffs.items():
        months = tariff.months_on_default(index)
        if months:
            total = len({(y, m) for y, m in zip(index.year, index.month, strict=True)})
            warnings.append(
                f"tariffs.{name}: {len(months)} of {total} months ({month_spans(months)}) have "
                f"no price table of their own and are priced by the default table "
                f"{tariff.energy_price.default_month}; add the published table of each month "
                "under energy_price.months")
    return warnings


def month_spans(months: list[str]) -> str:
    """``YYYY-MM`` keys as runs: 2025-01, 2025-03 to 2025-12."""
    runs: list[list[str]] = []
    for key in sorted(months):
        year, month = map(int, key.split("-"))
        if runs:
            last_year, last_month = map(int, runs[-1][-1].split("-"))
            if (year * 12 + month) - (last_year * 12 + last_month) == 1:
                runs[-1].append(key)
                continue
        runs.append([key])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)


def calendar_warnings(calendar, index: pd.DatetimeIndex) -> list[str]:
    """The stated approximation of ``calendar: weekends_only`` where the horizon needs it,
    and given years that replace the package's."""
    first, last = covered_years()
    replaced = sorted(y for y in calendar.given if first <= y <= last)
    warnings = [f"calendar: {', '.join(map(str, replaced))} {'is' if len(replaced) == 1 else 'are'} "
                "known to chinesecalendar; the scenario's own holidays and workdays replace the "
                "official ones there"] if replaced else []
    missing = uncovered_years(index, calendar)
    if not (calendar.weekends_only and missing):
        return warnings
    years = ", ".join(map(str, missing))
    return [*warnings, f"calendar: weekends_only: {years} {'has' if len(missing) == 1 else 'have'} no "
            f"holiday calendar (chinesecalendar covers {first}-{last}): Monday to Friday are "
            "working days and there are no public holidays or make-up working days, so "
            "holiday prices, holiday loads and VPP baseline days there are approximate"]
