"""Bad input in the files read besides the scenario and its profiles: spot price files, a
sweep's grid and the scenario as a sweep reads it. Each is decoded as a scenario is (UTF-8,
UTF-16 with a byte-order mark, GB18030), and each bad row or cell is located
(``file:line:col``), exit code 2; and a scenario read as GB18030 says so in its notes.

The spot price files are those of `spot_scenario`: ``timestamp,price`` and one row per hour
of 2025-01-01 from line 2 on (00:00 on line 2, 01:00 on line 3, ...).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import constant, tiny_scenario
from test_bad_inputs import refused
from test_sweep import park

from energysim import load_scenario, run_case
from energysim.analysis.sweep_grid import read_grid
from energysim.cli import main
from energysim.yamlio import value_problem

HOURS = 4
LOAD_KW = 10.0
SPOT_TARIFF = {"name": "spot", "energy_price": {"spot": {"file": "spot.csv"}},
               "export_price_cny_per_kwh": 0.0}


def spot_scenario(tmp_path: Path, prices: list[str]) -> tuple[Path, Path]:
    """A 4-hour scenario of a flat 10 kW load on a spot tariff, and its price file."""
    path = tiny_scenario(tmp_path, constant(HOURS, LOAD_KW), tariff=SPOT_TARIFF)
    rows = [f"2025-01-01 {h:02d}:00,{p}\n" for h, p in enumerate(prices)]
    spot = tmp_path / "spot.csv"
    spot.write_text("timestamp,price\n" + "".join(rows), encoding="utf-8")
    return path, spot.resolve()


# --- spot price files --------------------------------------------------------------------

def test_a_gbk_spot_file_with_negative_prices_is_read_and_billed(tmp_path):
    """A price file saved by Excel on Chinese Windows (a Chinese column name, GBK), negative
    prices allowed down to the plausible limit: 10 kW × 1 h × (0.5 − 0.2 + 0.3 − 999) =
    −9,984 CNY."""
    path, spot = spot_scenario(tmp_path, [])
    spot.write_bytes("timestamp,电价\n2025-01-01 00:00,0.5\n2025-01-01 01:00,-0.2\n"
                     "2025-01-01 02:00,0.3\n2025-01-01 03:00,-999\n".encode("gbk"))
    scenario = load_scenario(path)
    assert scenario.tariffs["t"].spot_cny_per_kwh.tolist() == [0.5, -0.2, 0.3, -999.0]
    assert run_case(scenario, "none").total_cost_cny == pytest.approx(-9984.0, rel=1e-9)


def test_a_binary_spot_file(tmp_path):
    path, spot = spot_scenario(tmp_path, [])
    spot.write_bytes(b"timestamp,price\n\x00\x01\x02")
    assert f"{spot}:2:1  file: is not a text file (a NUL byte here)" in refused(path, tmp_path)


def test_an_undecodable_spot_file(tmp_path):
    path, spot = spot_scenario(tmp_path, [])
    spot.write_bytes(b"timestamp,price\n2025-01-01 00:00,\x80\n")  # neither UTF-8 nor GB18030
    assert (f"{spot}:2:18  file: is not text in UTF-8, UTF-16 with a byte-order mark, or "
            "GB18030 (GBK) (byte 0x80 here is none of them)") in refused(path, tmp_path)


def test_spot_rows_with_extra_fields(tmp_path):
    path, spot = spot_scenario(tmp_path, ["0.5", "0.5,7", "0.5", "0.5,,"])
    output = refused(path, tmp_path)
    assert (f"{spot}:3:3  columns: 3 fields, but the header has 2 ('timestamp', 'price'): an "
            "extra value or separator? (got '2025-01-01 01:00,0.5,7')") in output
    assert f"{spot}:5:3  columns: 4 fields, but the header has 2" in output
    assert "2 problems" in output


@pytest.mark.parametrize("cell, expected", [
    ("1e308", "not a plausible price per kWh: at most 1,000 CNY/kWh in magnitude (check the "
              "number and its unit) (got '1e308')"),
    ("-1000.5", "not a plausible price per kWh: at most 1,000 CNY/kWh"),
    ("nan", "not a finite number (got 'nan')"),
    ("inf", "not a finite number (got 'inf')"),
    ("-1e400", "not a finite number (got '-1e400')"),
    ("abc", "not a number (got 'abc')"),
    ("", "empty cell: a price is needed at every step"),
])
def test_one_bad_spot_price_is_refused_at_its_cell(tmp_path, cell, expected):
    """One bad value among three good ones (the median alone would pass them)."""
    path, spot = spot_scenario(tmp_path, ["0.5", "0.5", cell, "0.5"])
    output = refused(path, tmp_path)
    assert f"{spot}:4:2  price: {expected}" in output and "1 problem " in output


def test_bad_spot_timestamps_and_steps_at_their_lines(tmp_path):
    """A blank line is skipped but counted: the duplicate 01:00 is on line 5, the cell that
    is not a timestamp of the second file on line 3."""
    path, spot = spot_scenario(tmp_path, [])
    spot.write_text("timestamp,price\n2025-01-01 00:00,0.5\n\n2025-01-01 01:00,0.5\n"
                    "2025-01-01 01:00,0.5\n2025-01-01 02:00,0.5\n2025-01-01 03:00,0.5\n",
                    encoding="utf-8")
    assert f"{spot}:5:1  timestamp: duplicate timestamp 2025-01-01 01:00" in refused(path, tmp_path)
    spot.write_text("timestamp,price\n2025-01-01 00:00,0.5\n2025-01-32 01:00,0.5\n", encoding="utf-8")
    assert (f"{spot}:3:1  timestamp: not a timestamp (got '2025-01-32 01:00'): expected "
            "YYYY-MM-DD HH:MM or ISO 8601") in refused(path, tmp_path)


def test_many_bad_spot_prices_are_counted(tmp_path):
    """Seven NaNs: the first five (`MAX_ROW_PROBLEMS`) at their cells, then a count."""
    path, spot = spot_scenario(tmp_path, [])
    spot.write_text("timestamp,price\n" + "".join(f"2025-01-01 {h:02d}:00,NaN\n" for h in range(7)),
                    encoding="utf-8")
    output = refused(path, tmp_path)
    assert all(f"{spot}:{line}:2  price: not a finite number (got 'NaN')" in output
               for line in range(2, 7))
    assert f"{spot}:7:2" not in output
    assert f"{spot}  price: ... and 2 more rows like these" in output


# --- sweep grids and the scenario a sweep reads ------------------------------------------

def sweep(tmp_path: Path, scenario: Path, grid: Path, *extra: str):
    return CliRunner().invoke(main, ["sweep", str(scenario), "--grid", str(grid), "--out",
                                     str(tmp_path / "out"), "--workers", "1", "--quiet", *extra])


def test_gbk_scenario_and_grid_sweep(tmp_path):
    """A scenario and a CSV grid saved on Chinese Windows (GBK) sweep: the grid's Chinese
    value reaches the table (before, the scenario's text was read as UTF-8: exit 1)."""
    path = park(tmp_path)
    text = path.read_text(encoding="utf-8").replace("name: sweep park", "name: 园区扫描")
    path.write_bytes(text.encode("gbk"))
    grid = tmp_path / "grid.csv"
    grid.write_bytes("enterprises.a.name,enterprises.a.storage.capacity_kwh\n甲厂,100\n"
                     .encode("gbk"))
    assert read_grid(grid) == [{"enterprises.a.name": "甲厂",
                                "enterprises.a.storage.capacity_kwh": 100}]
    result = sweep(tmp_path, path, grid, "--case", "none")
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "out" / "sweep.csv")
    assert set(table["enterprises.a.name"]) == {"甲厂"} and (table["status"] == "ok").all()


@pytest.mark.parametrize("name, raw, expected", [
    ("grid.csv", b"enterprises.a.storage.capacity_kwh\n\x00\x01",
     "grid.csv:2:1  file: is not a text file (a NUL byte here)"),
    ("grid.csv", b"enterprises.a.storage.capacity_kwh\n100\n\x80\n",
     "grid.csv:3:1  file: is not text in UTF-8, UTF-16 with a byte-order mark, or GB18030"),
    ("grid.yaml", b"PK\x03\x04\x14\x00", "grid.yaml:1:6  file: is not a text file (a NUL byte "
                                          "here, a zip archive: an Excel workbook?)"),
])
def test_binary_or_undecodable_grid(tmp_path, name, raw, expected):
    path = park(tmp_path)
    (tmp_path / name).write_bytes(raw)
    result = sweep(tmp_path, path, tmp_path / name)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert f"{tmp_path / name}:{expected.split(':', 1)[1]}" in result.output


def test_binary_or_undecodable_scenario_of_a_sweep(tmp_path):
    path = park(tmp_path)
    grid = tmp_path / "grid.csv"
    grid.write_text("enterprises.a.storage.capacity_kwh\n100\n", encoding="utf-8")
    path.write_bytes(b"name: park\nhorizon: \x80\n")
    result = sweep(tmp_path, path, grid)
    assert result.exit_code == 2, result.output
    assert f"{path}:2:10  file: is not text in UTF-8" in result.output
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00")
    result = sweep(tmp_path, path, grid)
    assert result.exit_code == 2 and f"{path}:3:1  file: is not a text file" in result.output


def test_bad_cells_and_rows_of_a_csv_grid_at_their_line_and_column(tmp_path):
    """A cell that is not valid YAML, one with a tag, a row with an extra value and one short
    of a value: each at its line and column, together, exit 2."""
    path = park(tmp_path)
    grid = tmp_path / "grid.csv"
    grid.write_text("enterprises.a.storage.capacity_kwh,tariffs.t.energy_price.bands_cny_per_kwh.valley\n"
                    "100,[0.2\n"
                    "!!python/name:os.system,0.3\n"
                    "100,0.3,7\n"
                    "\n"
                    "100\n", encoding="utf-8")
    result = sweep(tmp_path, path, grid)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    text = result.output
    assert "4 problems" in text
    assert (f"{grid}:2:2  tariffs.t.energy_price.bands_cny_per_kwh.valley: not valid YAML: "
            "expected ',' or ']', but got '<stream end>' (got '[0.2')") in text
    assert (f"{grid}:3:1  enterprises.a.storage.capacity_kwh: YAML tags are not accepted (got "
            "!!python/name:os.system)") in text
    assert f"{grid}:4:3  row: has 3 values for 2 columns" in text
    assert f"{grid}:6:2  row: has 1 values for 2 columns" in text


def test_value_problem():
    assert value_problem("[0.2, 0.3]") is None and value_problem("11:00") is None
    assert value_problem("!!str 1").startswith("YAML tags are not accepted (got !!str)")
    bomb = "[&a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], " + ", ".join(
        f"&{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(6)) + "]"
    assert "alias bomb" in value_problem(bomb)
    assert value_problem("a\x01").startswith("not valid YAML: the character U+0001")


# --- the scenario's own decoding note ----------------------------------------------------

@pytest.mark.parametrize("encoding, noted", [("gbk", True), ("utf-8", False)])
def test_a_gbk_scenario_says_it_was_read_as_gb18030(tmp_path, encoding, noted):
    path = tiny_scenario(tmp_path, constant(HOURS, LOAD_KW))
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    scenario = load_scenario(path)
    assert scenario.enterprises["plant"].name == "测试工厂"
    note = "scenario.yaml: read as GB18030 (Chinese Windows) text"
    assert (note in scenario.notes) is noted


@pytest.mark.parametrize("variant", ["first_row", "trailing_commas"])
def test_an_extra_field_on_the_first_row_or_every_row_is_located(tmp_path, variant):
    """pandas takes an extra first-row field for an index, and a trailing comma on every row
    likewise: both refused at their line, never a traceback."""
    from conftest import tiny_scenario

    from energysim import ScenarioError, load_scenario

    path = tiny_scenario(tmp_path, [10.0] * 4)
    lines = (tmp_path / "load.csv").read_text(encoding="utf-8").splitlines()
    if variant == "first_row":
        lines[1] += ",7"
    else:
        lines = [lines[0], *(line + "," for line in lines[1:])]
    (tmp_path / "load.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "load.csv:2:3  columns: 3 fields, but the header has 2" in str(info.value)


def test_a_semicolon_separated_profile_says_how_to_save_it(tmp_path):
    """Excel in many locales saves CSV with semicolons: the problem says so and how to fix."""
    from click.testing import CliRunner

    from energysim.cli import main

    path = tmp_path / "semi.csv"
    path.write_text("timestamp;value_kw\n2025-01-01 00:00;10\n2025-01-01 01:00;12\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["bill", "--tariff", "chongqing_2021_tou", "--load",
                                       str(path), "--unit", "kw"])
    assert result.exit_code == 2 and "separated by semicolons" in result.output
