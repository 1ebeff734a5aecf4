"""Kept solvers and re-solves: the lazy rows are all in a kept HiGHS object, re-pricing is
decided by difference (deny by default), and a model with net-meter modes re-solved under
other prices equals the model built under them."""

from __future__ import annotations

import highspy
import numpy as np
import pytest
from test_green_direct import park
from test_net_meter import _spot_scenario

from energysim import build_model, load_scenario, run_case, solve_model
from energysim.analysis.resolve import Repricer, same_but_prices
from energysim.tariffs.tariff import Tariff


def test_a_kept_solver_holds_the_lazy_rows_with_their_bounds(tmp_path):
    """Enforced rules met by the relaxed optimum (load 40 kW takes 65 of the plant's 75 kWh:
    87 % self-consumed, 41 % of consumption) are never given their bounds during the solve;
    the kept HiGHS object has them all the same."""
    scenario = park(tmp_path, {"rules": {"mode": "enforce"}}, load_kw=(40.0,))
    m = build_model(scenario, "green")
    solved = solve_model(m, keep_solver=True)
    rows = [i for i, row in enumerate(solved.form.rows)
            if row.constraint.parent_component().name.startswith("green_rule_")]
    assert len(rows) == 3
    lp = solved.highs.getLp()
    lower, upper = np.asarray(lp.row_lower_)[rows], np.asarray(lp.row_upper_)[rows]
    assert not ((lower <= -highspy.kHighsInf) & (upper >= highspy.kHighsInf)).any()  # none free
    solved.highs.run()  # with every row in, the optimum is the same
    assert solved.highs.getInfo().objective_function_value == pytest.approx(
        solved.objective_cny, rel=1e-9)


def _tariff(**changes) -> Tariff:
    data = {"name": "t", "periods": [{"band": "flat", "hours": ["00:00-24:00"]}],
            "energy_price": {"bands_cny_per_kwh": {"flat": 0.5}},
            "basic_charge": {"demand_cny_per_kw_month": 30.0}, "export_price_cny_per_kwh": 0.4}
    data.update(changes)
    return Tariff.model_validate(data)


def test_re_pricing_is_decided_by_difference():
    base = _tariff()
    assert same_but_prices(base, _tariff(energy_price={"bands_cny_per_kwh": {"flat": 0.7}}))
    assert same_but_prices(base, _tariff(name="another", document="x", notes="y"))
    assert same_but_prices(base, _tariff(periods=[{"band": "valley", "hours": ["00:00-24:00"]}],
                                         energy_price={"bands_cny_per_kwh": {"valley": 0.3}}))
    assert not same_but_prices(base, _tariff(export_price_cny_per_kwh=0.3))
    assert not same_but_prices(base, _tariff(basic_charge={"demand_cny_per_kw_month": 31.0}))

    class NewTariff(Tariff):  # a field added later is compared without being named
        reactive_charge_cny_per_kvarh: float = 0.0

    old = NewTariff.model_validate(base.model_dump())
    assert same_but_prices(old, NewTariff.model_validate(base.model_dump()))
    assert not same_but_prices(old, NewTariff.model_validate(
        {**base.model_dump(), "reactive_charge_cny_per_kvarh": 0.01}))


def test_a_model_with_meter_modes_re_solved_under_other_prices(tmp_path):
    """Built under spot prices that contest every step (negative ones included), re-solved
    under others that contest the same steps: the cost of the model built afresh. Prices
    that contest a step the model has no mode for make it rebuild."""
    path = _spot_scenario(tmp_path, [100.0] * 4, [150.0] * 4, [0.3, -0.6, -0.6, 0.3])
    scenario = load_scenario(path)
    kept = Repricer(scenario, "pv", ("plant",))
    assert kept.first.total_cost_cny == pytest.approx(-160.0, rel=1e-9)
    (tmp_path / "spot2.csv").write_text(
        (tmp_path / "spot.csv").read_text().replace("-0.6", "0.1").replace("0.3", "-0.2"))
    other = load_scenario(path, {"tariffs.spot.energy_price.spot.file": "spot2.csv"})
    assert kept.can_reprice(other)
    again = kept.reprice(other)
    fresh = run_case(other, "pv")
    assert again.total_cost_cny == pytest.approx(fresh.total_cost_cny, rel=1e-9)
    # −0.2: import the load (−20); 0.1: export the surplus (−20) beats importing (+0)
    assert fresh.total_cost_cny == pytest.approx(-80.0, rel=1e-9)
    assert again.exact and again.methods == fresh.methods

    (tmp_path / "spot3.csv").write_text((tmp_path / "spot.csv").read_text()
                                        .replace("-0.6", "0.6").replace("0.3", "0.9"))
    uncontested = load_scenario(path, {"tariffs.spot.energy_price.spot.file": "spot3.csv"})
    built = Repricer(uncontested, "pv", ("plant",))
    assert built.m.component("METER_MODE_STEPS") is not None
    assert len(built.m.METER_MODE_STEPS) == 0
    assert not built.can_reprice(scenario)  # these prices contest steps it has no mode for


def test_prepared_inputs_are_compared_field_by_field(tmp_path):
    """The re-solver asks what changed in the model's inputs: nothing between two preparations
    of one scenario; only the prices under another spot file; the export price when it
    changes, which makes the model be built again."""
    from energysim.analysis.resolve import differences
    from energysim.prepare import prepare

    path = _spot_scenario(tmp_path, [100.0] * 4, [150.0] * 4, [0.3, -0.6, -0.6, 0.3])
    scenario = load_scenario(path)
    base = prepare(scenario, "pv")
    assert differences(base, prepare(scenario, "pv")) == set()
    (tmp_path / "spot2.csv").write_text((tmp_path / "spot.csv").read_text().replace("-0.6", "0.1"))
    priced = load_scenario(path, {"tariffs.spot.energy_price.spot.file": "spot2.csv"})
    assert differences(base, prepare(priced, "pv")) == {"price_cny_per_kwh"}
    exported = load_scenario(path, {"tariffs.spot.export_price_cny_per_kwh": 0.5})
    assert "export_price_cny_per_kwh" in differences(base, prepare(exported, "pv"))
    kept = Repricer(scenario, "pv", ("plant",))
    assert kept.can_reprice(priced) and not kept.can_reprice(exported)
