"""Property tests: invariants that hold for any small park, not just the demo."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import tiny_scenario, two_price_tariff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from energysim import compute_bill, load_scenario, run_case

loads = st.lists(st.floats(0.0, 400.0), min_size=24, max_size=24)
pv_shape = st.lists(st.floats(0.0, 1.0), min_size=24, max_size=24)
storages = st.fixed_dictionaries({
    "capacity_kwh": st.floats(10.0, 500.0),
    "power_kw": st.floats(5.0, 200.0),
    "charge_efficiency": st.floats(0.8, 1.0),
    "discharge_efficiency": st.floats(0.8, 1.0),
    "soc_initial_fraction": st.floats(0.1, 0.9),
    "wear_cost_cny_per_kwh": st.floats(0.0, 0.2),
})


SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(load=loads, pv=pv_shape, storage=storages, pv_kwp=st.floats(0.0, 300.0),
       mode=st.sampled_from(["none", "max_demand", "capacity"]),
       self_discharge=st.sampled_from([0.0, 0.0, 0.005]))
def test_optimising_never_costs_more_and_the_bill_matches(tmp_path_factory, load, pv, storage,
                                                          pv_kwp, mode, self_discharge):
    """With self-discharge a battery has a standing cost: to end where it started it must
    buy back what it lost, so it may cost more than no battery where it earns nothing.
    The bound then is that cost of idling at the initial state of charge."""
    folder = tmp_path_factory.mktemp("prop")
    storage = {**storage, "soc_min_fraction": 0.05, "soc_max_fraction": 0.95,
               "self_discharge_fraction_per_h": self_discharge}
    path = tiny_scenario(folder, load, tariff=two_price_tariff("08:00"),
                         pv_kw=[p * pv_kwp for p in pv], storage=storage, basic_charge=mode)
    scenario = load_scenario(path)
    nothing, optimised = run_case(scenario, "none"), run_case(scenario, "all")
    stored_kwh = storage["soc_initial_fraction"] * storage["capacity_kwh"]
    idle_kwh = stored_kwh * self_discharge * 24 / storage["charge_efficiency"]
    standing = idle_kwh * 1.0 + 10.0 * idle_kwh / 24 * 24 / (31 * 24)  # top price; demand
    assert optimised.total_cost_cny <= nothing.total_cost_cny + standing + 1e-6 * max(
        1.0, abs(nothing.total_cost_cny))
    ts = optimised.timeseries
    bill = compute_bill(scenario.tariffs["t"], ts["plant/grid_import_kw"],
                        ts["plant/grid_export_kw"], basic_charge=mode, transformer_kva=1000.0)
    model = optimised.costs.query("component != 'storage_wear'")["cost_cny"].sum()
    assert bill["total"].sum() == pytest.approx(model, rel=1e-6, abs=1e-6)
    balance = (ts["plant/load_kw"] + ts["plant/storage_charge_kw"] + ts["plant/grid_export_kw"]
               - ts["plant/grid_import_kw"] - ts["plant/pv_kw"] - ts["plant/storage_discharge_kw"])
    assert balance.abs().max() == pytest.approx(0.0, abs=1e-6)
    assert nothing.total_cost_cny == pytest.approx(
        compute_bill(scenario.tariffs["t"], pd.Series(load, index=scenario.index),
                     basic_charge=mode, transformer_kva=1000.0)["total"].sum(), rel=1e-9, abs=1e-9)
