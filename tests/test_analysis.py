"""Decomposition of savings and the indicators, on a tiny park solved by hand."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FLAT_TARIFF, dump_yaml, tiny_scenario, two_price_tariff, write_profile

from energysim import load_scenario, run_scenario
from energysim.analysis.decomposition import decompose
from energysim.analysis.indicators import indicators

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "charge_efficiency": 0.9,
           "discharge_efficiency": 0.9, "soc_min_fraction": 0.0, "soc_max_fraction": 1.0,
           "soc_initial_fraction": 0.5}


@pytest.fixture(scope="module")
def park(tmp_path_factory):
    """Two enterprises over four hours: ``a`` with a battery, ``b`` without.

    Flat tariff 1.0 today; a new tariff with a valley at 0.3 from 00:00 to 02:00 and 1.0
    after. Load 100 kW each.
    """
    folder = tmp_path_factory.mktemp("park")
    write_profile(folder / "load.csv", "2025-01-01", [100.0] * 4)
    enterprise = {"load": "load.csv", "tariff": "today", "transformer_kva": 500}
    data = {
        "name": "two-enterprise park",
        "horizon": {"start": "2025-01-01 00:00", "end": "2025-01-01 04:00", "resolution": "1h"},
        "tariffs": {"today": FLAT_TARIFF, "new": two_price_tariff("02:00")},
        "enterprises": [{"id": "a", "name": "A", **enterprise, "storage": BATTERY},
                        {"id": "b", "name": "B", **enterprise}],
        "cases": {"base": {}, "base_storage": {"assets": ["storage"]},
                  "new": {"tariff": "new"}, "new_storage": {"tariff": "new", "assets": ["storage"]}},
        "baseline_case": "base",
        "indicators": {"midday_window": "01:00-03:00", "evening_window": "03:00-04:00"},
    }
    scenario = load_scenario(dump_yaml(data, folder / "park.yaml"))
    return scenario, run_scenario(scenario, workers=1)


def test_decomposition_by_hand(park):
    scenario, results = park
    table = decompose(scenario, results, "base").set_index(["case", "enterprise"])
    assert set(table.index.get_level_values("case")) == {"base_storage", "new", "new_storage"}
    # the baseline costs 400; re-priced under the new tariff 2·0.3·100 + 2·1.0·100 = 260
    new_a = table.loc[("new", "a")]
    assert new_a["reference_case"] == "base"
    assert new_a["reference_cost_cny"] == pytest.approx(400.0)
    assert new_a["outcome_if_held"] == "winner"
    assert new_a["tariff_effect_cny"] == pytest.approx(-140.0)
    assert new_a["response_effect_cny"] == pytest.approx(0.0, abs=1e-6)
    assert new_a["outcome"] == "winner"
    # with the battery: 50/0.9 kWh bought at 0.3, 45 kWh not bought at 1.0 (see test_model_small)
    storage_a = table.loc[("new_storage", "a")]
    # its reference: the same battery under today's tariff (idle there: a flat price)
    assert storage_a["reference_case"] == "base_storage"
    assert storage_a["tariff_effect_cny"] == pytest.approx(-140.0)
    assert storage_a["response_effect_cny"] == pytest.approx(0.3 * 50 / 0.9 - 45, rel=1e-6)
    assert storage_a["cost_cny"] == pytest.approx(
        storage_a["reference_cost_cny"] + storage_a["tariff_effect_cny"]
        + storage_a["response_effect_cny"])
    # a flat price gives a lossy battery nothing to do: same tariff, no effect at all
    flat = table.loc[("base_storage", "a")]
    assert flat["tariff_effect_cny"] == pytest.approx(0.0)
    assert flat["response_effect_cny"] == pytest.approx(0.0, abs=1e-6)
    assert flat["outcome"] == "unchanged"
    assert table.loc[("new_storage", "b"), "response_effect_cny"] == pytest.approx(0.0, abs=1e-6)


def test_indicators_by_hand(park):
    scenario, results = park
    table = indicators(scenario, results).set_index(["case", "scope"])
    base = table.loc[("base", "park")]
    assert base["peak_import_kw"] == pytest.approx(200.0)
    assert base["grid_import_kwh"] == pytest.approx(800.0)
    assert base["midday_import_kwh"] == pytest.approx(400.0)  # 01:00-03:00, two enterprises
    assert base["evening_peak_import_kwh"] == pytest.approx(200.0)  # 03:00-04:00
    assert base["average_import_price_cny_per_kwh"] == pytest.approx(1.0)
    assert np.isnan(base["storage_cycles_per_day"])
    shifted = table.loc[("new_storage", "a")]
    # 45 kWh discharged from 100 kWh in 4 hours: 0.45 cycles in 1/6 day
    assert shifted["storage_cycles_per_day"] == pytest.approx(0.45 * 6, rel=1e-6)
    assert shifted["grid_import_kwh"] == pytest.approx(400 + 50 / 0.9 - 45, rel=1e-6)
    assert shifted["cost_per_kwh_consumed_cny"] == pytest.approx(
        (260 + 0.3 * 50 / 0.9 - 45) / 400, rel=1e-6)
    assert table.loc[("new_storage", "park"), "total_cost_cny"] == pytest.approx(
        260 + 0.3 * 50 / 0.9 - 45 + 260, rel=1e-6)
    # the grid company's view: with no assets its revenue change is the tariff effects' sum
    parts = decompose(scenario, results, "base")
    effects = parts[parts["case"] == "new"]["tariff_effect_cny"].sum()
    assert table.loc[("new", "park"), "grid_revenue_change_cny"] == pytest.approx(effects)
    assert effects == pytest.approx(2 * -140.0)
    assert table.loc[("new", "a"), "grid_revenue_cny"] == pytest.approx(260.0)
    assert table.loc[("base", "park"), "grid_revenue_change_cny"] == pytest.approx(0.0)
    # carbon at the national factor; no green energy without PV
    assert base["co2_kg"] == pytest.approx(800.0 * 0.5306)
    assert base["co2_factor_kgco2_per_kwh"] == pytest.approx(0.5306)
    assert base["green_share"] == pytest.approx(0.0)


def test_green_share_and_carbon_by_hand(tmp_path):
    """Load 10 kW for 4 h, PV 0/20/5/0 kW, no battery: 15 of 40 kWh consumed are green,
    whatever the surplus does; 25 kWh imported at Chongqing's factor."""
    path = tiny_scenario(tmp_path, [10.0] * 4, pv_kw=[0.0, 20.0, 5.0, 0.0])
    with_factor = path.read_text(encoding="utf-8") + (
        "carbon: {grid_factor: chongqing}\n"
        "indicators: {midday_window: '00:00-02:00', evening_window: '02:00-04:00'}\n")
    path.write_text(with_factor, encoding="utf-8")
    scenario = load_scenario(path)
    table = indicators(scenario, run_scenario(scenario, workers=1)).set_index(["case", "scope"])
    row = table.loc[("all", "plant")]
    assert row["green_share"] == pytest.approx(15.0 / 40.0, rel=1e-9)
    assert row["co2_kg"] == pytest.approx(25.0 * 0.5581, rel=1e-9)
    assert row["co2_factor_kgco2_per_kwh"] == pytest.approx(0.5581)
    # "midday" 00-02: 10 kWh bought, then 10 kWh of surplus sold (export pays 0.4): net 0
    assert row["midday_import_kwh"] == pytest.approx(10.0, rel=1e-9)
    assert row["midday_net_import_kwh"] == pytest.approx(0.0, abs=1e-9)
    assert row["evening_peak_net_import_kwh"] == pytest.approx(15.0, rel=1e-9)
    assert "Chongqing grid emission factor 2023, MEE/NBS 公告2025年第47号" in \
        scenario.spec.carbon.describe()
    assert "重庆市电网排放因子" in scenario.spec.carbon.describe("zh")
