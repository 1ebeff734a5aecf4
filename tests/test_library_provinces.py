"""Midday-valley tariffs of other provinces in the built-in library, checked against the
hours and ratios their sources give (see each file's ``source`` and ``notes``)."""

from __future__ import annotations

import pytest

from energysim.tariffs import library_names, load_library_tariff
from energysim.tariffs.periods import BANDS

PROVINCES = ("anhui_2025_tou", "shaanxi_2025_tou", "shanxi_2026_tou", "henan_2024_tou",
             "yunnan_2024_tou", "hebei_south_2025_tou", "jilin_2025_tou",
             "heilongjiang_2024_tou")
ALL_MONTHS = range(1, 13)


def _bands(name, months, times, day="working", step=60):
    grid = load_library_tariff(name).band_grid(day, step)
    return {grid.loc[m, t] for m in months for t in times}


def _price(name, band):
    return load_library_tariff(name).price_by_band[BANDS.index(band)]


@pytest.mark.parametrize("name", PROVINCES)
def test_province_files_load_with_document_and_flagged_secondary(name):
    assert name in library_names()
    tariff = load_library_tariff(name)
    assert tariff.document
    assert tariff.secondary_source
    assert "ASSUMPTION" in tariff.notes


def test_anhui_midday_valley_moves_with_the_season():
    assert _bands("anhui_2025_tou", [7, 8, 9], ["11:00", "12:00"]) == {"valley"}
    assert _bands("anhui_2025_tou", [7, 8, 9], ["13:00"]) == {"flat"}
    assert _bands("anhui_2025_tou", [1, 12], ["12:00", "13:00"]) == {"valley"}
    assert _bands("anhui_2025_tou", [1, 12], ["11:00"]) == {"flat"}
    assert _bands("anhui_2025_tou", [2, 3, 4, 5, 6, 10, 11], ["11:00", "12:00", "13:00"]) == {
        "valley"}
    assert _bands("anhui_2025_tou", [7, 9], ["17:00"]) == {"peak"}
    assert _bands("anhui_2025_tou", [8], ["20:00", "21:00"]) == {"critical_peak"}
    assert _bands("anhui_2025_tou", [1], ["19:00", "20:00"]) == {"critical_peak"}


def test_anhui_holiday_deep_valley_and_its_price():
    assert _bands("anhui_2025_tou", [10], ["11:00", "12:00", "13:00", "14:00"],
                  day="national_day") == {"deep_valley"}
    assert _bands("anhui_2025_tou", [10], ["14:00"]) == {"flat"}  # working day
    assert _price("anhui_2025_tou", "deep_valley") == pytest.approx(0.40 * 0.382 * 0.8 + 0.20)
    assert _price("anhui_2025_tou", "critical_peak") == pytest.approx(0.40 * 1.843 * 1.2 + 0.20)


def test_shaanxi_night_and_midday_valley_and_prices():
    assert _bands("shaanxi_2025_tou", ALL_MONTHS, ["00:00", "05:00", "11:00", "13:00"]) == {
        "valley"}
    assert _bands("shaanxi_2025_tou", ALL_MONTHS, ["14:00", "06:00"]) == {"flat"}
    assert _bands("shaanxi_2025_tou", [3, 10], ["16:00", "22:00"]) == {"peak"}
    assert _bands("shaanxi_2025_tou", [7, 8], ["19:00", "20:00"]) == {"critical_peak"}
    assert _bands("shaanxi_2025_tou", [1, 12], ["18:00", "19:00"]) == {"critical_peak"}
    assert _price("shaanxi_2025_tou", "valley") == pytest.approx(0.40 * 0.3 + 0.20)
    assert _price("shaanxi_2025_tou", "peak") == pytest.approx(0.40 * 1.7 + 0.20)
    assert _price("shaanxi_2025_tou", "critical_peak") == pytest.approx(0.40 * 1.9 + 0.20)


def test_shanxi_four_season_midday_valley_holiday_deep_valley_and_prices():
    assert _bands("shanxi_2026_tou", [3, 4, 5], [f"{h:02d}:00" for h in range(9, 15)]) == {
        "valley"}
    assert _bands("shanxi_2026_tou", [6, 7, 8, 12, 1, 2],
                  [f"{h:02d}:00" for h in range(10, 15)]) == {"valley"}
    assert _bands("shanxi_2026_tou", [9, 10, 11], [f"{h:02d}:00" for h in range(11, 15)]) == {
        "valley"}
    assert _bands("shanxi_2026_tou", [9, 10, 11], ["10:00", "15:00"]) == {"flat"}
    assert _bands("shanxi_2026_tou", ALL_MONTHS, ["06:00", "07:00"]) == {"peak"}
    assert _bands("shanxi_2026_tou", [6, 7, 8], ["18:00", "20:00"]) == {"critical_peak"}
    assert _bands("shanxi_2026_tou", [12, 1, 2], ["17:00", "19:00"]) == {"critical_peak"}
    assert _bands("shanxi_2026_tou", [2], ["13:00", "14:00"], day="spring_festival") == {
        "deep_valley"}
    assert _price("shanxi_2026_tou", "critical_peak") == pytest.approx(0.40 * 1.92 + 0.20)
    assert _price("shanxi_2026_tou", "deep_valley") == pytest.approx(0.40 * 0.36 + 0.20)


def test_henan_midday_valley_in_spring_and_autumn_only():
    assert _bands("henan_2024_tou", [3, 4, 5, 9, 10, 11], ["11:00", "12:00", "13:00"]) == {
        "valley"}
    assert _bands("henan_2024_tou", [1, 2, 6, 7, 8, 12], ["12:00"]) == {"flat"}
    assert _bands("henan_2024_tou", [4], ["16:00", "23:00"]) == {"peak"}
    assert _bands("henan_2024_tou", [1, 12], ["17:00", "18:00"]) == {"critical_peak"}
    assert _bands("henan_2024_tou", [7, 8], ["20:00", "22:00"]) == {"critical_peak"}
    assert _bands("henan_2024_tou", [1, 6], ["06:00"]) == {"valley"}  # valley to 07:00
    assert _bands("henan_2024_tou", [4], ["06:00"]) == {"flat"}


def test_yunnan_midday_valley_12_to_16():
    assert _bands("yunnan_2024_tou", ALL_MONTHS, ["12:00", "13:00", "14:00", "15:00",
                                                  "02:00", "05:00"]) == {"valley"}
    assert _bands("yunnan_2024_tou", ALL_MONTHS, ["11:00", "16:00"]) == {"flat"}
    assert _bands("yunnan_2024_tou", ALL_MONTHS, ["07:00", "18:00", "23:00"]) == {"peak"}


def test_hebei_south_seasonal_midday_deep_valley_and_valley():
    assert _bands("hebei_south_2025_tou", [3, 4, 5], ["12:00", "13:00", "14:00"]) == {
        "deep_valley"}
    assert _bands("hebei_south_2025_tou", [3, 4, 5], ["11:00"]) == {"valley"}
    assert _bands("hebei_south_2025_tou", [9, 10, 11], ["12:00", "13:00"]) == {"deep_valley"}
    assert _bands("hebei_south_2025_tou", [9, 10, 11], ["11:00", "14:00"]) == {"valley"}
    assert _bands("hebei_south_2025_tou", [6, 7, 8], ["12:00", "13:00"]) == {"valley"}
    assert _bands("hebei_south_2025_tou", [6, 7, 8], ["14:00"]) == {"flat"}
    assert _bands("hebei_south_2025_tou", [12, 1, 2], ["11:00", "12:00", "13:00", "14:00"]) == {
        "valley"}
    assert _bands("hebei_south_2025_tou", [3, 9], ["16:00", "23:00"]) == {"peak"}
    assert _bands("hebei_south_2025_tou", [6, 7, 8], ["19:00", "21:00"]) == {"critical_peak"}
    assert _bands("hebei_south_2025_tou", [12, 1, 2], ["07:00", "20:00"]) == {"peak"}


def test_jilin_midday_valley_11_to_14():
    assert _bands("jilin_2025_tou", ALL_MONTHS, ["11:00", "12:00", "13:00", "23:00",
                                                 "04:00"]) == {"valley"}
    assert _bands("jilin_2025_tou", ALL_MONTHS, ["10:00", "14:00", "05:00"]) == {"flat"}
    assert _bands("jilin_2025_tou", ALL_MONTHS, ["08:00", "16:00", "20:00"]) == {"peak"}


def test_heilongjiang_midday_valley_and_half_hour_bands():
    half = ("heilongjiang_2024_tou", ALL_MONTHS)
    assert _bands(*half, ["12:00", "13:30", "23:30", "05:00"], step=30) == {"valley"}
    assert _bands(*half, ["11:30", "14:00", "23:00", "05:30"], step=30) == {"flat"}
    assert _bands(*half, ["07:00", "09:00", "11:00", "15:30", "19:30"], step=30) == {"peak"}
    assert load_library_tariff("heilongjiang_2024_tou").grid_step_minutes() == 30
