"""Provincial reference tariffs in the library: bands at hand-picked times, as the documents say."""

from __future__ import annotations

import pandas as pd
import pytest

from energysim.tariffs import BANDS, load_library_tariff


def _bands(name: str, stamps: list[str]) -> list[str]:
    tariff = load_library_tariff(name)
    return [BANDS[b] for b in tariff.bands_at(pd.DatetimeIndex(stamps))]


def test_shandong_midday_deep_valley_and_summer_critical_peak():
    # 鲁发改价格〔2023〕914号, 2025 hours: Mar-May valley 10-15 with deep valley 11-14, critical
    # peak 17-20 inside peak 17-22; Jul-Aug valley 01-06, critical 17-22 inside peak 16-23.
    assert _bands("shandong_2023_tou", [
        "2025-04-15 10:30", "2025-04-15 12:00", "2025-04-15 18:00", "2025-04-15 21:00",
        "2025-07-15 12:00", "2025-07-15 03:00", "2025-07-15 16:30", "2025-07-15 21:30",
    ]) == ["valley", "deep_valley", "critical_peak", "peak",
           "flat", "valley", "peak", "critical_peak"]


def test_jiangxi_half_hour_midday_valley():
    # 赣发改价管〔2025〕463号: Mar-Nov valley 11:30-14:30 with deep valley 12-14; Jul-Aug
    # critical peak 20:30-22:30 inside peak 17-23; Jan peak 09-12 and 18-21 (critical 18-20).
    assert _bands("jiangxi_2025_tou", [
        "2025-04-15 11:15", "2025-04-15 11:45", "2025-04-15 13:00", "2025-04-15 14:15",
        "2025-04-15 14:45", "2025-07-15 20:15", "2025-07-15 20:45", "2025-07-15 22:45",
        "2025-01-15 10:00", "2025-01-15 19:00", "2025-01-15 12:30",
    ]) == ["flat", "valley", "deep_valley", "valley",
           "flat", "peak", "critical_peak", "peak",
           "peak", "critical_peak", "flat"]


def test_zhejiang_holiday_deep_valley_and_winter_critical_peak():
    # 浙发改价格〔2024〕21号: valley 11-13 all year; deep valley 10-14 on National Day
    # (2025-10-02 is a holiday); Jan critical 09-11 and 15-17, flat 13-15.
    assert _bands("zhejiang_2024_tou", [
        "2025-10-15 12:00", "2025-10-15 10:30", "2025-10-02 10:30", "2025-10-02 13:30",
        "2025-01-15 09:30", "2025-01-15 14:00", "2025-01-15 16:00", "2025-01-15 22:00",
    ]) == ["valley", "peak", "deep_valley", "deep_valley",
           "critical_peak", "flat", "critical_peak", "peak"]


def test_hubei_reproduces_the_january_2026_agency_purchase_table():
    # State Grid Hubei, January 2026, two-part 1-10(20) kV (bands of 鄂发改价管〔2024〕77号):
    # critical 1.049999, peak 0.848961, flat 0.651886, valley 0.432924 CNY/kWh.
    tariff = load_library_tariff("hubei_2024_tou")
    stamps = pd.DatetimeIndex(["2026-01-15 19:00", "2026-01-15 17:00", "2026-01-15 09:00",
                               "2026-01-15 13:00"])
    assert tariff.price_at(stamps) == pytest.approx([1.049999, 0.848961, 0.651886, 0.432924],
                                                    abs=2e-5)
