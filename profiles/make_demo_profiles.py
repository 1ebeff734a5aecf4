"""Write SYNTHETIC demo profiles (loads and PV) for a Chongqing industrial park.

Calendar year 2025, 15-minute resolution, 35040 rows, China Standard Time
(UTC+8, no DST); each timestamp is the START of its interval.

Loads: ``P(t) = scale * shape(t) * (1 + noise(t))``, where ``shape`` is built
from shift timetables, day type (working day, Saturday, Sunday/holiday,
Spring Festival; official 2025 holidays and make-up days) and a cooling term
``CDH(t) = max(T(t) - 24 degC, 0)`` with the ambient-temperature proxy
``T = 18.5 - 10.5 cos(2 pi (doy - 20) / 365) + 3.5 cos(2 pi (h - 15) / 24)``.
``noise`` is exponentially smoothed Gaussian noise; ``scale`` is chosen so
the annual energy ``sum(P) * 0.25 h`` hits the target.

PV: at the interval mid-point, solar time ``= t_local + (lon - 120) / 15
+ EoT``; declination ``d = 23.45 sin(2 pi (284 + n) / 365)``; hour angle
``w = 15 (t_solar - 12)``; ``cos z = sin(lat) sin(d) + cos(lat) cos(d) cos(w)``;
on a south-facing plane tilted by ``beta``,
``cos i = sin(lat - beta) sin(d) + cos(lat - beta) cos(d) cos(w)``.
Clear-sky shape ``= max(cos i, 0) * 0.75 ** (AM ** 0.678) + 0.1 cos z`` with
``AM = 1 / max(cos z, 0.05)``, zero when ``cos z <= 0``; times
``0.15 + 0.85 k`` with a seeded daily clearness ``k ~ Beta(2, 2)`` and
smoothed intra-day flicker; each month is then rescaled to a target monthly
yield (kWh/kWp) and values are capped at 0.85 kW/kWp (repeated 20 times).

Each load archetype function takes ``(cal, rng)`` -- the dict returned by
:func:`calendar` and a seeded ``numpy.random.Generator`` -- and returns the
load in kW per 15-min interval as a ``numpy.ndarray``.
"""

from pathlib import Path

import numpy as np
import pandas as pd

OUT_DIR = Path(__file__).parent
SEED = 2025
STEP_H = 0.25
INDEX = pd.date_range("2025-01-01 00:00", "2025-12-31 23:45", freq="15min")
HOLIDAYS = pd.to_datetime(
    ["2025-01-01"]
    + [f"2025-01-{d}" for d in range(28, 32)]
    + [f"2025-02-0{d}" for d in range(1, 5)]
    + ["2025-04-04", "2025-04-05", "2025-04-06"]
    + [f"2025-05-0{d}" for d in range(1, 6)]
    + ["2025-05-31", "2025-06-01", "2025-06-02"]
    + [f"2025-10-0{d}" for d in range(1, 9)]
)
MAKEUP_WORKDAYS = pd.to_datetime(
    ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
)
SPRING_FESTIVAL = pd.date_range("2025-01-28", "2025-02-04", freq="D")
LAT_DEG, LON_DEG, TZ_MERIDIAN_DEG, TILT_DEG = 29.56, 106.55, 120.0, 20.0
PV_MONTHLY_KWH_PER_KWP = np.array([38, 47, 72, 88, 100, 95, 120, 118, 85, 58, 44, 35], dtype=float)
PV_MAX_KW_PER_KWP = 0.85


def calendar(index):
    """Return day-type flags, hour of day and temperature proxy.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Interval start times (local time).

    Returns
    -------
    dict of numpy.ndarray
        ``work``, ``sat``, ``off``, ``spring`` (bool), ``hour_h`` (float
        hour of day at interval start), ``temp_degc`` and ``cdh_k``.
    """
    day = index.normalize()
    holiday = day.isin(HOLIDAYS)
    makeup = day.isin(MAKEUP_WORKDAYS)
    weekday = index.day_of_week
    work = ((weekday < 5) | makeup) & ~holiday
    sat = (weekday == 5) & ~makeup & ~holiday
    hour_h = index.hour + index.minute / 60.0
    doy = index.day_of_year.to_numpy()
    temp_degc = 18.5 - 10.5 * np.cos(2 * np.pi * (doy - 20) / 365)
    temp_degc = temp_degc + 3.5 * np.cos(2 * np.pi * (hour_h - 15) / 24)
    return {
        "work": np.asarray(work),
        "sat": np.asarray(sat),
        "off": np.asarray(~work & ~sat),
        "spring": np.asarray(day.isin(SPRING_FESTIVAL)),
        "hour_h": np.asarray(hour_h),
        "temp_degc": np.asarray(temp_degc),
        "cdh_k": np.clip(np.asarray(temp_degc) - 24.0, 0.0, None),
    }


def _smooth_noise(rng, n, sigma, alpha=0.3):
    """Return smoothed Gaussian noise (length ``n``, std ``sigma``)."""
    white = pd.Series(rng.standard_normal(n)).ewm(alpha=alpha).mean()
    return sigma * (white / white.std()).to_numpy()


def _between(hour_h, start_h, end_h):
    """Return a mask where ``start_h <= hour_h < end_h`` (hours of day)."""
    return (hour_h >= start_h) & (hour_h < end_h)


def _scale_to(shape, annual_mwh, rng, sigma):
    """Add relative noise ``sigma`` to ``shape``; scale to ``annual_mwh`` (kW)."""
    noisy = np.clip(shape * (1 + _smooth_noise(rng, shape.size, sigma)), 0, None)
    return noisy * annual_mwh * 1000.0 / (noisy.sum() * STEP_H)


def materials_3shift_kw(cal, rng):
    """Three-shift materials plant: near-continuous, dips at shift change."""
    h = cal["hour_h"]
    shape = np.ones(h.size)
    shape[_between(h % 8, 0.0, 0.5)] = 0.90  # 00:00, 08:00, 16:00 changeovers
    shape *= np.where(cal["sat"], 0.96, np.where(cal["off"], 0.93, 1.0))
    shape *= np.where(cal["spring"], 0.45, 1.0)
    shape += 0.008 * cal["cdh_k"]
    return _scale_to(shape, 30_000.0, rng, 0.03)


def electronics_1shift_kw(cal, rng):
    """Day-shift electronics assembler with lunch dip and clean-room base."""
    h, work = cal["hour_h"], cal["work"]
    base = np.where(cal["spring"], 0.20, 0.25)
    shape = base.copy()
    shift = _between(h, 8.0, 12.0) | _between(h, 13.0, 17.5)
    shape[work & shift] = 1.0
    shape[work & _between(h, 12.0, 13.0)] = 0.55
    shape[work & (_between(h, 7.5, 8.0) | _between(h, 17.5, 18.0))] = 0.55
    shape += 0.035 * cal["cdh_k"] * np.where(work & _between(h, 8, 18), 1.0, 0.4)
    return _scale_to(shape, 6_000.0, rng, 0.04)


def auto_parts_2shift_kw(cal, rng):
    """Two-shift auto-parts maker; Saturday one shift, Sunday off."""
    h = cal["hour_h"]
    shape = np.where(cal["spring"], 0.15, 0.20)
    shape[cal["work"] & _between(h, 8.0, 24.0)] = 1.0
    shape[cal["sat"] & _between(h, 8.0, 16.0)] = 1.0
    shape[cal["work"] & _between(h, 16.0, 16.5)] = 0.85  # shift change
    shape += 0.010 * cal["cdh_k"]
    return _scale_to(shape, 12_000.0, rng, 0.04)


def cold_store_kw(cal, rng):
    """Cold store: refrigeration rising with ambient, daytime handling."""
    h = cal["hour_h"]
    shape = np.clip(1.0 + 0.035 * (cal["temp_degc"] - 18.0), 0.5, None)
    handling = cal["work"] & _between(h, 8.0, 18.0) & ~cal["spring"]
    shape += 0.25 * handling
    return _scale_to(shape, 4_000.0, rng, 0.06)


def pv_kw_per_kwp(index, rng):
    """Return PV average power per kWp on a 20 deg south tilt.

    Parameters
    ----------
    index : pandas.DatetimeIndex
        Interval start times (local time, UTC+8).
    rng : numpy.random.Generator
        Seeded generator.

    Returns
    -------
    numpy.ndarray
        Mean power over each interval in kW/kWp, calibrated to
        ``PV_MONTHLY_KWH_PER_KWP`` and capped at ``PV_MAX_KW_PER_KWP``.
    """
    mid = index + pd.Timedelta(minutes=7.5)
    n = mid.day_of_year.to_numpy()
    b_rad = 2 * np.pi * (n - 81) / 364
    eot_h = (9.87 * np.sin(2 * b_rad) - 7.53 * np.cos(b_rad) - 1.5 * np.sin(b_rad)) / 60
    t_local_h = mid.hour.to_numpy() + mid.minute.to_numpy() / 60.0
    t_solar_h = t_local_h + (LON_DEG - TZ_MERIDIAN_DEG) / 15 + eot_h
    w = np.radians(15 * (t_solar_h - 12))
    d = np.radians(23.45 * np.sin(2 * np.pi * (284 + n) / 365))
    lat, tilt_lat = np.radians(LAT_DEG), np.radians(LAT_DEG - TILT_DEG)
    cos_z = np.sin(lat) * np.sin(d) + np.cos(lat) * np.cos(d) * np.cos(w)
    cos_i = np.sin(tilt_lat) * np.sin(d) + np.cos(tilt_lat) * np.cos(d) * np.cos(w)
    up = cos_z > 0
    air_mass = 1 / np.where(up, np.maximum(cos_z, 0.05), 1.0)
    clear = np.where(up, np.clip(cos_i, 0, None) * 0.75 ** (air_mass**0.678), 0.0)
    clear += np.where(up, 0.1 * cos_z, 0.0)  # diffuse share on overcast days
    k_day = rng.beta(2.0, 2.0, size=365)[n - 1]
    flicker = 1 + _smooth_noise(rng, n.size, 0.15, alpha=0.5) * (1 - k_day)
    power = clear * (0.15 + 0.85 * k_day) * np.clip(flicker, 0.3, None)
    month = mid.month.to_numpy() - 1
    for _ in range(20):  # rescale months, cap, repeat until stable
        monthly = np.bincount(month, weights=power * STEP_H, minlength=12)
        power = power * (PV_MONTHLY_KWH_PER_KWP / monthly)[month]
        power = np.minimum(power, PV_MAX_KW_PER_KWP)
    return np.where(up, power, 0.0)


def write_profile(name, column, values):
    """Write one profile CSV and print its annual total, max and min.

    Parameters
    ----------
    name : str
        File name inside ``OUT_DIR``.
    column : str
        Value column name (``value_kw`` or ``value_kw_per_kwp``).
    values : numpy.ndarray
        One value per interval of ``INDEX``.
    """
    frame = pd.DataFrame({"timestamp": INDEX.strftime("%Y-%m-%d %H:%M"), column: values})
    frame.to_csv(OUT_DIR / name, index=False, float_format="%.3f")
    total = values.sum() * STEP_H
    unit = "kWh/kWp" if column == "value_kw_per_kwp" else "MWh"
    total = total if unit == "kWh/kWp" else total / 1000
    print(
        f"{name:34s} total {total:9.1f} {unit:8s} max {values.max():8.3f} min {values.min():8.3f}"
    )


def main():
    """Generate all demo profiles into the directory of this script."""
    rng = np.random.default_rng(SEED)
    cal = calendar(INDEX)
    loads = {
        "load_materials_3shift.csv": (materials_3shift_kw, 5300.0),
        "load_electronics_1shift.csv": (electronics_1shift_kw, 2700.0),
        "load_auto_parts_2shift.csv": (auto_parts_2shift_kw, 3400.0),
        "load_cold_store.csv": (cold_store_kw, 1050.0),
    }
    for name, (make, max_kw) in loads.items():
        load_kw = make(cal, rng)
        if load_kw.max() >= max_kw:
            raise ValueError(f"{name}: max {load_kw.max():.0f} kW >= {max_kw}")
        write_profile(name, "value_kw", load_kw)
    write_profile("pv_chongqing_per_kwp.csv", "value_kw_per_kwp", pv_kw_per_kwp(INDEX, rng))


if __name__ == "__main__":
    main()
