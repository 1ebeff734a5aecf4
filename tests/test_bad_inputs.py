"""Bad input of every kind ends in exit code 2 with the file, the line (or row) and column,
and what was expected: dates that do not exist, non-finite and implausible numbers, YAML
tags, alias bombs, binary files and other encodings, profile rows with an extra field. (A
solve that reaches its time limit: `tests/test_solve_limits.py`.)

Line numbers are those of the file `tests.conftest.tiny_scenario` writes:

     1 name: tiny                 15         flat: 1.0              25   transformer_kva: 1000.0
     3   start: 2025-01-01 00:00  19     export_price_cny_per_kwh   26   basic_charge: none
     5   resolution: 1h           21 - id: plant                    27   storage: (if given)
     7   t:                       23   load: load.csv               33 baseline_case: none
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import constant, tiny_scenario

from energysim.cli import main
from energysim.schema import implausible
from energysim.yamlio import read_yaml

HOURS = 24


def scenario(tmp_path: Path, **kwargs) -> Path:
    return tiny_scenario(tmp_path, constant(HOURS, 100.0), **kwargs)


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def refused(path: Path, tmp_path: Path) -> str:
    """What ``validate`` says about ``path``, checked to be what ``run`` says too: exit 2, no
    traceback."""
    runner = CliRunner()
    checked = runner.invoke(main, ["validate", str(path)])
    ran = runner.invoke(main, ["run", str(path), "--out", str(tmp_path / "out"), "--quiet",
                               "--no-figures", "--workers", "1"])
    for result in (checked, ran):
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and "error:" not in result.output
    assert ran.output == checked.output
    return checked.output


# --- dates that do not exist -------------------------------------------------------------

def test_horizon_date_that_does_not_exist(tmp_path):
    path = edit(scenario(tmp_path), "start: 2025-01-01 00:00", "start: 2025-02-30")
    output = refused(path, tmp_path)
    assert (f"{path}:3:3  horizon.start: Input should be a valid date or datetime, day value "
            "is outside expected range (got '2025-02-30')") in output
    assert output.count("horizon.start:") == 1  # the union's two members reported once


def test_tariff_date_that_does_not_exist(tmp_path):
    path = edit(scenario(tmp_path), "    name: flat 1.0\n", "    name: flat 1.0\n    effective: 2025-02-30\n")
    assert (f"{path}:9:5  tariffs.t.effective: Input should be a valid date or datetime, day "
            "value is outside expected range (got '2025-02-30')") in refused(path, tmp_path)


def test_vpp_event_date_that_does_not_exist(tmp_path):
    path = scenario(tmp_path)
    with path.open("a", encoding="utf-8") as handle:  # lines 34-38
        handle.write("vpp:\n  participants: [plant]\n  declared_kw: {plant: 50}\n  events:\n"
                     "  - {name: e1, date: 2025-02-30, window: '10:00-12:00', requested_kw: 20,"
                     " payment_cny_per_kwh: 3.0}\n")
    output = refused(path, tmp_path)
    assert (f"{path}:38:16  vpp.events[0].date: Input should be a valid date or datetime, day "
            "value is outside expected range (got '2025-02-30')") in output


def test_profile_date_that_does_not_exist(tmp_path):
    path = scenario(tmp_path)
    load = edit(tmp_path / "load.csv", "2025-01-01 03:00", "2025-02-30 03:00")  # line 5
    output = refused(path, tmp_path)
    assert (f"{load.resolve()}:5:1  column timestamp: not a timestamp \"YYYY-MM-DD HH:MM\" "
            "(got '2025-02-30 03:00')") in output


# --- NaN, infinite and implausible numbers -----------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ("flat: 1.0", "flat: .nan",
     ":15:9  tariffs.t.energy_price.bands_cny_per_kwh.flat: Input should be a finite number "
     "(got nan)"),
    ("transformer_kva: 1000.0", "transformer_kva: .inf",
     ":25:3  enterprises.plant.transformer_kva: Input should be a finite number (got inf)"),
    ("transformer_kva: 1000.0", "transformer_kva: 1e400",  # beyond a float: infinite
     ":25:3  enterprises.plant.transformer_kva: Input should be a finite number (got inf)"),
    ("transformer_kva: 1000.0", "transformer_kva: 1e308",
     ":25:3  enterprises.plant.transformer_kva: not a plausible capacity: at most 10,000,000 "
     "kVA in magnitude (check the number and its unit) (got 1e+308)"),
    ("export_price_cny_per_kwh: 0.4", "export_price_cny_per_kwh: 1e308",
     ":19:5  tariffs.t.export_price_cny_per_kwh: not a plausible price per kWh: at most 1,000 "
     "CNY/kWh in magnitude (check the number and its unit) (got 1e+308)"),
    ("flat: 1.0", "flat: -2000.0",  # a number in a mapping: at its key
     ":15:9  tariffs.t.energy_price.bands_cny_per_kwh.flat: not a plausible price per kWh: at "
     "most 1,000 CNY/kWh in magnitude (check the number and its unit) (got -2000.0)"),
])
def test_non_finite_or_implausible_number(tmp_path, old, new, expected):
    path = edit(scenario(tmp_path), old, new)
    assert f"{path}{expected}" in refused(path, tmp_path)


def test_every_bad_number_of_a_file_reported_together(tmp_path):
    path = scenario(tmp_path, storage={"capacity_kwh": 1e308, "power_kw": 100.0,
                                       "wear_cost_cny_per_kwh": float("nan")})
    output = refused(path, tmp_path)
    assert "2 problems in the input" in output
    assert (f"{path}:28:5  enterprises.plant.storage.capacity_kwh: not a plausible energy: at "
            "most 100,000,000 kWh in magnitude") in output
    assert (f"{path}:30:5  enterprises.plant.storage.wear_cost_cny_per_kwh: Input should be a "
            "finite number (got nan)") in output


def test_plausible_limits():
    assert implausible("payment_cny_per_kwh", 1000.0) is None
    assert implausible("payment_cny_per_kwh", 1000.5) == (
        "not a plausible price per kWh: at most 1,000 CNY/kWh in magnitude (check the number "
        "and its unit)", None, 1000.5)
    assert implausible("capacity_kwh", -1e8) is None
    assert implausible("capacity_kwh", 1.5e8) is not None
    assert implausible("line_kw", 1e7) is None and implausible("line_kw", 2e7) is not None
    assert implausible("demand_cny_per_kw_month", 2e4) is not None
    assert implausible("ratios", {"peak": 1.5, "valley": 0.4}) is None
    assert implausible("ratios", {"valley": 0.4, "peak": 150.0})[1:] == ("peak", 150.0)
    assert implausible("seed", 10**20) is None  # integers keep their own bounds
    assert implausible("cost_shares", {"a": 2e9}) is not None  # any other float: 1e9


def test_profile_values_not_finite_or_implausible(tmp_path):
    path = scenario(tmp_path)
    load = tmp_path / "load.csv"
    rows = ["timestamp,value_kw"] + [f"2025-01-01 {h:02d}:00,100" for h in range(HOURS)]
    rows[2], rows[3], rows[4] = "2025-01-01 01:00,nan", "2025-01-01 02:00,inf", \
        "2025-01-01 03:00,1e308"
    load.write_text("\n".join(rows) + "\n", encoding="utf-8")
    output = refused(path, tmp_path)
    where = f"{load.resolve()}"
    assert f"{where}:3:2  column value_kw: not a number (got 'nan')" in output
    assert f"{where}:4:2  column value_kw: not a finite number (got 'inf')" in output
    assert (f"{where}:5:2  column value_kw: implausible value: more than 10,000,000 kW (or kWh "
            "per step) (got '1e308')") in output


# --- YAML tags ---------------------------------------------------------------------------

@pytest.mark.parametrize("old, new, expected", [
    ("transformer_kva: 1000.0", "transformer_kva: !!python/name:os.system",
     ":25:20  enterprises.plant.transformer_kva: YAML tags are not accepted (got "
     "!!python/name:os.system): write the plain value, without the tag"),
    ("name: tiny", 'name: !!python/object/apply:os.system ["echo hi"]',
     ":1:7  name: YAML tags are not accepted (got !!python/object/apply:os.system)"),
    ("transformer_kva: 1000.0", "transformer_kva: !custom 1000",
     ":25:20  enterprises.plant.transformer_kva: YAML tags are not accepted (got !custom)"),
    ("resolution: 1h", "resolution: !!str 1h",
     ":5:15  horizon.resolution: YAML tags are not accepted (got !!str)"),
    ("  t:\n", "  t: !tariff\n", ":7:6  tariffs.t: YAML tags are not accepted (got !tariff)"),
])
def test_yaml_tags_refused(tmp_path, old, new, expected):
    path = edit(scenario(tmp_path), old, new)
    assert f"{path}{expected}" in refused(path, tmp_path)


def test_every_tag_reported(tmp_path):
    path = edit(edit(scenario(tmp_path), "name: tiny", "name: !a tiny"),
                "transformer_kva: 1000.0", "transformer_kva: !b 1000")
    output = refused(path, tmp_path)
    assert "2 problems in the input" in output
    assert f"{path}:1:7  name:" in output and f"{path}:25:20  enterprises.plant" in output


# --- aliases -----------------------------------------------------------------------------

def test_alias_bomb_refused_at_once(tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    start = time.perf_counter()
    output = refused(path, tmp_path)
    assert time.perf_counter() - start < 5.0
    # expanded sizes: a0 10 nodes, a1 91, a2 820, a3 7,381, a4 66,430; the aliases of lines
    # 2-5 add 90 + 819 + 7,380 + 66,429 = 74,718, the first *a4 of line 6 66,430 more
    assert (f"{path}:6:10  a5[0]: with the aliases before it, this alias expands the document "
            "by more than 100,000 nodes, the most accepted (an alias bomb") in output


def test_alias_inside_its_own_anchor(tmp_path):
    path = edit(scenario(tmp_path), "name: tiny", "name: &n [1, *n]")
    assert f"{path}:1:14  name[1]: alias *n lies inside its own anchor" in refused(path, tmp_path)


def test_ordinary_aliases_accepted(tmp_path):
    path = edit(edit(scenario(tmp_path), "transformer_kva: 1000.0", "transformer_kva: &kva 1000.0"),
                "basic_charge: none", "basic_charge: contract_demand\n  contract_demand_kw: *kva")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_nesting_too_deep(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("name: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "nested deeper than 100 levels" in refused(path, tmp_path)


# --- binary files and other encodings ----------------------------------------------------

def test_binary_scenario(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")  # NUL at byte 8, after 2 newlines
    assert (f"{path}:3:1  file: is not a text file (a NUL byte here); energysim reads YAML "
            "and CSV files as text in UTF-8, UTF-16 with a byte-order mark, or GB18030 (GBK)"
            ) in refused(path, tmp_path)


def test_workbook_as_scenario(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00")  # what an .xlsx starts with
    assert (f"{path}:1:6  file: is not a text file (a NUL byte here, a zip archive: an Excel "
            "workbook?)") in refused(path, tmp_path)


def test_undecodable_scenario_says_how_to_convert(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"name: tiny\nhorizon: \x80\n")  # 0x80 is neither UTF-8 nor GB18030
    assert (f"{path}:2:10  file: is not text in UTF-8, UTF-16 with a byte-order mark, or "
            "GB18030 (GBK) (byte 0x80 here is none of them); save it as UTF-8 (Notepad: Save "
            "as, Encoding UTF-8) or convert it: iconv -f ITS_ENCODING -t UTF-8 scenario.yaml > "
            "utf8_scenario.yaml") in refused(path, tmp_path)


@pytest.mark.parametrize("encoding, note", [("gb18030", True), ("gbk", True), ("utf-16", False),
                                            ("utf-8-sig", False)])
def test_gbk_and_utf16_scenarios_read(tmp_path, encoding, note):
    path = scenario(tmp_path)
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    notes: list[str] = []
    data, _ = read_yaml(path, notes=notes)
    assert data["enterprises"][0]["name"] == "测试工厂"
    assert notes == (["scenario.yaml: read as GB18030 (Chinese Windows) text"] if note else [])
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def test_control_character_in_scenario(tmp_path):
    path = edit(scenario(tmp_path), "name: tiny", "name: ti\x01ny")
    assert (f"{path}:1:9  yaml: not valid YAML: the character U+0001 is not allowed in a YAML "
            "file (a control character)") in refused(path, tmp_path)


def test_binary_profile(tmp_path):
    path = scenario(tmp_path)
    load = tmp_path / "load.csv"
    load.write_bytes(b"timestamp,value_kw\n\x00\x01\x02")
    assert f"{load.resolve()}:2:1  file: is not a text file (a NUL byte here)" in \
        refused(path, tmp_path)


def test_undecodable_profile(tmp_path):
    path = scenario(tmp_path)
    load = tmp_path / "load.csv"
    load.write_bytes(b"timestamp,value_kw\n2025-01-01 00:00,\xff\n")
    assert f"{load.resolve()}:2:18  file: is not text in UTF-8" in refused(path, tmp_path)


# --- profile rows with an extra field ----------------------------------------------------

def test_profile_row_with_extra_field(tmp_path):
    path = scenario(tmp_path)
    load = tmp_path / "load.csv"
    edit(load, "2025-01-01 03:00,100.0\n", "2025-01-01 03:00,100.0,7\n")  # line 5
    edit(load, "2025-01-01 09:00,100.0\n", "2025-01-01 09:00,100.0,,\n")  # line 11
    output = refused(path, tmp_path)
    assert (f"{load.resolve()}:5:3  columns: 3 fields, but the header has 2 ('timestamp', "
            "'value_kw'): an extra value or separator? (got '2025-01-01 03:00,100.0,7')") in output
    assert f"{load.resolve()}:11:3  columns: 4 fields, but the header has 2" in output
