"""A synthetic PV profile for a site with little sun, calibrated to monthly irradiation.

Clear-sky models overstate yield in Chongqing about twofold (fog, haze, overcast
winters), so the profile is built from clear-sky *shape* and climatological monthly
*totals*. For each step t of length Δt (local time UTC+8, step starts):

    t_mid  = t + Δt/2,  t_UTC = t_mid − 8 h           (sun position at the step mid-point)
    GHI_cs = Ineichen(apparent zenith, AM_abs, T_L)    (T_L: pvlib monthly Linke climatology, daily interp.)
    k_d    = k0 + (1 − k0)·Beta(c·μ'_m, c·(1 − μ'_m))   (daily clearness, default_rng(seed))
    μ_m    = H_m / Σ_m GHI_cs·Δt,  μ'_m = (μ_m − k0)/(1 − k0),  k0 = 0.08, c = 3
    GHI    = s_m · k_d · GHI_cs,  s_m such that Σ_m GHI·Δt = H_m exactly
    DNI, DHI = Erbs(GHI, zenith, day of year)
    POA    = Hay–Davies transposition to (tilt, azimuth), albedo 0.2
    T_air  = 18.5 + 10.5·cos(2π(doy − 205)/365) + 3.5·cos(2π(h − 15)/24)   [°C]
    T_cell = Faiman(POA, T_air, wind 1 m/s)
    P_dc   = POA/1000 · (1 + γ·(T_cell − 25)) · (1 − L/100)               [kW/kWp]
    P_ac   = min(P_dc, 1/r),  0 when the sun is down                       [kW/kWp]

with H_m the target monthly GHI [kWh/m²], γ the power temperature coefficient, L the
system losses [%] and r the DC/AC ratio. L covers everything between the module and the
meter, inverter conversion included (a performance-ratio view, as in GB 50797's overall
efficiency); the inverter itself only clips. k0 keeps heavy-overcast days above zero.
Scaling GHI to H_m can lift a few bright days slightly above clear sky (cloud
enhancement does happen). T_air is a proxy for Chongqing (daily mean ≈ 8 °C in
January, ≈ 29 °C in late July), not a measurement.

pvlib is an optional extra: it is imported inside the functions that need it.
``shipped_chongqing_per_kwp`` reads a packaged profile made with this module and needs
no pvlib.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from energysim.timeseries import RESOLUTIONS, horizon_index

CHONGQING = dict(latitude=29.56, longitude=106.55, altitude_m=250)
"""Chongqing city centre: latitude and longitude [°], altitude [m]."""

# Monthly global horizontal irradiation, Jan..Dec [kWh/m²], summing to 1,000 (DOMAIN.md:
# 900–1,100, CMA minimum 905). Derived, not measured: Angström–Prescott (FAO-56 defaults,
# H = H0·(0.25 + 0.50·n/N)) on the extraterrestrial H0 at 29.56° N, then scaled to 1,000.
# The sunshine fractions n/N = .08 .11 .22 .28 .28 .26 .42 .48 .31 .19 .14 .08 are an
# assumption anchored on CMA figures: 8 % possible sunshine in Dec/Jan and 48 % in Aug
# (CMA normals as quoted by Wikipedia "Chongqing", ≈1,055 h/yr), August > 180 h and
# Dec–Feb < 35 h per month (中国天气网, 《重庆市天气预报技术手册》2012, data 1951–2010).
CHONGQING_MONTHLY_GHI_KWH_M2: tuple[float, ...] = (
    44.1, 50.5, 80.5, 98.1, 109.9, 106.3, 130.9, 130.6, 92.0, 66.9, 49.0, 41.2)

UTC_OFFSET = pd.Timedelta(hours=8)
CLEARNESS_FLOOR = 0.08
CLEARNESS_CONCENTRATION = 3.0
ALBEDO = 0.2
WIND_SPEED_M_S = 1.0
SHIPPED_CSV = "data/pv_chongqing_per_kwp_15min.csv"


def synthetic_weather(year: int, *, latitude: float = CHONGQING["latitude"],
                      longitude: float = CHONGQING["longitude"],
                      altitude_m: float = CHONGQING["altitude_m"], seed: int = 0,
                      resolution: str = "15min",
                      monthly_ghi_kwh_m2=CHONGQING_MONTHLY_GHI_KWH_M2) -> pd.DataFrame:
    """Sun position, calibrated GHI and an air-temperature proxy for one year.

    Parameters
    ----------
    year : int
        Calendar year; steps run from 1 January ``year`` to 1 January ``year + 1``.
    latitude, longitude : float
        Site position. [°]
    altitude_m : float
        Site altitude. [m]
    seed : int
        Seed of the daily clearness draws.
    resolution : str
        Step length, "15min" or "1h".
    monthly_ghi_kwh_m2 : sequence of 12 float
        Global horizontal irradiation of each month, January first. [kWh/m²]

    Returns
    -------
    pandas.DataFrame
        Indexed by step start (naive local time), with columns ``ghi_w_m2`` [W/m²],
        ``solar_zenith_deg``, ``apparent_zenith_deg``, ``solar_azimuth_deg`` [°],
        ``dni_extra_w_m2`` [W/m²] and ``temp_air_c`` [°C]; values are at the step mid-point.
    """
    from pvlib import atmosphere, clearsky, irradiance, solarposition

    monthly = np.asarray(monthly_ghi_kwh_m2, dtype=float)
    if monthly.shape != (12,) or (monthly < 0).any() or not np.isfinite(monthly).all():
        raise ValueError("monthly_ghi_kwh_m2 needs 12 non-negative numbers, January first "
                         f"[kWh/m²] (got {monthly_ghi_kwh_m2!r})")
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution needs to be one of {list(RESOLUTIONS)} (got {resolution!r})")
    index = horizon_index(date(year, 1, 1), date(year + 1, 1, 1), resolution)
    step_h = RESOLUTIONS[resolution] / 60.0
    mid = index + pd.Timedelta(hours=step_h / 2)
    sun = solarposition.get_solarposition((mid - UTC_OFFSET).tz_localize("UTC"), latitude,
                                          longitude, altitude=altitude_m)
    apparent = sun["apparent_zenith"].to_numpy()
    up = apparent < 90.0  # night steps stay exactly 0 and avoid cos(zenith) = 0 divisions
    # Day numbers go to pvlib as arrays: given a DatetimeIndex, pvlib 0.16 reads the
    # `.dayofyear` that pandas 3 deprecates, and the repo's pytest turns that into an error.
    day = index.day_of_year.to_numpy() - 1
    dni_extra = irradiance.get_extra_radiation(day + 1)
    airmass = atmosphere.get_absolute_airmass(
        atmosphere.get_relative_airmass(apparent[up]), atmosphere.alt2pres(altitude_m))
    linke = _linke_turbidity(year, latitude, longitude)[day[up]]
    clear = np.zeros(len(index))
    clear[up] = clearsky.ineichen(apparent[up], airmass, linke, altitude_m,
                                  dni_extra[up])["ghi"]

    month = index.month.to_numpy() - 1
    clear_kwh = np.bincount(month, clear, minlength=12) * step_h / 1000.0
    mean_k = np.divide(monthly, clear_kwh, out=np.ones(12), where=clear_kwh > 0)
    mu = np.clip((mean_k - CLEARNESS_FLOOR) / (1.0 - CLEARNESS_FLOOR), 0.02, 0.95)
    mu_day = mu[pd.date_range(date(year, 1, 1), date(year, 12, 31), freq="D").month - 1]
    c = CLEARNESS_CONCENTRATION
    k_day = CLEARNESS_FLOOR + (1.0 - CLEARNESS_FLOOR) * np.random.default_rng(seed).beta(
        c * mu_day, c * (1.0 - mu_day))
    ghi = clear * k_day[day]
    got_kwh = np.bincount(month, ghi, minlength=12) * step_h / 1000.0
    ghi *= np.divide(monthly, got_kwh, out=np.zeros(12), where=got_kwh > 0)[month]

    hour = (mid.hour + mid.minute / 60.0).to_numpy()
    temp_air = (18.5 + 10.5 * np.cos(2 * np.pi * (day + hour / 24.0 - 205.0) / 365.0)
                + 3.5 * np.cos(2 * np.pi * (hour - 15.0) / 24.0))
    return pd.DataFrame({"ghi_w_m2": ghi, "solar_zenith_deg": sun["zenith"].to_numpy(),
                         "apparent_zenith_deg": apparent,
                         "solar_azimuth_deg": sun["azimuth"].to_numpy(),
                         "dni_extra_w_m2": dni_extra, "temp_air_c": temp_air}, index=index)


def _linke_turbidity(year: int, latitude: float, longitude: float) -> np.ndarray:
    """Daily Linke turbidity [-]: pvlib's monthly climatology (LinkeTurbidities.h5, shipped
    with pvlib) at mid-month, interpolated linearly and periodically over the year."""
    from pvlib import clearsky

    mid_month = pd.DatetimeIndex([f"{year}-{m:02d}-15" for m in range(1, 13)], tz="UTC")
    monthly = clearsky.lookup_linke_turbidity(mid_month, latitude, longitude,
                                              interp_turbidity=False).to_numpy()
    days = pd.Timestamp(year, 12, 31).day_of_year
    return np.interp(np.arange(1, days + 1), mid_month.day_of_year.to_numpy(), monthly,
                     period=days)


def pv_kw_per_kwp(year: int, *, latitude: float = CHONGQING["latitude"],
                  longitude: float = CHONGQING["longitude"], tilt_deg: float = 20.0,
                  azimuth_deg: float = 180.0, seed: int = 0, resolution: str = "15min",
                  monthly_ghi_kwh_m2=CHONGQING_MONTHLY_GHI_KWH_M2,
                  altitude_m: float = CHONGQING["altitude_m"], system_losses_pct: float = 14.0,
                  gamma_pdc_per_c: float = -0.0037, dc_ac_ratio: float = 1.1) -> pd.Series:
    """AC output per kWp installed, mean over each step. [kW/kWp]

    Parameters
    ----------
    year : int
        Calendar year of the profile.
    latitude, longitude : float
        Site position. [°]
    tilt_deg : float
        Module tilt from horizontal. [°]
    azimuth_deg : float
        Module azimuth, clockwise from north (180 = south). [°]
    seed : int
        Seed of the daily clearness draws; the same seed gives the same profile.
    resolution : str
        Step length, "15min" or "1h".
    monthly_ghi_kwh_m2 : sequence of 12 float
        Global horizontal irradiation of each month, January first. [kWh/m²]
    altitude_m : float
        Site altitude. [m]
    system_losses_pct : float
        All losses after the module's DC output at its cell temperature: soiling,
        mismatch, wiring, availability and inverter conversion. [%]
    gamma_pdc_per_c : float
        Temperature coefficient of module power. [1/°C]
    dc_ac_ratio : float
        Module kWp per kW of inverter; AC output is clipped at 1/dc_ac_ratio. [-]

    Returns
    -------
    pandas.Series
        ``value_kw_per_kwp`` on ``horizon_index(Jan 1 year, Jan 1 year+1, resolution)``
        (step starts, naive local time UTC+8): 0 at night, never above 1/dc_ac_ratio.
    """
    from pvlib import irradiance, pvsystem, temperature

    w = synthetic_weather(year, latitude=latitude, longitude=longitude, altitude_m=altitude_m,
                          seed=seed, resolution=resolution, monthly_ghi_kwh_m2=monthly_ghi_kwh_m2)
    up = (w["apparent_zenith_deg"].to_numpy() < 90.0) & (w["ghi_w_m2"].to_numpy() > 0)
    d = {k: w[k].to_numpy()[up] for k in w.columns}
    split = irradiance.erbs(d["ghi_w_m2"], d["solar_zenith_deg"], w.index.day_of_year.to_numpy()[up])
    poa = irradiance.get_total_irradiance(
        tilt_deg, azimuth_deg, d["apparent_zenith_deg"], d["solar_azimuth_deg"], split["dni"],
        d["ghi_w_m2"], split["dhi"], dni_extra=d["dni_extra_w_m2"], albedo=ALBEDO,
        model="haydavies")["poa_global"]
    temp_cell = temperature.faiman(poa, d["temp_air_c"], wind_speed=WIND_SPEED_M_S)
    pdc = pvsystem.pvwatts_dc(poa, temp_cell, 1.0, gamma_pdc_per_c) * (1 - system_losses_pct / 100)
    out = np.zeros(len(w))
    out[up] = np.clip(pdc, 0.0, 1.0 / dc_ac_ratio)
    return pd.Series(out, index=w.index, name="value_kw_per_kwp")


@lru_cache(maxsize=1)
def _shipped_table() -> np.ndarray:
    """The packaged reference year as a read-only (365 days, 96 quarter hours) array."""
    with resources.files("energysim.profiles").joinpath(SHIPPED_CSV).open("r") as handle:
        frame = pd.read_csv(handle)
    values = frame["value_kw_per_kwp"].to_numpy(float)
    if values.shape != (365 * 96,):
        raise ValueError(f"{SHIPPED_CSV} needs 35040 quarter-hour rows (got {values.shape[0]})")
    table = values.reshape(365, 96)
    table.flags.writeable = False
    return table


def shipped_chongqing_per_kwp(index: pd.DatetimeIndex) -> np.ndarray:
    """The packaged typical Chongqing year relabelled onto ``index``. [kW/kWp]

    Values are taken by month, day and time of day from a synthetic 2025 profile made
    with ``pv_kw_per_kwp(2025, seed=2025)``; 29 February takes 28 February's values.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Step starts (naive local time) at a regular 15 min or 1 h step, on the quarter
        hour or the hour respectively.

    Returns
    -------
    numpy.ndarray
        Mean AC output per kWp over each step; at 1 h the mean of the four quarter hours.
        [kW/kWp]
    """
    index = pd.DatetimeIndex(index)
    steps = np.diff(index.to_numpy()) if len(index) > 1 else [pd.Timedelta(index.freq or 0)]
    minutes = int(steps[0] / pd.Timedelta(minutes=1))
    if (minutes not in (15, 60) or (np.asarray(steps) != steps[0]).any()
            or (index.minute % minutes).any() or index.second.any()):
        raise ValueError("index needs a regular 15 min or 1 h step starting on the step "
                         f"boundary (got steps of {minutes} min starting {index[:1].tolist()})")
    table = _shipped_table()
    if minutes == 60:
        table = table.reshape(365, 24, 4).mean(axis=2)
    month, day = index.month.to_numpy(), index.day.to_numpy()
    day = np.where((month == 2) & (day == 29), 28, day)
    month_start = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    row = month_start[month - 1] + day - 1
    column = (index.hour.to_numpy() * 60 + index.minute.to_numpy()) // minutes
    return table[row, column].astype(float)
