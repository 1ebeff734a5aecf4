"""Assets with ids of their own: several batteries and PV arrays behind one meter, an asset
paid for by others, and the list form's errors, solved by hand."""

from __future__ import annotations

import pytest
from conftest import dump_yaml, write_profile

from energysim import ScenarioError, build_model, load_scenario, run_case, solve_model
from energysim.analysis.cases import model_groups
from energysim.prepare import prepare

EMPTY_BATTERY = {"charge_efficiency": 1.0, "discharge_efficiency": 1.0, "soc_min_fraction": 0.0,
                 "soc_max_fraction": 1.0, "soc_initial_fraction": 0.0}
"""Lossless, starting and ending empty: what it discharges it must have charged."""


def _park(tmp_path, *, works_storage=None, works_pv=None, assets=(), cases=None):
    """Two meters, ``works`` (100 kW) and ``office`` (10 kW), over two hours priced 0.3 and
    then 1.0 CNY/kWh."""
    write_profile(tmp_path / "works.csv", "2025-05-05", [100.0, 100.0])
    write_profile(tmp_path / "office.csv", "2025-05-05", [10.0, 10.0])
    write_profile(tmp_path / "pv.csv", "2025-05-05", [0.3, 0.3], column="value_kw_per_kwp")
    works = {"id": "works", "name": "w", "load": "works.csv", "tariff": "t",
             "transformer_kva": 1000}
    if works_storage is not None:
        works["storage"] = works_storage
    if works_pv is not None:
        works["pv"] = {"capacity_kwp": works_pv, "profile": "pv.csv"}
    office = {"id": "office", "name": "o", "load": "office.csv", "tariff": "t",
              "transformer_kva": 100}
    data = {"name": "assets",
            "horizon": {"start": "2025-05-05 00:00", "end": "2025-05-05 02:00",
                        "resolution": "1h"},
            "tariffs": {"t": {"name": "two prices",
                              "periods": [{"band": "valley", "hours": ["00:00-01:00"]},
                                          {"band": "peak", "hours": ["01:00-24:00"]}],
                              "energy_price": {"bands_cny_per_kwh": {"valley": 0.3, "peak": 1.0}},
                              "export_price_cny_per_kwh": 0.0}},
            "enterprises": [works, office], "assets": list(assets),
            "cases": cases or {"none": {}, "on": {"assets": ["pv", "storage"]}},
            "baseline_case": "none"}
    return dump_yaml(data, tmp_path / "scenario.yaml")


def test_two_batteries_behind_one_meter(tmp_path):
    """works' own 40 kWh battery and a listed 20 kWh one at its meter charge 60 kWh at 0.3
    and give it back at 1.0: 0.3·160 + 1.0·40 = 88 CNY (130 without, 102 with the first
    alone); the meter's columns are the batteries' sums."""
    second = {"kind": "storage", "id": "second", "at": "works", "capacity_kwh": 20,
              "power_kw": 20, **EMPTY_BATTERY}
    path = _park(tmp_path, works_storage={"capacity_kwh": 40, "power_kw": 40, **EMPTY_BATTERY},
                 assets=[second])
    scenario = load_scenario(path)
    inputs = prepare(scenario, "on", ["works"])
    assert list(inputs.storages) == ["works", "second"]
    assert inputs.asset_at == {"works": "works", "second": "works"}
    m = build_model(scenario, "on", ["works"])
    assert list(m.STORAGES_AT["works"]) == ["works", "second"]
    result = run_case(scenario, "on")
    works = result.costs.query("enterprise == 'works'")["cost_cny"].sum()
    assert works == pytest.approx(88.0, rel=1e-9)
    ts = result.timeseries
    net = ts["works/storage_discharge_kw"] - ts["works/storage_charge_kw"]
    assert net.to_numpy() == pytest.approx([-60.0, 60.0], abs=1e-6)
    assert ts["works/storage_soc_kwh"].to_numpy() == pytest.approx([60.0, 0.0], abs=1e-6)
    assert ts["works/grid_import_kw"].to_numpy() == pytest.approx([160.0, 40.0], abs=1e-6)


def test_a_battery_paid_for_by_two_enterprises(tmp_path):
    """A 20 kWh battery at works, its wear (0.1 CNY/kWh) shared half and half with office:
    both meters are one model; works pays 0.3·120 + 1.0·80 + 1 = 117 CNY, office its 13 CNY
    of energy and 1 CNY of wear."""
    shared = {"kind": "storage", "id": "shared", "at": "works", "capacity_kwh": 20,
              "power_kw": 20, "wear_cost_cny_per_kwh": 0.1, **EMPTY_BATTERY,
              "cost_shares": {"works": 1, "office": 1}}
    scenario = load_scenario(_park(tmp_path, assets=[shared]))
    assert model_groups(scenario, "on") == [("works", "office")]
    assert model_groups(scenario, "none") == [("works",), ("office",)]
    result = run_case(scenario, "on")
    by = result.costs.groupby(["enterprise", "component"])["cost_cny"].sum()
    assert by["works", "storage_wear"] == pytest.approx(1.0, rel=1e-9)
    assert by["office", "storage_wear"] == pytest.approx(1.0, rel=1e-9)
    assert by["works"].sum() == pytest.approx(117.0, rel=1e-9)
    assert by["office"].sum() == pytest.approx(14.0, rel=1e-9)
    assert result.timeseries["office/storage_discharge_kw"].to_numpy() == pytest.approx([0, 0])
    for alone in ("works", "office"):
        with pytest.raises(ValueError, match="pay for it"):
            prepare(scenario, "on", [alone])


def test_a_listed_pv_array_next_to_the_enterprise_own(tmp_path):
    """100 kWp of works' own and 200 kWp listed, 0.3 kW per kWp: 90 kW of a 100 kW load, so
    works imports 10 kW an hour: 0.3·10 + 1.0·10 = 13 CNY, as one 300 kWp array gives."""
    extra = {"kind": "pv", "id": "roof_east", "at": "works", "capacity_kwp": 200,
             "profile": "pv.csv"}
    scenario = load_scenario(_park(tmp_path, works_pv=100, assets=[extra]))
    m = build_model(scenario, "on", ["works"])
    assert list(m.PV_AT["works"]) == ["works", "roof_east"]
    assert solve_model(m).objective_cny == pytest.approx(13.0, rel=1e-9)
    result = run_case(scenario, "on")
    assert result.timeseries["works/pv_kw"].to_numpy() == pytest.approx([90.0, 90.0])
    (tmp_path / "one").mkdir()
    one = load_scenario(_park(tmp_path / "one", works_pv=300))
    assert run_case(one, "on").total_cost_cny == pytest.approx(result.total_cost_cny, rel=1e-9)


def test_a_listed_generator_paid_by_its_owner(tmp_path):
    """A 50 kW generator at works at 0.5 CNY/kWh, owned by office: it runs in the peak hour
    (0.5 < 1.0), office pays its 25 CNY of fuel, works 0.3·100 + 1.0·50 = 80 CNY."""
    gen = {"kind": "generator", "id": "backup", "at": "works", "capacity_kw": 50,
           "fuel_cost_cny_per_kwh": 0.5, "cost_shares": {"office": 1}}
    scenario = load_scenario(_park(tmp_path, assets=[gen],
                                   cases={"none": {}, "on": {"assets": ["generator"]}}))
    result = run_case(scenario, "on")
    by = result.costs.groupby(["enterprise", "component"])["cost_cny"].sum()
    assert by["office", "generator_fuel"] == pytest.approx(25.0, rel=1e-9)
    assert by["works", "generator_fuel"] == pytest.approx(0.0, abs=1e-9)
    assert by["works"].sum() == pytest.approx(80.0, rel=1e-9)
    assert result.timeseries["works/generator_kw"].to_numpy() == pytest.approx([0.0, 50.0],
                                                                                abs=1e-6)


def test_listed_assets_are_checked(tmp_path):
    battery = {"kind": "storage", "capacity_kwh": 20, "power_kw": 20}
    path = _park(tmp_path, assets=[
        {**battery, "id": "works", "at": "works"},
        {**battery, "id": "b", "at": "park"},
        {**battery, "id": "b", "at": "nowhere", "cost_shares": {"ghost": 1}},
    ])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "5 problems" in text
    assert "assets.works.id: 'works' is the id of an enterprise" in text
    assert "assets.b.at: an asset at the park needs the park's connection point" in text
    assert "duplicate asset id 'b'" in text
    assert "unknown enterprise 'nowhere'" in text
    assert "cost_shares.ghost: unknown enterprise 'ghost'" in text
    (tmp_path / "kind").mkdir()
    path = _park(tmp_path / "kind", assets=[{"kind": "heat_pump", "id": "hp", "at": "works"}])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "heat_pump" in str(info.value) and "'pv', 'storage', 'generator'" in str(info.value)


def test_a_listed_asset_field_is_located(tmp_path):
    """A wrong field of a listed asset is named by its path and line, like the short form's."""
    path = _park(tmp_path, assets=[{"kind": "storage", "id": "b", "at": "works",
                                    "capacity_kwh": 20, "power_kw": -5, "colour": "red"},
                                   {"kind": "generator", "id": "g", "at": "works",
                                    "capacity_kw": 50}])
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    lines = str(info.value).splitlines()
    text = path.read_text().splitlines()
    for field, message in (("assets.b.power_kw", "greater than 0"),
                           ("assets.b.colour", "Extra inputs"),
                           ("assets.g.fuel_cost_cny_per_kwh", "Field required")):
        line = next(ln for ln in lines if f"  {field}: " in ln)
        assert message in line
        if "required" not in message:
            number = int(line.split("scenario.yaml:")[1].split(":")[0])
            assert field.rsplit(".", 1)[1] in text[number - 1]


def test_a_case_has_the_same_columns_whatever_its_grouping(tmp_path):
    """A generator at works alone: office, solved in a model of its own, still has the
    generator's column and cost component (zeros), as the sweep rows and the tables need."""
    gen = {"kind": "generator", "id": "backup", "at": "works", "capacity_kw": 50,
           "fuel_cost_cny_per_kwh": 0.5}
    scenario = load_scenario(_park(tmp_path, assets=[gen],
                                   cases={"none": {}, "on": {"assets": ["generator"]}}))
    assert model_groups(scenario, "on") == [("works",), ("office",)]
    result = run_case(scenario, "on")
    ts = result.timeseries
    assert ts["office/generator_kw"].to_numpy() == pytest.approx([0.0, 0.0])
    assert ts["works/generator_kw"].to_numpy() == pytest.approx([0.0, 50.0], abs=1e-6)
    assert [c for c in ts.columns if c.startswith("office/")] == [
        c.replace("works/", "office/") for c in ts.columns if c.startswith("works/")]
    fuel = result.costs.query("component == 'generator_fuel'").groupby("enterprise")["cost_cny"]
    assert fuel.sum().to_dict() == pytest.approx({"works": 25.0, "office": 0.0})
