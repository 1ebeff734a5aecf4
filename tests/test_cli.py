"""The command line through click's CliRunner, and the output files' contract."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import demo_scenario, tiny_scenario, two_price_tariff

from energysim import SolverError
from energysim.cli import main

BATTERY = {"capacity_kwh": 100, "power_kw": 50, "soc_min_fraction": 0.0,
           "soc_max_fraction": 1.0}


def test_validate_ok(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_broken_scenario_exits_2_with_file_and_line(tmp_path):
    path = tiny_scenario(tmp_path, [10.0] * 4)
    path.write_text(path.read_text().replace("transformer_kva: 1000.0", "transformer_kva: big"))
    for command in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "o")]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2, result.output
        assert "scenario.yaml:" in result.output
        assert "enterprises.plant.transformer_kva" in result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_solver_failure_exits_3(tmp_path, monkeypatch):
    path = tiny_scenario(tmp_path, [10.0] * 4)

    def fail(*args, **kwargs):
        raise SolverError("infeasible", "case all / plant")

    monkeypatch.setattr("energysim.analysis.run.run_scenario", fail)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 3, result.output
    assert "termination condition 'infeasible'" in result.output


def test_run_writes_the_output_contract(tmp_path):
    path = tiny_scenario(tmp_path, [100.0] * 48, tariff=two_price_tariff("06:00"),
                         pv_kw=[0.0] * 9 + [50.0] * 6 + [0.0] * 33, storage=BATTERY)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["baseline_case"] == "none"
    assert set(summary["cases"]) == {"none", "all"}
    assert summary["cases"]["all"]["status"] == "optimal"
    costs = pd.read_csv(out / "costs.csv")
    assert list(costs.columns) == ["case", "enterprise", "month", "component", "cost_cny"]
    assert {"energy", "basic_charge", "export_credit", "storage_wear"} <= set(costs["component"])
    assert costs.groupby("case")["cost_cny"].sum()["all"] == pytest.approx(
        summary["cases"]["all"]["total_cost_cny"], rel=1e-6)
    savings = pd.read_csv(out / "savings.csv")
    assert list(savings.columns) == ["case", "enterprise", "baseline_cost_cny", "cost_cny",
                                     "savings_cny", "savings_pct"]
    row = savings.set_index("case").loc["all"]
    assert row["savings_cny"] == pytest.approx(row["baseline_cost_cny"] - row["cost_cny"])
    assert row["savings_cny"] > 0
    ts = pd.read_parquet(out / "timeseries" / "all.parquet")
    assert ts.index.name == "timestamp" and len(ts) == 48
    assert ts.index[1] == pd.Timestamp("2025-01-01 01:00")
    as_csv = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "csv"),
                                       "--workers", "1", "--no-figures", "--timeseries", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    table = pd.read_csv(tmp_path / "csv" / "timeseries" / "all.csv", index_col="timestamp",
                        parse_dates=["timestamp"])
    assert list(table.columns) == list(ts.columns)
    assert table.to_numpy() == pytest.approx(ts.to_numpy(), rel=1e-9, abs=1e-9)
    for quantity in ("load_kw", "grid_import_kw", "grid_export_kw", "pv_kw", "pv_curtail_kw",
                     "storage_charge_kw", "storage_discharge_kw", "storage_soc_kwh",
                     "price_cny_per_kwh"):
        assert f"plant/{quantity}" in ts.columns
    figures = sorted(p.name for p in (out / "figures").iterdir())
    assert "savings.png" in figures and "dispatch_all_plant.png" in figures
    assert all((out / "figures" / f).stat().st_size > 10_000 for f in figures)
    assert not [p for p in out.iterdir() if p.name.startswith(".energysim-partial")]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="findings"' in html and "data:image/png;base64" in html
    assert set(pd.read_excel(out / "report.xlsx", sheet_name=None)) >= {"Summary", "Savings"}


def test_run_in_chinese_says_once_when_it_has_no_cjk_font(tmp_path, monkeypatch):
    from energysim.report import fonts

    monkeypatch.setattr(fonts, "cjk_family", lambda: None)
    path = tiny_scenario(tmp_path, [100.0] * 24, storage=BATTERY)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1",
                                       "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert result.output.count("no CJK font found") == 1
    assert '<html lang="zh-CN">' in (out / "report.html").read_text(encoding="utf-8")
    assert "概要" in pd.read_excel(out / "report.xlsx", sheet_name=None)
    week = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--week", "2024-01-01"])
    assert week.exit_code == 2 and "outside the horizon" in week.output


def test_a_run_that_dies_leaves_nothing_that_looks_whole(tmp_path, monkeypatch):
    path = tiny_scenario(tmp_path, [10.0] * 4)
    out = tmp_path / "out"

    def crash(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("energysim.report.outputs.write_figures", crash)
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "1"])
    assert result.exit_code == 1, result.output
    assert "error: RuntimeError: disk full (run with --debug" in result.output
    assert "Traceback" not in result.output
    assert list(out.iterdir()) == []
    with pytest.raises(RuntimeError, match="disk full"):
        CliRunner().invoke(main, ["--debug", "run", str(path), "--out", str(out)],
                           catch_exceptions=False)


def test_run_demo_park_for_two_days_in_two_processes(tmp_path):
    path = demo_scenario(tmp_path, "2025-08-04", "2025-08-06")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", str(path), "--out", str(out), "--workers", "2",
                                       "--case", "current_pv_storage", "--no-figures"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["cases"]) == ["baseline", "current_pv_storage"]
    savings = pd.read_csv(out / "savings.csv").query("case == 'current_pv_storage'")
    assert len(savings) == 4 and (savings["savings_cny"] > 0).all()
    assert "8/8" in result.stderr and "models" in result.stderr  # the progress bar
    assert (out / "report.xlsx").stat().st_size > 5_000
    quiet = CliRunner().invoke(main, ["run", str(path), "--out", str(tmp_path / "quiet"),
                                      "--workers", "1", "--case", "mv_narrow_pv_storage",
                                      "--no-figures", "--quiet"])
    assert quiet.exit_code == 0 and quiet.output == ""
    # the case's reference runs too: its decomposition re-prices today's PV-and-storage dispatch
    summary = json.loads((tmp_path / "quiet" / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["cases"]) == ["baseline", "current_pv_storage", "mv_narrow_pv_storage"]
    parts = pd.read_csv(tmp_path / "quiet" / "decomposition.csv").query(
        "case == 'mv_narrow_pv_storage'")
    assert set(parts["reference_case"]) == {"current_pv_storage"}


def test_tariffs_list_and_show(tmp_path):
    runner = CliRunner()
    listed = runner.invoke(main, ["tariffs", "list"])
    assert listed.exit_code == 0, listed.output
    assert "chongqing_2021_tou" in listed.output and "渝发改规范〔2021〕14号" in listed.output
    png = tmp_path / "cq.png"
    shown = runner.invoke(main, ["tariffs", "show", "chongqing_2021_tou", "--png", str(png)])
    assert shown.exit_code == 0, shown.output
    # July: valley to 08:00, flat to 11:00, peak, critical 12-14, peak to 17:00, ...
    assert "   7 VVVVVVVVFFFPCCPPPFFFPPFF" in shown.output
    assert png.stat().st_size > 10_000
    missing = runner.invoke(main, ["tariffs", "show", "atlantis"])
    assert missing.exit_code == 2 and "no built-in tariff 'atlantis'" in missing.output
    assert listed.output.splitlines()[0].split() == ["name", "region", "effective", "figures",
                                                     "from", "document"]
    assert "basic charge: by capacity" in shown.output and "CNY/(kW·month)" in shown.output
    assert "export price: 0.3964 CNY/kWh" in shown.output


def test_profiles_pv_without_pvlib_names_the_extra(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pvlib", None)  # as if not installed
    result = CliRunner().invoke(main, ["profiles", "pv", "--year", "2025",
                                       "--out", str(tmp_path / "pv.csv")])
    assert result.exit_code == 2 and "pip install 'energysim[pv]'" in result.output
    assert "Traceback" not in result.output


def test_bill_command_prices_a_profile_by_hand(tmp_path):
    from conftest import write_profile

    load = write_profile(tmp_path / "load.csv", "2025-07-01", [100.0] * 96, "15min")
    result = CliRunner().invoke(main, ["bill", "--tariff", "chongqing_2021_tou", "--load",
                                       str(load), "--basic-charge", "max_demand", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["month"]: row for row in json.loads(result.output)}
    # July day: 8 h valley, 8 h flat, 6 h peak, 2 h critical peak at 100 kW, priced by the
    # latest published table (2026-07, the default): E from its peak and valley
    e = (1.134954 - 0.363135) / 1.22
    adder = 0.755371 - e
    energy = 100 * (8 * 0.38 * e + 8 * e + 6 * 1.6 * e + 2 * 1.92 * e + 24 * adder)
    assert rows["2025-07"]["energy"] == pytest.approx(energy)
    assert rows["2025-07"]["basic_charge"] == pytest.approx(36.1 * 100 / 31)
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp,value_kw\n2025-07-01 00:00,1\n2025-07-01 00:15,x\n")
    failed = CliRunner().invoke(main, ["bill", "--tariff", "chongqing_2021_tou", "--load", str(bad)])
    assert failed.exit_code == 2
    assert "bad.csv:3:2  column value_kw: not a number (got 'x')" in failed.output


def test_profiles_commands(tmp_path):
    runner = CliRunner()
    out = tmp_path / "load.csv"
    made = runner.invoke(main, ["profiles", "load", "--archetype", "three_shift", "--annual-mwh",
                                "876", "--year", "2025", "--seed", "5", "--out", str(out)])
    assert made.exit_code == 0, made.output
    load = pd.read_csv(out, parse_dates=["timestamp"])
    assert list(load.columns) == ["timestamp", "value_kw"] and len(load) == 35040
    assert load["value_kw"].sum() * 0.25 == pytest.approx(876_000, rel=1e-6)
    hourly = tmp_path / "hourly.csv"
    converted = runner.invoke(main, ["profiles", "convert", str(out), "--resolution", "1h",
                                     "--out", str(hourly)])
    assert converted.exit_code == 0, converted.output
    again = pd.read_csv(hourly)
    assert len(again) == 8760 and again["value_kw"].sum() == pytest.approx(876_000, rel=1e-6)
    unknown = runner.invoke(main, ["profiles", "load", "--archetype", "bakery", "--annual-mwh",
                                   "1", "--year", "2025", "--out", str(tmp_path / "x.csv")])
    assert unknown.exit_code == 2 and "single_shift" in unknown.output


def test_profiles_pv_command(tmp_path):
    pytest.importorskip("pvlib")
    out = tmp_path / "pv.csv"
    result = CliRunner().invoke(main, ["profiles", "pv", "--year", "2025", "--resolution", "1h",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.output
    pv = pd.read_csv(out)
    assert list(pv.columns) == ["timestamp", "value_kw_per_kwp"]
    assert 800 <= pv["value_kw_per_kwp"].sum() <= 1000


def test_bill_without_a_unit_says_how_on_the_command_line(tmp_path):
    """A file whose header states no unit: the bill command asks for --unit, not unit:."""
    path = tmp_path / "load.csv"
    path.write_text("timestamp,value\n2025-01-01 00:00,10\n2025-01-01 01:00,12\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["bill", "--tariff", "chongqing_2021_tou", "--load", str(path)])
    assert result.exit_code == 2 and "give --unit kw (mean power) or --unit kwh" in result.output
    assert "in the scenario" not in result.output


@pytest.mark.parametrize("args", [
    ["bill", "--tariff", "chongqing_2021_tou", "--load", "x.csv", "--transformer-kva", "nan"],
    ["bill", "--tariff", "chongqing_2021_tou", "--load", "x.csv", "--transformer-kva", "-5"],
    ["profiles", "load", "--archetype", "two_shift", "--annual-mwh", "1e300", "--year", "2025",
     "--out", "x.csv"],
    ["profiles", "pv", "--lat", "1000", "--year", "2025", "--out", "x.csv"],
    ["profiles", "pv", "--year", "2300", "--out", "x.csv"],
    ["run", "x.yaml", "--out", "out", "--workers", "-1"],
])
def test_command_line_numbers_are_checked(args, tmp_path, monkeypatch):
    """NaN, negative capacities, absurd energies, latitudes and years: exit 2, said."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "Invalid value" in result.output, result.output
