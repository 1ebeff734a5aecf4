"""Scenario and profile validation: every problem, with file, line and field."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import DEMO, dump_yaml, tiny_scenario, write_profile
from ruamel.yaml import YAML

from energysim import ScenarioError, load_scenario
from energysim.tariffs.periods import BANDS


def _edit(path, change):
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    change(data)
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def _problems(path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


def test_demo_scenario_loads():
    scenario = load_scenario(DEMO)
    assert len(scenario.index) == 35040
    assert scenario.dt_h == pytest.approx(0.25)
    assert set(scenario.cases) >= {"baseline", "current_pv_storage", "midday_valley",
                                   "midday_valley_pv_storage"}
    assert scenario.tariff_for("midday_valley", "materials").document.startswith("proposal")


def test_all_schema_problems_reported_at_once_with_lines(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4, storage={"capacity_kwh": 10, "power_kw": 5})

    def break_it(data):
        data["enterprises"][0]["storage"]["power_kw"] = -5
        data["enterprises"][0]["colour"] = "red"
        data["horizon"]["resolution"] = "5min"

    text = _problems(_edit(path, break_it))
    assert "3 problems" in text
    lines = text.splitlines()
    assert any("scenario.yaml:" in ln and "enterprises.plant.storage.power_kw" in ln
               and "greater than 0" in ln and "(got -5)" in ln for ln in lines)
    assert any("enterprises.plant.colour" in ln and "Extra inputs" in ln for ln in lines)
    assert any("horizon.resolution" in ln and "'5min'" in ln for ln in lines)
    line_of_power = next(ln for ln in lines if "power_kw" in ln)
    number = int(line_of_power.split("scenario.yaml:")[1].split(":")[0])
    assert "power_kw" in path.read_text().splitlines()[number - 1]


def test_cross_references_are_checked(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4, basic_charge="contract_demand",
                         contract_demand_kw=100, transformer_kva=1000)

    def break_it(data):
        data["enterprises"][0]["tariff"] = "nope"
        data["cases"]["all"]["tariff"] = "missing"
        data["baseline_case"] = "base"

    text = _problems(_edit(path, break_it))
    assert "enterprises.plant.tariff: unknown tariff 'nope'" in text
    assert "cases.all.tariff: unknown tariff 'missing'" in text
    assert "baseline_case: unknown case 'base'" in text
    assert "contract_demand_kw: may not be below 40 % of transformer_kva" in text


def test_library_tariff_with_overrides(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def use_library(data):
        data["tariffs"]["t"] = {"from_library": "chongqing_2021_tou",
                                "energy_price": {"months": {"2026-07": {"adder_cny_per_kwh": 0.1}}}}

    scenario = load_scenario(_edit(path, use_library))
    tariff = scenario.tariffs["t"]
    # modified, so reports must not show it as the library's tariff (issue 14, item 5)
    assert tariff.name == "t (based on chongqing_2021_tou, modified: energy_price)"
    assert tariff.document == ("based on 渝发改规范〔2021〕14号; modified: energy_price in the "
                               "scenario")
    assert tariff.energy_price.months["2026-07"].adder_cny_per_kwh == pytest.approx(0.1)
    assert tariff.energy_price.months["2025-02"].adder_cny_per_kwh == pytest.approx(0.144374, abs=1e-6)
    e = tariff.energy_price.months["2026-07"].flat_cny_per_kwh
    assert e == pytest.approx(0.632638, abs=1e-6)
    assert tariff.price_by_band[BANDS.index("peak")] == pytest.approx(1.6 * e + 0.1)

    def unknown(data):
        data["tariffs"]["t"] = {"from_library": "atlantis"}

    assert "no built-in tariff 'atlantis'" in _problems(_edit(path, unknown))


def test_tariff_boundary_inside_a_step_is_an_error(tmp_path):
    tariff = {"name": "jiangxi-like", "periods": [
        {"band": "flat", "hours": ["00:00-11:30", "14:30-24:00"]},
        {"band": "valley", "hours": ["11:30-14:30"]}],
        "energy_price": {"bands_cny_per_kwh": {"flat": 0.6, "valley": 0.3}}}
    path = tiny_scenario(tmp_path, [10.0] * 4, tariff=tariff)
    assert "band boundaries at 11:30, 14:30 fall inside a 1h step" in _problems(path)


def test_load_above_transformer_is_an_error(tmp_path):
    path = tiny_scenario(tmp_path, [10.0, 1200.0, 10.0, 10.0], transformer_kva=1000)
    text = _problems(path)
    assert "transformer_kva: load reaches 1200.0 kW at 2025-01-01 01:00" in text


def test_yaml_syntax_error_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nhorizon: [unclosed\n", encoding="utf-8")
    assert "bad.yaml:" in _problems(path)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (["2025-01-01 00:00,1", "2025-01-01 01:00,1", "2025-01-01 01:00,1",
          "2025-01-01 02:00,1", "2025-01-01 03:00,1"],
         "load.csv:4:1  column timestamp: duplicate timestamp 2025-01-01 01:00"),
        (["2025-01-01 00:00,1", "2025-01-01 01:00,1", "2025-01-01 03:00,1",
          "2025-01-01 04:00,1"],
         "load.csv:4:1  column timestamp: gap: 2025-01-01 03:00 follows 2025-01-01 01:00"),
        (["2025-01-01 00:00,1", "2025-01-01 01:00,abc", "2025-01-01 02:00,1",
          "2025-01-01 03:00,1"],
         "load.csv:3:2  column value_kw: not a number (got 'abc')"),
        (["2025-01-01 00:00,1", "2025-01-01 01:00,-4", "2025-01-01 02:00,1",
          "2025-01-01 03:00,1"],
         "load.csv:3:2  column value_kw: negative value (got '-4')"),
        (["2025-01-01 00:00,1", "yesterday,1", "2025-01-01 02:00,1", "2025-01-01 03:00,1"],
         'load.csv:3:1  column timestamp: not a timestamp "YYYY-MM-DD HH:MM" (got \'yesterday\')'),
        (["2025-01-01 00:00,1", "2025-01-01 01:00,1", "2025-01-01 02:00,1"],
         "covers 2025-01-01 00:00 to 2025-01-01 02:00, but the horizon runs 2025-01-01 00:00"
         " to 2025-01-01 03:00 (1 steps missing)"),
    ],
)
def test_profile_problems_name_the_row(tmp_path, rows, expected):
    path = tiny_scenario(tmp_path, [1.0] * 4)
    (tmp_path / "load.csv").write_text("timestamp,value_kw\n" + "\n".join(rows) + "\n")
    assert expected in _problems(path)


def test_profiles_are_resampled_keeping_energy(tmp_path):
    path = tiny_scenario(tmp_path, [1.0] * 4)
    # a 15-minute profile for an hourly horizon: hourly means
    write_profile(tmp_path / "load.csv", "2025-01-01", [1, 2, 3, 4] * 4, "15min")
    assert load_scenario(path).load_kw["plant"] == pytest.approx([2.5] * 4)
    # an hourly profile for a 15-minute horizon: repeated
    data = YAML().load(path.read_text())
    data["horizon"]["resolution"] = "15min"
    write_profile(tmp_path / "load.csv", "2025-01-01", [1, 2, 3, 4], "1h")
    scenario = load_scenario(dump_yaml(data, tmp_path / "s15.yaml"))
    assert scenario.load_kw["plant"] == pytest.approx([1] * 4 + [2] * 4 + [3] * 4 + [4] * 4)


def _scenario_with(tmp_path, load, pv_profile=None, start="2025-01-01", end="2026-01-01",
                   resolution="1h"):
    ent = {"id": "plant", "name": "工厂", "load": load, "tariff": "t", "transformer_kva": 5000}
    if pv_profile is not None:
        ent["pv"] = {"capacity_kwp": 100, "profile": pv_profile}
    data = {"name": "sources", "horizon": {"start": start, "end": end, "resolution": resolution},
            "tariffs": {"t": {"from_library": "chongqing_2021_tou"}}, "enterprises": [ent],
            "cases": {"base": {}}, "baseline_case": "base"}
    return dump_yaml(data, tmp_path / "s.yaml")


def test_load_from_an_archetype_and_the_shipped_pv(tmp_path):
    path = _scenario_with(tmp_path, {"archetype": "two_shift", "annual_mwh": 1200, "seed": 7},
                          {"builtin": "chongqing"})
    scenario = load_scenario(path)
    assert scenario.load_kw["plant"].sum() * scenario.dt_h == pytest.approx(1.2e6, rel=1e-9)
    yield_kwh_per_kwp = scenario.pv_kw_per_kwp["plant"].sum() * scenario.dt_h
    assert 800 <= yield_kwh_per_kwp <= 1000
    assert any("archetype two_shift, 1200 MWh" in note for note in scenario.notes)


def test_archetype_across_a_new_year(tmp_path):
    path = _scenario_with(tmp_path, {"archetype": "data_centre", "annual_mwh": 876},
                          start="2025-12-31", end="2026-01-02", resolution="15min")
    load = load_scenario(path).load_kw["plant"]
    assert len(load) == 192
    assert load.mean() == pytest.approx(100.0, rel=0.2)  # 876 MWh / 8760 h, nearly flat


def test_bad_sources_are_located(tmp_path):
    text = _problems(_scenario_with(tmp_path, {"archetype": "bakery", "annual_mwh": 10}))
    assert "enterprises.plant.load: unknown archetype 'bakery'" in text
    text = _problems(_scenario_with(tmp_path, {"nonsense": 1}))
    assert "enterprises.plant.load: expected a file path" in text
    text = _problems(_scenario_with(tmp_path, {"file": "load.csv", "unit": "mw"}))
    assert "enterprises.plant.load.unit" in text and "'mw'" in text


def test_a_96_point_sheet_with_a_gap_filled_and_reported(tmp_path):
    days = pd.date_range("2025-03-01", periods=3, freq="D")
    columns = [f"{(m + 15) // 60:02d}:{(m + 15) % 60:02d}" for m in range(0, 1440, 15)]
    table = pd.DataFrame(25.0, index=days.strftime("%Y-%m-%d"), columns=columns)
    table.iloc[1, 10] = None  # one empty cell on March 2nd
    table.index.name = "date"
    table.reset_index().to_excel(tmp_path / "sheet.xlsx", sheet_name="Load", index=False)
    source = {"file": "sheet.xlsx", "sheet": "Load", "unit": "kwh"}
    path = _scenario_with(tmp_path, source, start="2025-03-01", end="2025-03-04",
                          resolution="15min")
    assert "sheet.xlsx:" in _problems(path)
    source["fill"] = "interpolate"
    scenario = load_scenario(_scenario_with(tmp_path, source, start="2025-03-01",
                                            end="2025-03-04", resolution="15min"))
    assert scenario.load_kw["plant"] == pytest.approx([100.0] * 288)  # 25 kWh a quarter hour
    assert any("fill" in note for note in scenario.notes)


def test_pv_modelled_with_pvlib(tmp_path):
    pytest.importorskip("pvlib")
    path = _scenario_with(tmp_path, {"archetype": "data_centre", "annual_mwh": 876},
                          {"pvlib": {"tilt_deg": 25, "seed": 3}}, start="2025-07-01",
                          end="2025-07-03", resolution="15min")
    scenario = load_scenario(path)
    pv = scenario.pv_kw_per_kwp["plant"]
    assert pv.max() <= 1 / 1.1 + 1e-9 and pv.min() >= 0
    assert pv[:16].max() == 0.0  # 00:00-04:00
    assert any("pvlib" in note for note in scenario.notes)


def test_pv_profile_defaults_to_the_shipped_one(tmp_path):
    path = _scenario_with(tmp_path, {"archetype": "data_centre", "annual_mwh": 876},
                          start="2025-07-01", end="2025-07-02")
    data = YAML().load(path.read_text())
    data["enterprises"][0]["pv"] = {"capacity_kwp": 10}
    scenario = load_scenario(dump_yaml(data, tmp_path / "default_pv.yaml"))
    assert scenario.pv_kw_per_kwp["plant"].max() > 0


def test_horizon_on_the_step_grid(tmp_path):
    text = _problems(_scenario_with(tmp_path, {"archetype": "data_centre", "annual_mwh": 1},
                                    start="2025-07-01 00:30", end="2025-07-02"))
    assert "must fall on 1h steps" in text
    text = _problems(_scenario_with(tmp_path, {"archetype": "data_centre", "annual_mwh": 1},
                                    start="2025-07-01 00:00", end="2025-07-01 01:00"))
    assert "at least two 1h steps" in text


def test_schema_and_reference_problems_in_one_report(tmp_path):
    """A wrong field and wrong references (tariff, archetype, library name, baseline case)
    are listed together, each at its line, not the references in a second round."""
    path = tiny_scenario(tmp_path, [10.0] * 4, storage={"capacity_kwh": 10, "power_kw": 5})

    def break_it(data):
        data["enterprises"][0]["storage"]["power_kw"] = -5
        data["enterprises"][0]["tariff"] = "nope"
        data["enterprises"][0]["load"] = {"archetype": "night_owl", "annual_mwh": 10}
        data["tariffs"]["lib"] = {"from_library": "not_a_tariff"}
        data["baseline_case"] = "base"

    text = _problems(_edit(path, break_it))
    assert "5 problems" in text
    assert "enterprises.plant.storage.power_kw" in text
    assert "tariffs.lib.from_library" in text
    assert "enterprises.plant.tariff: unknown tariff 'nope'" in text
    assert "unknown archetype 'night_owl'" in text
    assert "tariffs.lib.from_library: no built-in tariff 'not_a_tariff'" in text
    assert "baseline_case: unknown case 'base'" in text


def test_names_that_could_leave_the_output_folder_are_refused(tmp_path):
    """A case named like a path, and from_library given a path, are errors: nothing is
    written or read outside its place."""
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def break_it(data):
        data["cases"]["../../x"] = {}
        data["cases"]["/tmp/y"] = {}
        data["tariffs"]["t"]["from_library"] = "../../../../tmp/x"

    text = _problems(_edit(path, break_it))
    assert "cases.../../x:" in text and "cases./tmp/y:" in text
    assert "letters, digits, _ and - only" in text
    assert "no built-in tariff '../../../../tmp/x'" in text
    assert "(got" not in text.split("no built-in tariff")[1].splitlines()[0]


def test_a_library_tariff_unmodified_keeps_its_labels(tmp_path):
    """Only the fields a scenario changes make a tariff "based on" its library one; a name
    the scenario gives is kept."""
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def use_library(data):
        data["tariffs"]["t"] = {"from_library": "chongqing_2021_tou"}
        data["tariffs"]["own"] = {"from_library": "chongqing_2021_tou", "name": "我的电价",
                                  "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
                                  "energy_price": {"bands_cny_per_kwh": {"flat": 0.6}}}

    scenario = load_scenario(_edit(path, use_library))
    assert scenario.tariffs["t"].document == "渝发改规范〔2021〕14号"
    own = scenario.tariffs["own"]
    assert own.name == "我的电价" and "modified: periods, energy_price" in own.document


def test_a_scenario_changed_from_python_is_validated(tmp_path):
    """with_overrides takes the sweep's dotted paths, checks the result like the file, and
    keeps the overrides given before."""
    path = tiny_scenario(tmp_path, [10.0] * 4, storage={"capacity_kwh": 10, "power_kw": 5})
    scenario = load_scenario(path)
    bigger = scenario.with_overrides({"enterprises.plant.storage.capacity_kwh": 40})
    assert bigger.enterprises["plant"].storage.capacity_kwh == pytest.approx(40.0)
    assert scenario.enterprises["plant"].storage.capacity_kwh == pytest.approx(10.0)
    both = bigger.with_overrides({"enterprises.plant.storage.power_kw": 8})
    assert both.enterprises["plant"].storage.capacity_kwh == pytest.approx(40.0)
    assert both.enterprises["plant"].storage.power_kw == pytest.approx(8.0)
    with pytest.raises(ScenarioError, match=r"storage\.capacity_kwh: Input should be greater than 0"):
        scenario.with_overrides({"enterprises.plant.storage.capacity_kwh": -5})


def test_a_horizon_of_centuries_is_refused(tmp_path):
    """end: 9999-01-01 would build hundreds of millions of steps: refused, located."""
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def break_it(data):
        data["horizon"]["end"] = "9999-01-01"

    text = _problems(_edit(path, break_it))
    assert "horizon" in text and "a year from 1990 to 2100" in text

    def long(data):
        data["horizon"]["end"] = "2040-01-01"

    assert "longer than 10 years" in _problems(_edit(path, long))


@pytest.mark.parametrize(("start", "said"), [
    ("2300-01-01 00:00", "a year from 1990 to 2100"),
    ("2025-01-01T00:00:00+08:00", "has a time-zone offset"),
])
def test_a_horizon_date_out_of_range_or_with_an_offset_is_located(tmp_path, start, said):
    """Written as YAML timestamps (unquoted): a year pandas cannot hold, or an offset."""
    path = tiny_scenario(tmp_path, [10.0] * 4)
    text = re.sub(r"start: .*", f"start: {start}", path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")
    problems = _problems(path)
    assert "horizon" in problems and said in problems


def test_overriding_a_library_tariff_from_python_or_a_sweep_is_labelled_and_applied(tmp_path):
    """A dotted override into a library tariff marks it modified; one of from_library itself
    swaps the library tariff (both were lost when the library was written out in full)."""
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def use_library(data):
        data["tariffs"]["t"] = {"from_library": "chongqing_mv_wide_evening_peak"}

    scenario = load_scenario(_edit(path, use_library))
    cheaper = scenario.with_overrides({"tariffs.t.energy_price.ratios.valley": 0.25})
    assert cheaper.tariffs["t"].name == ("t (based on chongqing_mv_wide_evening_peak, "
                                         "modified: energy_price)")
    assert cheaper.tariffs["t"].energy_price.ratios["valley"] == pytest.approx(0.25)
    deep = scenario.with_overrides({"tariffs.t.from_library": "chongqing_mv_deep_valley"})
    assert deep.tariffs["t"].name == load_scenario(_edit(path, lambda d: d["tariffs"].update(
        t={"from_library": "chongqing_mv_deep_valley"}))).tariffs["t"].name
    assert "deep_valley" in deep.tariffs["t"].bands_used


def test_a_tariffs_contents_are_in_the_same_report_as_the_schema(tmp_path):
    """A NaN price in a tariff beside a negative transformer: both listed at once."""
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def break_it(data):
        data["enterprises"][0]["transformer_kva"] = -1
        data["tariffs"]["t"]["energy_price"]["bands_cny_per_kwh"]["flat"] = float("nan")

    text = _problems(_edit(path, break_it))
    assert "2 problems" in text and "transformer_kva: Input should be greater than 0" in text
    assert "tariffs.t.energy_price.bands_cny_per_kwh.flat: Input should be a finite number" in text
