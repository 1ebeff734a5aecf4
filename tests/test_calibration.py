"""Revenue-neutral and stated-cut proposals, solved by hand (issue 15, item 5)."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import dump_yaml

from energysim import ScenarioError, load_scenario, run_scenario
from energysim.analysis.bundle import analyse

TODAY = {"name": "flat 1.0", "energy_price": {"bands_cny_per_kwh": {"flat": 1.0}}}
PROPOSAL = {"name": "proposal",
            "periods": [{"band": "valley", "hours": ["00:00-02:00"]},
                        {"band": "peak", "hours": ["02:00-24:00"]}],
            "energy_price": {"flat_cny_per_kwh": 0.5, "ratios": {"valley": 0.5, "peak": 1.5},
                             "adder_cny_per_kwh": 0.1}}


def _park(folder, calibrate: dict, proposal: dict = PROPOSAL) -> object:
    """a draws 10 kW for 4 h; b 30 kW in the two valley hours. Today both pay 1.0 CNY/kWh:
    100 CNY. Under the proposal a pays 40 E + 4, b 30 E + 6 (E the floating base)."""
    index = pd.date_range("2025-03-03", periods=4, freq="1h")
    for name, values in (("a", [10.0] * 4), ("b", [30.0, 30.0, 0.0, 0.0])):
        pd.DataFrame({"timestamp": index.strftime("%Y-%m-%d %H:%M"), "value_kw": values}).to_csv(
            folder / f"{name}.csv", index=False)
    data = {"name": "calibration", "horizon": {"start": "2025-03-03 00:00",
                                               "end": "2025-03-03 04:00", "resolution": "1h"},
            "tariffs": {"today": TODAY, "new": {**proposal, "calibrate": calibrate}},
            "enterprises": [{"id": e, "name": e, "load": f"{e}.csv", "tariff": "today",
                             "transformer_kva": 100} for e in ("a", "b")],
            "cases": {"base": {}, "new": {"tariff": "new"}}, "baseline_case": "base"}
    return load_scenario(dump_yaml(data, folder / "s.yaml"))


@pytest.mark.parametrize(("calibrate", "value", "e_base"), [
    ({"revenue_neutral_to": "today"}, 90 / 70 - 0.5, 90 / 70),               # 70 E + 10 = 100
    ({"revenue_neutral_to": "today", "cut_pct": 5}, 85 / 70 - 0.5, 85 / 70),  # = 95
    ({"revenue_neutral_to": "today", "over": ["b"]}, 1.8 - 0.5, 1.8),        # 30 E + 6 = 60
])
def test_calibrating_the_floating_base_by_hand(tmp_path, calibrate, value, e_base):
    scenario = _park(tmp_path, calibrate)
    [calibration] = scenario.calibrations
    assert calibration.value == pytest.approx(value, rel=1e-9)
    assert scenario.tariffs["new"].energy_price.flat_cny_per_kwh == pytest.approx(e_base, rel=1e-9)
    assert calibration.revenue_cny == pytest.approx(calibration.target_revenue_cny, rel=1e-9)
    assert "calibrated" in scenario.tariffs["new"].name
    assert any(note.startswith("tariff new calibrated") for note in scenario.notes)
    results = run_scenario(scenario, workers=1)
    costs = {e: results["new"].cost_by_enterprise()[e] for e in ("a", "b")}
    assert costs["a"] == pytest.approx(40 * e_base + 4, rel=1e-6)
    assert costs["b"] == pytest.approx(30 * e_base + 6, rel=1e-6)
    over = ["a", "b"] if calibrate.get("over", "park") == "park" else calibrate["over"]
    target = (1 - calibrate.get("cut_pct", 0) / 100) * sum({"a": 40, "b": 60}[e] for e in over)
    assert sum(costs[e] for e in over) == pytest.approx(target, rel=1e-6)


def test_calibrating_the_adder_or_a_ratio_by_hand(tmp_path):
    adder = _park(tmp_path, {"revenue_neutral_to": "today", "solve_for": "adder"})
    assert adder.calibrations[0].value == pytest.approx(0.55, rel=1e-9)   # 35 + 100 adder = 100
    assert adder.tariffs["new"].energy_price.adder_cny_per_kwh == pytest.approx(0.65, rel=1e-9)
    ratio = _park(tmp_path, {"revenue_neutral_to": "today", "solve_for": "valley_ratio"})
    assert ratio.calibrations[0].value == pytest.approx(1.875, rel=1e-9)  # 40 r + 25 = 100
    assert ratio.tariffs["new"].energy_price.ratios["valley"] == pytest.approx(1.875, rel=1e-9)


def test_at_equal_revenue_there_are_winners_and_losers_and_the_grid_loses_nothing(tmp_path):
    scenario = _park(tmp_path, {"revenue_neutral_to": "today"})
    analysis = analyse(scenario, run_scenario(scenario, workers=1))
    parts = analysis.decomposition.set_index("enterprise")
    assert parts.loc["a", "outcome"] == "loser" and parts.loc["b", "outcome"] == "winner"
    park = analysis.indicators.query("scope == 'park'").set_index("case")
    assert park.loc["new", "grid_revenue_change_cny"] == pytest.approx(0.0, abs=1e-6)
    assert park.loc["new", "grid_revenue_change_cny"] == pytest.approx(
        parts["tariff_effect_cny"].sum(), abs=1e-6)


@pytest.mark.parametrize(("calibrate", "message"), [
    ({"revenue_neutral_to": "nowhere"}, "revenue_neutral_to: unknown tariff 'nowhere'"),
    ({"revenue_neutral_to": "new"}, "a tariff cannot be calibrated to itself"),
    ({"revenue_neutral_to": "today", "solve_for": "flat_ratio"}, "solve_for must be one of"),
    ({"revenue_neutral_to": "today", "over": ["c"]}, "unknown enterprise 'c'"),
    ({"revenue_neutral_to": "today", "solve_for": "deep_valley_ratio"},
     "the tariff has no deep_valley ratio"),
    ({"revenue_neutral_to": "today", "cut_pct": 90}, "less than or equal to 50"),
])
def test_a_bad_calibration_is_located(tmp_path, calibrate, message):
    with pytest.raises(ScenarioError) as info:
        _park(tmp_path, calibrate)
    assert "tariffs.new.calibrate" in str(info.value) and message in str(info.value)


def test_the_findings_say_who_wins_at_equal_revenue_and_why(tmp_path):
    from energysim.report.findings import headline_findings as findings

    scenario = _park(tmp_path, {"revenue_neutral_to": "today"})
    results = run_scenario(scenario, workers=1)
    text = " ".join(findings(scenario, results, "en", analyse(scenario, results)))
    # midday 11:00-14:00 holds none of either load here: both shares are 0 %
    assert "At a calibrated revenue ('new': revenue-neutral to today, floating base E shifted " \
        "by +0.785714 CNY/kWh)" in text
    zh = " ".join(findings(scenario, results, "zh", analyse(scenario, results)))
    assert "收入校准后（“new”方案：与today收入持平" in zh
    assert "winners are b (0.0%) and losers a (0.0%)" in text
    assert "The grid company's view" in text


def test_a_calibration_with_no_valid_solution_is_located_in_one_line(tmp_path):
    """At E = 1.0 the energy alone costs 70 CNY; a 50 % cut (50 CNY) needs an adder of −0.2."""
    dear = {**PROPOSAL, "energy_price": {**PROPOSAL["energy_price"], "flat_cny_per_kwh": 1.0}}
    with pytest.raises(ScenarioError) as info:
        _park(tmp_path, {"revenue_neutral_to": "today", "solve_for": "adder", "cut_pct": 50}, dear)
    text = str(info.value)
    assert "s.yaml:27:5  tariffs.new.calibrate: revenue cut needs adder shifted by -0.300000 " \
        "CNY/kWh, which is no valid price: energy_price.adder_cny_per_kwh: Input should be " \
        "greater than or equal to 0" in text
    assert "errors.pydantic.dev" not in text
    with pytest.raises(ScenarioError, match="over: give park, or a non-empty list of enterprise ids"):
        _park(tmp_path, {"revenue_neutral_to": "today", "over": []})
