"""Reading load profiles in long and wide (24/96-point) layouts, CSV and Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from energysim.errors import Problem
from energysim.profiles.readers import ProfileRead, convert, read_table, write_long


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def labels(n: int = 96, *, end: bool = False) -> list[str]:
    """Interval starts 00:00 … 23:45, or ends 00:15 … 24:00."""
    step = 1440 // n
    return [clock((k + end) * step) for k in range(n)]


def wide_csv(path: Path, days: dict, columns: list, first: str = "date") -> Path:
    """A wide CSV: one row per date in ``days`` (date → list of values)."""
    frame = pd.DataFrame([[day, *values] for day, values in days.items()], columns=[first, *columns])
    frame.to_csv(path, index=False)
    return path


def read(path: Path, **options) -> tuple[pd.Series | None, list[str], list[str]]:
    """Series, notes and problems (as text) of one read."""
    problems: list[Problem] = []
    result = read_table(path, problems, **options)
    series, notes = (None, []) if result is None else (result.series, result.notes)
    return series, notes, [str(p) for p in problems]


def energy_kwh(series: pd.Series) -> float:
    step_h = (series.index[1] - series.index[0]) / pd.Timedelta(hours=1)
    return float(series.sum() * step_h)


# --- layouts, label conventions and units -------------------------------------------------------

def test_wide_csv_start_labelled_kw(tmp_path):
    path = wide_csv(tmp_path / "load.csv",
                    {"2025-01-01": list(range(96)), "2025-01-02": [100 + k for k in range(96)]},
                    labels(), first="date (kW)")
    series, notes, problems = read(path)
    assert problems == []
    assert len(series) == 192 and series.name == "value_kw"
    assert str(series.index.dtype) == "datetime64[ns]"
    assert series[pd.Timestamp("2025-01-01 00:00")] == pytest.approx(0.0)
    assert series[pd.Timestamp("2025-01-01 23:45")] == pytest.approx(95.0)
    assert series[pd.Timestamp("2025-01-02 00:15")] == pytest.approx(101.0)
    assert "layout wide (detected from the header)" in notes
    assert "labels mark interval starts (00:00 … 23:45)" in notes
    assert "values are mean power [kW] (from 'date (kW)')" in notes


def test_wide_xlsx_end_labelled_kwh_named_sheet(tmp_path):
    path = tmp_path / "load.xlsx"
    day = [25.0] + [4.0] * 94 + [5.0]  # 00:15 … 24:00, energy per 15 min [kWh]
    frame = pd.DataFrame([[dt.datetime(2025, 3, 1), *day], [dt.datetime(2025, 3, 2), *day]],
                         columns=["日期 (kWh)", *labels(end=True)])
    with pd.ExcelWriter(path, engine="openpyxl") as book:
        pd.DataFrame({"note": ["not a profile"]}).to_excel(book, sheet_name="Notes", index=False)
        frame.to_excel(book, sheet_name="Load", index=False)
    series, notes, problems = read(path, sheet="Load")
    assert problems == []
    assert series.index[0] == pd.Timestamp("2025-03-01 00:00")  # the 00:15 column lands on 00:00
    assert series[pd.Timestamp("2025-03-01 00:00")] == pytest.approx(100.0)  # 25 kWh / 0.25 h
    assert series[pd.Timestamp("2025-03-01 00:15")] == pytest.approx(16.0)
    assert series[pd.Timestamp("2025-03-01 23:45")] == pytest.approx(20.0)  # the 24:00 column
    assert series.index[-1] == pd.Timestamp("2025-03-02 23:45")
    assert ("labels mark interval ends (00:15 … 24:00): each value is placed at the start of its "
            "interval (00:15 → 00:00)") in notes
    assert ("values are energy per step [kWh], converted to mean power kW = kWh / step [h] "
            "(from '日期 (kWh)')") in notes
    assert "read sheet 'Load' of 2: 'Notes', 'Load'" in notes
    by_index, _, _ = read(path, sheet=1)
    pd.testing.assert_series_equal(by_index, series)


def test_hourly_end_labelled_kwh_and_positions(tmp_path):
    ends = [f"{h}:00" for h in range(1, 25)]  # 1:00 … 24:00
    path = wide_csv(tmp_path / "hourly.csv", {"2025-07-01": [30.0] + [10.0] * 23}, ends)
    series, notes, problems = read(path, unit="kwh")
    assert problems == []
    assert len(series) == 24
    assert series.index[1] - series.index[0] == pd.Timedelta(hours=1)
    assert series[pd.Timestamp("2025-07-01 00:00")] == pytest.approx(30.0)  # kWh per hour = kW
    assert "one row per day, 24 values (1 h steps), 2025-07-01 to 2025-07-01" in notes
    assert "values are energy per step [kWh], converted to mean power kW = kWh / step [h] (declared)" in notes

    positions = wide_csv(tmp_path / "positions.csv", {"7月1日": [30.0] + [10.0] * 23},
                         list(range(1, 25)))
    series, notes, problems = read(positions, unit="kw", year=2025)
    assert problems == []
    assert series[pd.Timestamp("2025-07-01 00:00")] == pytest.approx(30.0)
    assert "labels are positions (1 … 24), read as interval starts (1 → 00:00)" in notes


def test_long_csv_kwh_header(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("timestamp,value_kwh\n2025-01-01 00:00,25\n2025-01-01 00:15,10\n"
                    "2025-01-01 00:30,0\n2025-01-01 00:45,2.5\n")
    series, notes, problems = read(path)
    assert problems == []
    assert series.tolist() == pytest.approx([100.0, 40.0, 0.0, 10.0])
    assert series.index[0] == pd.Timestamp("2025-01-01 00:00")
    assert "layout long (detected from the header)" in notes
    assert "one row per 15 min step: 'timestamp', 'value_kwh'" in notes


def test_long_xlsx_with_excel_datetimes(tmp_path):
    path = tmp_path / "long.xlsx"
    index = pd.date_range("2025-01-01", periods=3, freq="1h")
    pd.DataFrame({"timestamp": index, "power_kw": [1.0, 2.0, 3.0]}).to_excel(path, sheet_name="data",
                                                                              index=False)
    series, _, problems = read(path)
    assert problems == []
    assert series.index.tolist() == index.tolist()
    assert series.tolist() == pytest.approx([1.0, 2.0, 3.0])


def test_title_row_gives_unit_and_shifts_rows(tmp_path):
    def titled(name: str, last: object) -> Path:
        rows = [["某厂负荷曲线 (kWh)", *[None] * 24], ["date", *labels(24)],
                ["2025-01-01", *[1.0] * 24], ["2025-01-02", *[1.0] * 23, last]]
        pd.DataFrame(rows[1:], columns=rows[0]).to_excel(tmp_path / name, sheet_name="Sheet1",
                                                         index=False)
        return tmp_path / name

    series, notes, problems = read(titled("good.xlsx", 1.0))
    assert problems == [] and len(series) == 48
    assert "row 1 is a title ('某厂负荷曲线 (kWh)'); the header is row 2" in notes
    assert ("values are energy per step [kWh], converted to mean power kW = kWh / step [h] "
            "(from '某厂负荷曲线 (kWh)')") in notes
    path = titled("bad.xlsx", "bad")
    _, _, problems = read(path)
    assert problems == [f"{path}:4:25  sheet 'Sheet1' column 23:00: not a number (got 'bad')"]


def test_chinese_windows_csv(tmp_path):
    path = tmp_path / "gbk.csv"
    text = "日期（千瓦时）," + ",".join(labels(24)) + "\n2025年1月1日," + ",".join(["2"] * 24) + "\n"
    path.write_bytes(text.encode("gb18030"))
    series, notes, problems = read(path)
    assert problems == []
    assert series.iloc[0] == pytest.approx(2.0)
    assert "read as GB18030 (Chinese Windows) text" in notes
    assert "values are energy per step [kWh], converted to mean power kW = kWh / step [h] " \
           "(from '日期（千瓦时）')" in notes


def test_unit_missing_is_a_problem(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("timestamp,value\n2025-01-01 00:00,1\n2025-01-01 01:00,2\n")
    _, _, problems = read(path)
    assert problems == [f"{path}:1:2  unit: no unit in the header (got 'value'): declare `unit: kw` "
                        "(mean power) or `unit: kwh` (energy per step) in the scenario"]
    series, _, problems = read(path, unit="kw")
    assert problems == [] and series.tolist() == pytest.approx([1.0, 2.0])


# --- convert and write ----------------------------------------------------------------------------

def test_convert_15min_to_1h_averages_and_keeps_energy(tmp_path):
    day = [float(k % 7) for k in range(96)]
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": day, "2025-01-02": day[::-1]}, labels(),
                    first="date kW")
    fine, _, _ = read(path)
    problems: list[Problem] = []
    hourly = convert(path, problems, resolution="1h")
    assert problems == []
    assert len(hourly.series) == 48
    assert hourly.series.iloc[0] == pytest.approx(np.mean(day[:4]))
    assert energy_kwh(hourly.series) == pytest.approx(energy_kwh(fine), rel=1e-12)
    assert "resampled 15 min → 1 h steps by averaging kW (energy kept)" in hourly.notes


def test_convert_1h_to_15min_repeats_and_keeps_energy(tmp_path):
    path = wide_csv(tmp_path / "h.csv", {"2025-01-01": [float(h) for h in range(24)]}, labels(24),
                    first="date kW")
    coarse, _, _ = read(path)
    problems: list[Problem] = []
    fine = convert(path, problems, resolution="15min").series
    assert problems == []
    assert len(fine) == 96
    assert fine[pd.Timestamp("2025-01-01 05:00"):pd.Timestamp("2025-01-01 05:45")].tolist() == \
        pytest.approx([5.0] * 4)
    assert energy_kwh(fine) == pytest.approx(energy_kwh(coarse), rel=1e-12)


def test_convert_refuses_partial_hours(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("timestamp,value_kw\n" + "".join(f"2025-01-01 00:{m:02d},1\n" for m in (15, 30, 45)))
    problems: list[Problem] = []
    assert convert(path, problems, resolution="1h") is None
    assert [str(p) for p in problems] == [
        f"{path}  timestamp: runs 2025-01-01 00:15 to 2025-01-01 01:00: needs at least two whole 1h "
        "steps, starting and ending on a step boundary"]


def test_write_long_round_trip(tmp_path):
    index = pd.date_range("2025-01-01", periods=3, freq="15min")
    series = pd.Series([100.0, 1 / 3, 0.0], index=index, name="value_kw")
    out = tmp_path / "out.csv"
    write_long(ProfileRead(series, []), out)
    assert out.read_text() == ("timestamp,value_kw\n2025-01-01 00:00,100\n"
                               "2025-01-01 00:15,0.333333\n2025-01-01 00:30,0\n")
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary left behind
    problems: list[Problem] = []
    again = read_table(out, problems).series
    assert problems == []
    assert again.tolist() == pytest.approx(series.tolist(), abs=1e-6)


# --- bad files ------------------------------------------------------------------------------------

def test_bad_cells_name_file_sheet_row_and_column(tmp_path):
    path = tmp_path / "bad.xlsx"
    day = [1.0] * 96
    rows = [[dt.datetime(2025, 1, 1), *day], [dt.datetime(2025, 1, 2), *day[:94], -2.0, "x"],
            [dt.datetime(2025, 1, 3), None, *day[1:]]]
    pd.DataFrame(rows, columns=["date kW", *labels()]).to_excel(path, sheet_name="Load", index=False)
    series, _, problems = read(path)
    assert series is None
    assert problems == [
        f"{path}:3:97  sheet 'Load' column 23:45: not a number (got 'x')",
        f"{path}:3:96  sheet 'Load' column 23:30: negative value (got -2)",
        f"{path}:4:2  sheet 'Load' column 00:00: empty cell (give a value, or a fill rule: "
        "interpolate, previous_day or zero)",
    ]


def test_row_problems_are_capped(tmp_path):
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": ["n/a"] * 8 + [1] * 88}, labels(),
                    first="date kW")
    _, _, problems = read(path)
    assert problems[:2] == [f"{path}:2:2  column 00:00: not a number (got 'n/a')",
                            f"{path}:2:3  column 00:15: not a number (got 'n/a')"]
    assert problems[5:] == [f"{path}  values: ... and 3 more cells like these"]


def test_duplicate_and_missing_days(tmp_path):
    day = [1] * 24
    path = wide_csv(tmp_path / "w.csv", {"2025-03-01": day, "2025-03-02": day, "2025-03-03": day,
                                         "2025-03-07": day, "2025-03-09": day}, labels(24),
                    first="date kW")
    path.write_text(path.read_text() + "2025-03-02," + ",".join(["1"] * 24) + "\n")
    _, _, problems = read(path)
    assert problems == [
        f"{path}:7:1  column date kW: duplicate date 2025-03-02 (also on row 3)",
        f"{path}:5:1  column date kW: missing days 2025-03-04 to 2025-03-06",
        f"{path}:6:1  column date kW: missing day 2025-03-08",
    ]


def test_wrong_number_of_value_columns(tmp_path):
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": [1] * 95}, labels()[:95], first="date kW")
    _, _, problems = read(path)
    assert problems == [f"{path}:1  header: expected a date column and 96 (15 min) or 24 (1 h) "
                        "value columns, got 95 value columns"]


def test_unparsable_dates_and_missing_year(tmp_path):
    path = wide_csv(tmp_path / "w.csv", {"2025-13-01": [1] * 24, "01-15": [1] * 24}, labels(24),
                    first="date kW")
    _, _, problems = read(path)
    assert problems == [
        f"""{path}:2:1  column date kW: not a date "YYYY-MM-DD" (got '2025-13-01')""",
        f"{path}:3:1  column date kW: date without a year; declare `year: YYYY` in the scenario "
        "(got '01-15')",
    ]


def test_labels_that_fit_no_convention(tmp_path):
    columns = labels()
    columns[2] = "00:20"
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": [1] * 96}, columns, first="date kW")
    _, _, problems = read(path)
    assert problems == [f"{path}:1:4  column 00:20: expected 00:30 here (labels must be interval "
                        "starts 00:00 … 23:45, interval ends 00:15 … 24:00 or positions 1 … 96; "
                        "got '00:20')"]


def test_long_gap_without_fill(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("timestamp,value_kw\n2025-01-01 00:00,1\n2025-01-01 00:15,1\n"
                    "2025-01-01 00:30,1\n2025-01-01 01:15,1\n")
    _, _, problems = read(path)
    assert problems == [f"{path}:5:1  column timestamp: gap: 2025-01-01 01:15 follows "
                        "2025-01-01 00:30 (expected a regular 15 min step)"]


def test_missing_sheet_and_bad_options(tmp_path):
    path = tmp_path / "one.xlsx"
    pd.DataFrame({"timestamp": ["2025-01-01 00:00"], "value_kw": [1]}).to_excel(
        path, sheet_name="Load", index=False)
    _, _, problems = read(path, sheet="Lood")
    assert problems == [f"{path}  sheet: no sheet 'Lood' (the workbook has 'Load')"]
    _, _, problems = read(path, unit="MW", fill="spline")
    assert problems == [f"{path}  unit: must be one of None, kw, kwh (got 'MW')",
                        f"{path}  fill: must be one of None, interpolate, previous_day, zero "
                        "(got 'spline')"]


# --- fill rules -----------------------------------------------------------------------------------

def test_fill_interpolate_linear_in_time(tmp_path):
    day = [float(k) for k in range(96)]
    day[4] = day[5] = None  # 01:00 and 01:15 between 00:45 = 3 and 01:30 = 6
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": day}, labels(), first="date kW")
    series, notes, problems = read(path, fill="interpolate")
    assert problems == []
    assert series["2025-01-01 00:45":"2025-01-01 01:30"].tolist() == pytest.approx([3.0, 4.0, 5.0, 6.0])
    assert "filled 2 steps (1 gap) by interpolate" in notes


def test_fill_interpolate_up_to_four_hours_only(tmp_path):
    day = [1.0] * 96
    day[8:24] = [None] * 16  # 02:00 to 05:45: 4 h
    path = wide_csv(tmp_path / "ok.csv", {"2025-01-01": day}, labels(), first="date kW")
    series, _, problems = read(path, fill="interpolate")
    assert problems == [] and series.tolist() == pytest.approx([1.0] * 96)
    day[24] = None  # 4 h 15 min
    path = wide_csv(tmp_path / "long.csv", {"2025-01-01": day}, labels(), first="date kW")
    _, _, problems = read(path, fill="interpolate")
    refusal = ("interpolate fills only gaps of up to 4 h with values on both sides; fix the data "
               "or choose fill previous_day or zero")
    assert problems == [f"{path}:2:10  column 02:00: cannot fill 17 steps (4.25 h) from "
                        f"2025-01-01 02:00 to 2025-01-01 06:15: {refusal}"]
    day = [1.0] * 96
    path = wide_csv(tmp_path / "days.csv", {"2025-01-01": day, "2025-01-03": day}, labels(),
                    first="date kW")
    _, _, problems = read(path, fill="interpolate")  # a missing day: no row to point at
    assert problems == [f"{path}  column date kW: cannot fill 96 steps (24 h) from 2025-01-02 00:00 "
                        f"to 2025-01-03 00:00: {refusal}"]


def test_fill_previous_day_for_a_missing_day_and_cells(tmp_path):
    first = [float(k) for k in range(24)]
    third = [100.0 + h for h in range(24)]
    third[5] = None
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": first, "2025-01-03": third}, labels(24),
                    first="date kW")
    series, notes, problems = read(path, fill="previous_day")
    assert problems == []
    assert series["2025-01-02"].tolist() == pytest.approx(first)  # the missing day
    assert series[pd.Timestamp("2025-01-03 05:00")] == pytest.approx(first[5])  # nearest earlier day
    assert "filled 25 steps (2 gaps) by previous_day" in notes


def test_fill_previous_day_needs_an_earlier_day(tmp_path):
    day = [1.0] * 24
    day[0] = None
    path = wide_csv(tmp_path / "w.csv", {"2025-01-01": day}, labels(24), first="date kW")
    _, _, problems = read(path, fill="previous_day")
    assert problems == [f"{path}:2:2  column 00:00: cannot fill 1 step (1 h) from 2025-01-01 00:00 "
                        "to 2025-01-01 01:00: no earlier day has values at these times; fix the "
                        "data or choose fill interpolate or zero"]


def test_fill_zero_and_long_gaps(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("timestamp,value_kw\n2025-01-01 00:00,4\n2025-01-01 00:15,\n"
                    "2025-01-01 00:30,8\n2025-01-01 01:15,2\n")
    series, notes, problems = read(path, fill="zero")
    assert problems == []
    assert series.tolist() == pytest.approx([4.0, 0.0, 8.0, 0.0, 0.0, 2.0])
    assert "filled 3 steps (2 gaps) by zero" in notes
    series, _, _ = read(path, fill="interpolate")
    assert series.tolist() == pytest.approx([4.0, 6.0, 8.0, 6.0, 4.0, 2.0])
