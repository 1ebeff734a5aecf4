"""Chongqing's published agency-purchase prices: floating base E, ratios and adder, one table
per month, T&D by voltage level (issue 15, items 1-3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from energysim.tariffs import Tariff, compute_bill
from energysim.tariffs.library import library_names, load_library_tariff
from energysim.tariffs.periods import BANDS

# (month, user type) → published all-in prices [CNY/kWh], 1-10 kV (../shared/DOMAIN.md)
PUBLISHED = {
    ("2025-02", "two_part"): {"peak": 1.133067, "flat": 0.762307, "valley": 0.379188},
    ("2025-02", "single_part"): {"peak": 1.227787, "flat": 0.821507, "valley": 0.401684},
    ("2026-07", "two_part"): {"critical_peak": 1.337398, "peak": 1.134954, "flat": 0.755371,
                              "valley": 0.363135},
    ("2026-07", "single_part"): {"critical_peak": 1.451062, "peak": 1.229674,
                                 "flat": 0.814571, "valley": 0.385631},
}
FILES = {"two_part": "chongqing_2021_tou", "single_part": "chongqing_2021_tou_single_part"}


@pytest.mark.parametrize(("month", "user"), list(PUBLISHED))
def test_every_published_price_is_reproduced_from_e_ratios_and_adder(month, user):
    tariff = load_library_tariff(FILES[user])
    assert tariff.user_type == user
    table = tariff.energy_price.months[month]
    e, adder = table.flat_cny_per_kwh, table.adder_cny_per_kwh
    published = PUBLISHED[(month, user)]
    # E from the published figures alone: peak - valley = (1.60 - 0.38) E
    assert (published["peak"] - published["valley"]) / 1.22 == pytest.approx(e, abs=1e-6)
    assert published["flat"] - e == pytest.approx(adder, abs=1e-6)
    by_hand = {"critical_peak": e + 0.92 * e, "peak": e + 0.60 * e, "flat": e,
               "valley": e - 0.62 * e}
    derived = dict(zip(BANDS, tariff.prices_of_table(month), strict=True))
    for band, price in published.items():
        assert by_hand[band] + adder == pytest.approx(price, abs=1e-6)
        assert derived[band] == pytest.approx(price, abs=1e-6)
        assert round(derived[band], 6) == pytest.approx(price, abs=1e-12)  # as printed
    assert table.published_cny_per_kwh == published
    assert tariff.published_misfits() == []


def test_a_misfit_of_a_published_price_is_reported():
    tariff = load_library_tariff("chongqing_2021_tou")
    data = tariff.model_dump()
    data["energy_price"]["months"]["2025-02"]["published_cny_per_kwh"]["peak"] = 1.1331
    assert Tariff.model_validate(data).published_misfits() == [
        "2025-02 peak: published 1.1331, derived 1.1330672"]


def test_single_and_two_part_differ_by_the_same_amount_in_every_band_ratio():
    """T&D floats in Chongqing: the single-part E is the two-part E plus 0.0592, adders equal."""
    one, two = (load_library_tariff(FILES[u]) for u in ("single_part", "two_part"))
    for month in ("2025-02", "2026-07"):
        a, b = one.energy_price.months[month], two.energy_price.months[month]
        assert a.flat_cny_per_kwh - b.flat_cny_per_kwh == pytest.approx(0.0592, abs=1e-9)
        assert a.adder_cny_per_kwh == pytest.approx(b.adder_cny_per_kwh)
    assert "transmission_distribution" in two.floating_part
    assert one.basic_charge.capacity_cny_per_kva_month is None  # single-part: energy only


def _at_level(name: str, level: str) -> Tariff:
    tariff = load_library_tariff(name)
    return Tariff.model_validate({**tariff.model_dump(), "voltage_level": level})


@pytest.mark.parametrize(("level", "rate"), [("1-10kV", 0.1515), ("35kV", 0.1256),
                                             ("110kV", 0.1062), ("220kV+", 0.0868)])
def test_voltage_level_moves_the_floating_base_by_the_td_difference(level, rate):
    """发改价格〔2026〕1077号: T&D floats in Chongqing, so a band of ratio r moves by r·Δ."""
    tariff = _at_level("chongqing_2021_tou", level)
    delta = rate - 0.1515
    e = (1.134954 - 0.363135) / 1.22  # 2026-07, from the published peak and valley
    e, adder = e + delta, 0.755371 - e
    expected = [1.92 * e + adder, 1.6 * e + adder, e + adder, 0.38 * e + adder]
    assert tariff.price_by_band[:4] == pytest.approx(expected, abs=1e-9)  # E kept to ten decimals
    assert tariff.published_misfits() == []  # checked at the level they were published for


def test_voltage_level_where_only_the_energy_purchase_floats_moves_the_adder():
    data = load_library_tariff("chongqing_2021_tou").model_dump()
    data |= {"floating_part": ["energy_purchase"], "voltage_level": "110kV"}
    tariff = Tariff.model_validate(data)
    assert tariff.price_by_band[:4] == pytest.approx(
        [1.337398 - 0.0453, 1.134954 - 0.0453, 0.755371 - 0.0453, 0.363135 - 0.0453], abs=1e-6)


def test_a_voltage_level_without_a_td_rate_is_refused():
    with pytest.raises(ValueError, match="voltage_level below_1kV has no T&D rate"):
        _at_level("chongqing_2021_tou", "below_1kV")
    single = _at_level("chongqing_2021_tou_single_part", "below_1kV")
    assert single.voltage_shift_cny_per_kwh == pytest.approx((0.2352 - 0.2149, 0.0))


def _two_months_tariff(default: str | None = None) -> Tariff:
    prices = {"ratios": {"peak": 1.6, "valley": 0.38},
              "months": {"2025-01": {"flat_cny_per_kwh": 0.6, "adder_cny_per_kwh": 0.1},
                         "2025-02": {"flat_cny_per_kwh": 0.5, "adder_cny_per_kwh": 0.2}}}
    if default:
        prices["default_month"] = default
    return Tariff.model_validate({
        "name": "two months",
        "periods": [{"band": "valley", "hours": ["00:00-08:00"]},
                    {"band": "flat", "hours": ["08:00-18:00"]},
                    {"band": "peak", "hours": ["18:00-24:00"]}],
        "energy_price": prices})


def test_a_monthly_table_tariff_billed_by_hand_across_a_month_boundary():
    tariff = _two_months_tariff()
    index = pd.date_range("2025-01-31 00:00", "2025-02-01 23:00", freq="1h")
    load = pd.Series(10.0, index=index)
    bill = compute_bill(tariff, load)
    january = 10 * (8 * (0.38 * 0.6 + 0.1) + 10 * (0.6 + 0.1) + 6 * (1.6 * 0.6 + 0.1))
    february = 10 * (8 * (0.38 * 0.5 + 0.2) + 10 * (0.5 + 0.2) + 6 * (1.6 * 0.5 + 0.2))
    assert bill["energy"].to_numpy() == pytest.approx([january, february], rel=1e-12)


def test_a_month_without_a_table_is_an_error_unless_a_default_is_declared():
    index = pd.date_range("2025-02-28 22:00", "2025-03-01 02:00", freq="1h")
    with pytest.raises(ValueError, match=r"no price table for 2025-03: the tariff's tables are "
                                         r"for 2025-01, 2025-02; add one .*default_month"):
        _two_months_tariff().price_at(index)
    tariff = _two_months_tariff(default="2025-01")
    assert tariff.price_at(index) == pytest.approx(
        [1.6 * 0.5 + 0.2, 1.6 * 0.5 + 0.2, 0.38 * 0.6 + 0.1, 0.38 * 0.6 + 0.1, 0.38 * 0.6 + 0.1])
    assert tariff.months_on_default(index) == ["2025-03"]
    with pytest.raises(ValueError, match="default_month 2025-05 has no table"):
        _two_months_tariff(default="2025-05")
    with pytest.raises(ValueError, match=r"keyed YYYY-MM \(e\.g\. 2025-02\), got 2025-13"):
        Tariff.model_validate({"name": "x", "energy_price": {
            "months": {"2025-13": {"flat_cny_per_kwh": 0.5}}}})


def test_the_proposals_start_from_todays_tables_without_its_published_prices():
    today = load_library_tariff("chongqing_2021_tou")
    for name in ("chongqing_mv_narrow_12_14", "chongqing_mv_wide_evening_peak",
                 "chongqing_mv_deep_valley"):
        proposal = load_library_tariff(name)
        for month, table in today.energy_price.months.items():
            mine = proposal.energy_price.months[month]
            assert mine.flat_cny_per_kwh == table.flat_cny_per_kwh
            assert mine.adder_cny_per_kwh == table.adder_cny_per_kwh
            assert mine.published_cny_per_kwh is None
        assert proposal.energy_price.default_month == "2026-07"
        assert proposal.document.startswith("proposal for analysis")
    deep = load_library_tariff("chongqing_mv_deep_valley")
    assert deep.energy_price.ratios == {"critical_peak": 2.04, "peak": 1.7, "valley": 0.35,
                                        "deep_valley": 0.1}


def test_no_library_file_carries_the_wrong_chongqing_figures():
    from energysim.tariffs.library import library_path

    for name in library_names():
        text = library_path(name).read_text(encoding="utf-8")
        for wrong in ("0.8696", "0.5435", "0.3308", "1.04352"):
            assert wrong not in text, (name, wrong)
        assert load_library_tariff(name).published_misfits() == [], name
    assert not np.isnan(load_library_tariff("chongqing_2021_tou").price_by_band[:4]).any()


def test_a_scenario_picks_user_type_and_voltage_level(tmp_path):
    from conftest import tiny_scenario

    from energysim import load_scenario

    path = tiny_scenario(tmp_path, [10.0] * 4, tariff={"from_library": "chongqing_2021_tou",
                                                       "voltage_level": "110kV"})
    tariff = load_scenario(path).tariffs["t"]
    assert tariff.voltage_level == "110kV"
    e = (1.134954 - 0.363135) / 1.22  # January: the 2026-07 table
    valley = 0.38 * (e + 0.1062 - 0.1515) + 0.755371 - e
    assert tariff.price_at(load_scenario(path).index) == pytest.approx([valley] * 4, abs=1e-9)
    single = tiny_scenario(tmp_path, [10.0] * 4, tariff={
        "from_library": "chongqing_2021_tou_single_part"})
    assert load_scenario(single).tariffs["t"].user_type == "single_part"
    bad = tiny_scenario(tmp_path, [10.0] * 4, tariff={"from_library": "chongqing_2021_tou",
                                                      "voltage_level": "below_1kV"})
    from energysim import ScenarioError

    with pytest.raises(ScenarioError, match="voltage_level below_1kV has no T&D rate"):
        load_scenario(bad)


def test_tariffs_show_prints_the_monthly_tables(tmp_path):
    from click.testing import CliRunner

    from energysim.cli import main

    result = CliRunner().invoke(main, ["tariffs", "show", "chongqing_2021_tou", "--png",
                                       str(tmp_path / "bands.png")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "ratios to the floating base E: critical_peak 1.92, peak 1.6, flat 1, valley 0.38" in lines
    row = next(line for line in lines if line.startswith("2026-07*"))
    assert row.split() == ["2026-07*", "0.632639", "0.122732", "1.337398", "1.134954",
                           "0.755371", "0.363135"]
    assert "published prices reproduced to 1e-6" in lines
    assert "user type: two_part; voltage level: 1-10kV" in lines


def test_an_enterprise_at_35kv_pays_every_tariff_at_35kv(tmp_path):
    """The voltage level is the enterprise's: a case that moves it to a proposal keeps it."""
    from conftest import dump_yaml, write_profile

    from energysim import ScenarioError, load_scenario, run_scenario

    write_profile(tmp_path / "load.csv", "2025-07-01", [100.0] * 24, "1h")
    data = {"name": "levels", "horizon": {"start": "2025-07-01", "end": "2025-07-02",
                                          "resolution": "1h"},
            "tariffs": {"today": {"from_library": "chongqing_2021_tou"},
                        "new": {"from_library": "chongqing_mv_wide_evening_peak"}},
            "enterprises": [{"id": "hv", "name": "hv", "load": "load.csv", "tariff": "today",
                             "transformer_kva": 400, "voltage_level": "35kV"},
                            {"id": "mv", "name": "mv", "load": "load.csv", "tariff": "today",
                             "transformer_kva": 400}],
            "cases": {"base": {}, "new": {"tariff": "new"}}, "baseline_case": "base"}
    scenario = load_scenario(dump_yaml(data, tmp_path / "s.yaml"))
    results = run_scenario(scenario, workers=1)
    delta = 0.1256 - 0.1515
    for case, tariff in (("base", "chongqing_2021_tou"), ("new", "chongqing_mv_wide_evening_peak")):
        hv, mv = scenario.tariff_for(case, "hv"), scenario.tariff_for(case, "mv")
        assert hv.level == "35kV" and mv.level == "1-10kV"
        assert scenario.tariff_for(case, "hv") is hv  # one copy, so cases compare as equal
        ratios = {"flat": 1.0, **mv.energy_price.ratios}
        bands = mv.bands_at(scenario.index)
        shift = sum(ratios[BANDS[b]] * delta for b in bands) * 100.0  # 100 kW for 1 h each
        costs = results[case].cost_by_enterprise()
        assert costs["hv"] - costs["mv"] == pytest.approx(shift, rel=1e-6), tariff
    bad = {**data, "enterprises": [{**data["enterprises"][0], "voltage_level": "below_1kV"}]}
    with pytest.raises(ScenarioError, match=r"enterprises\.hv\.voltage_level: tariff 'today' "
                                            r"\(used by case 'base'\): voltage_level below_1kV "
                                            r"has no T&D rate"):
        load_scenario(dump_yaml(bad, tmp_path / "bad.yaml"))


def test_months_without_a_table_are_refused():
    with pytest.raises(ValueError, match="months needs at least one table"):
        Tariff.model_validate({"name": "x", "energy_price": {"months": {}}})
