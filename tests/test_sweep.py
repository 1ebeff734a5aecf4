"""Sweeps: the table equals the cases run one by one (re-priced ones included), a killed
sweep resumes, a failing case is recorded, and a Dask cluster gives the same table."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import dump_yaml, two_price_tariff, write_profile
from ruamel.yaml import YAML

from energysim import load_scenario, run_scenario
from energysim.analysis.sweep import SweepBase, run_sweep, tasks_for
from energysim.analysis.sweep_grid import read_grid
from energysim.analysis.sweep_store import RecordStore
from energysim.cli import main

HOURS = 48
BATTERY = {"capacity_kwh": 200, "power_kw": 50, "charge_efficiency": 0.95,
           "discharge_efficiency": 0.95}
GRID = {"enterprises.a.storage.capacity_kwh": [100, 200],
        "tariffs.t.energy_price.bands_cny_per_kwh.valley": [0.2, 0.3, 0.4]}


def park(tmp_path):
    """Two enterprises over two days, hourly, on a valley-until-06:00 tariff; a has a battery
    and PV, b only load. Cases: none (baseline) and assets."""
    pv = ([0.0] * 8 + [0.3, 0.6, 0.8, 0.6, 0.3] + [0.0] * 11) * 2
    write_profile(tmp_path / "pv.csv", "2025-03-03", pv, column="value_kw_per_kwp")
    write_profile(tmp_path / "a.csv", "2025-03-03", [100.0] * HOURS)
    write_profile(tmp_path / "b.csv", "2025-03-03", [60.0, 80.0] * (HOURS // 2))
    enterprises = [{"id": "a", "name": "A", "load": "a.csv", "tariff": "t", "transformer_kva": 400,
                    "pv": {"capacity_kwp": 80, "profile": "pv.csv"}, "storage": BATTERY},
                   {"id": "b", "name": "B", "load": "b.csv", "tariff": "t", "transformer_kva": 400}]
    data = {"name": "sweep park",
            "horizon": {"start": "2025-03-03", "end": "2025-03-05", "resolution": "1h"},
            "tariffs": {"t": two_price_tariff("06:00")}, "enterprises": enterprises,
            "cases": {"none": {}, "assets": {"assets": ["pv", "storage"]}},
            "baseline_case": "none"}
    return dump_yaml(data, tmp_path / "park.yaml")


def one_by_one(path, point):
    scenario = load_scenario(path, point)
    results = run_scenario(scenario, workers=1)
    return {case: r.cost_by_enterprise() for case, r in results.items()}


def test_a_grid_equals_its_cases_run_one_by_one(tmp_path):
    path = park(tmp_path)
    dump_yaml(GRID, tmp_path / "grid.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "sweep.parquet")
    assert len(table) == 6 * 2 * 2  # points × cases × enterprises
    assert (table["case_optimality"] == "exact").all() and (table["case_bound_cny"] == 0).all()
    assert list(table.columns[:5]) == ["point", "case", "enterprise", *GRID]
    for point, spec in enumerate(read_grid(tmp_path / "grid.yaml")):
        expected = one_by_one(path, spec)
        rows = table[table["point"] == point].set_index(["case", "enterprise"])
        for case, costs in expected.items():
            for e, cost in costs.items():
                assert rows.loc[(case, e), "total_cost_cny"] == pytest.approx(cost, rel=1e-7)
        saving = rows.loc[("none", "a"), "total_cost_cny"] - rows.loc[("assets", "a"), "total_cost_cny"]
        assert rows.loc[("assets", "a"), "savings_cny"] == pytest.approx(saving)
    summary = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    # the baseline does not depend on the battery: three tariff points, solved once each
    assert summary["counts"]["run_now"] == 3 + 6
    # the baseline is billed (no model); one model built with assets, the rest re-priced or
    # resized
    assert summary["counts"]["resolved"] == 5
    assert table["resolved"].any()
    assert (out / "sweep_heatmap_assets.png").stat().st_size > 5_000
    assert summary["heatmaps"] == [{"case": "assets", "file": "sweep_heatmap_assets.png"}]
    assert len(pd.read_csv(out / "sweep.csv")) == len(table)


def test_a_failing_point_is_recorded_and_the_sweep_goes_on(tmp_path):
    """A point that passes the grid's checks but not the scenario's (a transformer below the
    load) fails at run time: recorded with its error, the other points run."""
    path = park(tmp_path)
    grid = {"enterprises.a.transformer_kva": [400, 90]}
    dump_yaml(grid, tmp_path / "grid.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "2 failed" in result.output
    table = pd.read_csv(out / "sweep.csv")
    failed = table[table["status"] == "failed"]
    assert list(failed["point"]) == [1, 1] and set(failed["case"]) == {"none", "assets"}
    assert "above the transformer (90 kVA)" in failed["error"].iloc[0]
    assert (table.query("point == 0")["status"] == "ok").all()
    bad = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                    "--out", str(out), "--case", "nope"])
    assert bad.exit_code == 2 and "unknown case" in bad.output


def test_a_sweep_whose_every_point_fails_draws_no_heatmap(tmp_path):
    """Every point below the load (100 kW) on a's transformer: no case runs anywhere, and
    the sweep still ends well: its table and sweep.json, no heatmap, each failure listed."""
    path = park(tmp_path)
    dump_yaml({"enterprises.a.transformer_kva": [10, 20],
               "enterprises.a.storage.capacity_kwh": [100, 200]}, tmp_path / "grid.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert not list(out.glob("sweep_heatmap_*"))
    assert len(summary["failures"]) == 4 * 2  # points × cases
    assert {(f["point"], f["case"]) for f in summary["failures"]} == {
        (p, c) for p in range(4) for c in ("none", "assets")}
    assert all("above the transformer" in f["error"] for f in summary["failures"])
    assert summary["heatmap_axes"] == ["enterprises.a.transformer_kva",
                                       "enterprises.a.storage.capacity_kwh"]
    assert summary["heatmaps"] == [{"case": "assets", "file": None, "reason":
                                    "no heatmap: case 'assets' failed at all 4 points "
                                    "(see failures)"}]
    assert (pd.read_csv(out / "sweep.csv")["status"] == "failed").all()


def heatmap_table(factor: float = 1.0) -> pd.DataFrame:
    """Sweep rows of case ``c`` over x ∈ {1, 2} and y ∈ {lo, hi}, two enterprises: the park
    saves 100 + 20 = 120 at (1, lo), 300 − 50 = 250 at (2, lo), −400 + 10 = −390 at (1, hi);
    at (2, hi) e2's baseline failed (no savings) and a second point failed outright."""
    x, y = "enterprises.a.storage.capacity_kwh", "tariffs.t.energy_price.bands_cny_per_kwh.valley"
    cells = [(0, 1, "lo", 100.0, 20.0), (1, 2, "lo", 300.0, -50.0), (2, 1, "hi", -400.0, 10.0),
             (3, 2, "hi", 150.0, float("nan"))]
    rows = [{"point": p, "case": "c", "enterprise": e, x: xv, y: yv, "status": "ok",
             "savings_cny": saved * factor}
            for p, xv, yv, s1, s2 in cells for e, saved in (("e1", s1), ("e2", s2))]
    rows.append({"point": 4, "case": "c", "enterprise": None, x: 2, y: "hi", "status": "failed",
                 "savings_cny": float("nan")})
    return pd.DataFrame(rows)


def drawn_outside(fig) -> list[str]:
    """The texts of ``fig`` that stick out of it once drawn."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box, renderer = fig.bbox, canvas.get_renderer()
    outside = []
    for text in fig.findobj(Text):
        if text.get_visible() and text.get_text():
            extent = text.get_window_extent(renderer)
            if (extent.x0 < box.x0 - 1 or extent.y0 < box.y0 - 1 or extent.x1 > box.x1 + 1
                    or extent.y1 > box.y1 + 1):
                outside.append(text.get_text())
    return outside


@pytest.mark.parametrize(("factor", "unit", "cells"), [
    (1.0, "CNY", ["120.0", "250.0", "−390.0", "—"]),
    (1000.0, "10k CNY", ["12.0", "25.0", "−39.0", "—"])])
def test_the_heatmap_fits_and_draws_money_as_the_run_figures_do(factor, unit, cells):
    from energysim.analysis.sweep_table import heatmap_grid, money_scale, plot_savings_heatmap
    from energysim.report.figures_costs import money_unit
    from energysim.report.labels import label

    table = heatmap_table(factor)
    x, y = table.columns[3], table.columns[4]
    grid, per_cell = heatmap_grid(table, "c", x, y)
    assert grid.loc["lo"].tolist() == [120.0 * factor, 250.0 * factor]
    assert grid.loc["hi", 1] == -390.0 * factor and pd.isna(grid.loc["hi", 2])
    assert per_cell == 1
    assert money_scale(grid.to_numpy())[1] == money_unit(grid.to_numpy(), "en")[1] == unit
    fig = plot_savings_heatmap(table, "c", x, y, baseline="none")
    ax, colourbar = fig.axes
    assert colourbar.get_ylabel() == label("fig_savings_axis", "en").format(unit=unit)
    assert sorted(t.get_text() for t in ax.texts) == sorted(cells)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["hi", "lo"]
    assert "‘c’" in fig.get_suptitle() and "‘none’" in fig.get_suptitle()
    assert drawn_outside(fig) == []


def test_money_scale_is_the_figures_money_unit():
    from energysim.analysis.sweep_table import money_scale
    from energysim.report.figures_costs import money_unit

    for values in ([99_999.0], [-100_000.0, 5.0], [0.0], [float("nan"), 3e6], []):
        assert money_scale(values) == money_unit(values, "en"), values


def test_a_bad_grid_is_refused_before_any_case_runs(tmp_path):
    """An unknown path, a misspelt last field, a value of the wrong type and one out of range
    are each reported at their line of the grid file, exit 2, and nothing is solved; the
    same in a CSV grid, at its row and column."""
    path = park(tmp_path)
    (tmp_path / "grid.yaml").write_text(
        "enterprises.zz.storage.capacity_kwh: [1]\n"
        "enterprises.a.storage.capacity_kwhh: [10]\n"
        "enterprises.a.transformer_kva:\n"
        "  - 400\n"
        "  - lots\n"
        "enterprises.a.storage.capacity_kwh: [100, -5]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    text = result.output
    assert "grid.yaml:1:" in text and "no item with id 'zz'" in text
    assert "grid.yaml:2:" in text and "capacity_kwhh: Extra inputs are not permitted" in text
    assert "grid.yaml:5:5" in text and "transformer_kva: Input should be a valid number" in text
    assert "grid.yaml:6:" in text and "capacity_kwh: Input should be greater than 0" in text
    assert "(value -5)" in text and "4 problems" in text
    assert not (out / "records.jsonl").exists()
    (tmp_path / "grid.csv").write_text(
        "enterprises.a.storage.capacity_kwh,tariffs.t.export_price_cny_per_kwh\n"
        "100,0.3\n200,-1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.csv"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2 and "grid.csv:3:2" in result.output, result.output


def test_a_killed_sweep_resumes_where_it_stopped(tmp_path):
    path = park(tmp_path)
    grid = tmp_path / "grid.csv"
    grid.write_text("enterprises.a.storage.capacity_kwh,tariffs.t.energy_price.bands_cny_per_kwh.valley\n"
                    + "".join(f"{c},{v}\n" for c in (50, 100, 150, 200) for v in (0.2, 0.3)),
                    encoding="utf-8")
    out = tmp_path / "out"
    command = [sys.executable, "-c", "from energysim.cli import main; main()", "sweep", str(path),
               "--grid", str(grid), "--out", str(out), "--workers", "1", "--quiet"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    records = out / "records.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if records.exists() and records.read_text(encoding="utf-8").count("\n") >= 4:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the sweep ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    done = RecordStore(out).read()
    assert 4 <= len(done) < 2 + 8  # killed before the end
    with records.open("a", encoding="utf-8") as handle:
        handle.write('{"key": "cut short by the ki')  # a line the kill cut
    base = SweepBase.from_file(path)
    tasks = tasks_for(base, read_grid(grid), ["assets"], "none")
    counts = run_sweep(base, tasks, out, workers=1)
    assert counts["done_before"] == len(done)
    assert counts["run_now"] == 2 + 8 - len(done)
    assert len(RecordStore(out).read()) == 2 + 8
    again = run_sweep(base, tasks, out, workers=1)
    assert again["run_now"] == 0
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(grid), "--out", str(out)])
    table = pd.read_parquet(out / "sweep.parquet")
    assert result.exit_code == 0 and (table["status"] == "ok").all() and len(table) == 8 * 2 * 2
    expected = one_by_one(path, read_grid(grid)[5])
    rows = table[table["point"] == 5].set_index(["case", "enterprise"])
    assert rows.loc[("assets", "a"), "total_cost_cny"] == pytest.approx(expected["assets"]["a"],
                                                                        rel=1e-7)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_dask_cluster_gives_the_same_table(tmp_path):
    distributed = pytest.importorskip("distributed")
    path = park(tmp_path)
    dump_yaml(GRID, tmp_path / "grid.yaml")
    local = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                      "--out", str(tmp_path / "local"), "--workers", "2"])
    assert local.exit_code == 0, local.output
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        remote = CliRunner().invoke(main, ["sweep", str(path), "--grid",
                                           str(tmp_path / "grid.yaml"), "--out",
                                           str(tmp_path / "dask"), "--scheduler",
                                           cluster.scheduler_address])
    assert remote.exit_code == 0, remote.output
    columns = ["point", "case", "enterprise", "total_cost_cny", "savings_cny", "status"]
    mine = pd.read_parquet(tmp_path / "local" / "sweep.parquet")[columns]
    theirs = pd.read_parquet(tmp_path / "dask" / "sweep.parquet")[columns]
    pd.testing.assert_frame_equal(mine, theirs, rtol=1e-7)


def test_a_point_may_run_some_enterprises_only(tmp_path):
    path = park(tmp_path)
    base = SweepBase.from_file(path)
    tasks = tasks_for(base, [{"run.enterprises": ["b"]}], ["assets"], "none")
    counts = run_sweep(base, tasks, tmp_path / "out", workers=1)
    assert counts["failed"] == 0
    records = RecordStore(tmp_path / "out").read()
    assert {row["enterprise"] for r in records.values() for row in r["rows"]} == {"b"}
    expected = one_by_one(path, {})["assets"]["b"]
    row = next(r for r in records.values() if r["case"] == "assets")["rows"][0]
    assert row["total_cost_cny"] == pytest.approx(expected, rel=1e-7)


def test_overrides_that_change_a_case_are_never_left_out_of_its_key(tmp_path):
    """A point that switches a battery on, or gives one to an enterprise without, is a new
    model: not the same key, not a re-price of another point's model."""
    path = park(tmp_path)
    base = SweepBase.from_file(path)
    points = [{"cases.none.assets": ["storage"], "enterprises.a.storage.capacity_kwh": size}
              for size in (100, 400)]
    points += [{}, {"enterprises.b.storage": {"capacity_kwh": 100, "power_kw": 50}}]
    tasks = tasks_for(base, points, ["assets"], "none")
    assert len({t.key for t in tasks}) == len(tasks) - 1  # only {} and b's battery share none
    counts = run_sweep(base, tasks, tmp_path / "out", workers=1)
    assert counts["failed"] == 0
    records = RecordStore(tmp_path / "out").read()
    for task in tasks:
        expected = one_by_one(path, points[task.point])[task.case]
        got = {row["enterprise"]: row["total_cost_cny"] for row in records[task.key]["rows"]}
        assert got == pytest.approx(expected.to_dict(), rel=1e-7)


def test_overrides_of_assets_a_case_does_not_switch_on_are_left_out():
    """A listed battery's size (by id or position) and an enterprise's generator cannot
    change a case without batteries or generators; the case that has them keeps them."""
    from energysim.analysis.sweep import relevant_overrides

    applied = {"cases": {"none": {}, "on": {"assets": ["storage", "generator"]}},
               "enterprises": [{"id": "works", "tariff": "t"}], "tariffs": {"t": {}},
               "assets": [{"kind": "storage", "id": "bat"}, {"kind": "pv", "id": "roof"}]}
    overrides = {"assets.bat.capacity_kwh": 10, "assets[0].power_kw": 5,
                 "assets.roof.capacity_kwp": 3, "enterprises.works.generator.capacity_kw": 9}
    assert relevant_overrides(applied, "none", overrides) == {}
    assert relevant_overrides(applied, "on", overrides) == {
        "assets.bat.capacity_kwh": 10, "assets[0].power_kw": 5,
        "enterprises.works.generator.capacity_kw": 9}


def test_a_calibrated_tariffs_reference_is_a_tariff_its_case_uses():
    """Overrides of the tariff a proposal is calibrated to change the proposal's level, so a
    case on the proposal keeps them (and a case on neither drops them)."""
    from energysim.analysis.sweep import relevant_overrides

    applied = {"cases": {"base": {}, "new": {"tariff": "new"}, "other": {"tariff": "x"}},
               "enterprises": [{"id": "works", "tariff": "today"}],
               "tariffs": {"today": {}, "x": {},
                           "new": {"calibrate": {"revenue_neutral_to": "today"}}}}
    overrides = {"tariffs.today.energy_price.ratios.valley": 0.3}
    assert relevant_overrides(applied, "new", overrides) == overrides
    assert relevant_overrides(applied, "base", overrides) == overrides
    assert relevant_overrides(applied, "other", overrides) == {}


def test_run_enterprises_and_heatmap_axes_are_checked_before_any_case_runs(tmp_path):
    """run.enterprises must list known ids (a bare id, or an unknown one, is an error at its
    line); a --heatmap axis must be a path of the grid."""
    path = park(tmp_path)
    (tmp_path / "grid.yaml").write_text("enterprises.a.storage.capacity_kwh: [100, 200]\n"
                                        "run.enterprises: [a, [zz]]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert "expected a list of enterprise ids" in result.output
    assert "unknown enterprise(s) zz" in result.output and not (out / "records.jsonl").exists()
    dump_yaml(GRID, tmp_path / "ok.yaml")
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "ok.yaml"),
                                       "--out", str(out), "--heatmap", "x", "y"])
    assert result.exit_code == 2 and "is not a path of the grid" in result.output


def _left_out_and_refused(tmp_path, change, case: str, says: str) -> None:
    """With ``change(data)`` made to the scenario, the sweep runs its other cases by default
    and refuses ``case`` named with --case, saying ``says``."""
    path = park(tmp_path)
    data = YAML().load(path.read_text(encoding="utf-8"))
    change(data)
    dump_yaml(data, path)
    dump_yaml({"enterprises.b.transformer_kva": [400, 500]}, tmp_path / "grid.yaml")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                       "--out", str(out), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out / "sweep.csv")["case"]) == {"none", "assets"}
    bad = CliRunner().invoke(main, ["sweep", str(path), "--grid", str(tmp_path / "grid.yaml"),
                                    "--out", str(tmp_path / "out2"), "--case", case])
    assert bad.exit_code == 2 and says in bad.output


def test_sizing_cases_are_left_out_of_a_sweep_and_refused_by_name(tmp_path):
    """A point's sizes would each be an LP's."""
    def change(data):
        data["cases"]["sized"] = {"assets": ["storage"],
                                  "size": {"storage": {"max_kwh": 500, "max_kw": 200}}}

    _left_out_and_refused(tmp_path, change, "sized", "size their assets")


def test_park_cases_are_left_out_of_a_sweep_and_refused_by_name(tmp_path):
    """A park case's connection and coalitions are models after its members'."""
    def change(data):
        data["park"] = {"connection": {"tariff": next(iter(data["tariffs"])),
                                       "basic_charge": "none", "transformer_kva": 5000},
                        "members": [e["id"] for e in data["enterprises"]]}
        data["cases"]["joint"] = {"metering": "park"}

    _left_out_and_refused(tmp_path, change, "joint", "joint meter at the park, which a sweep does not")
    grid = tmp_path / "metering.yaml"
    dump_yaml({"cases.assets.metering": ["separate", "park"]}, grid)
    bad = CliRunner().invoke(main, ["sweep", str(tmp_path / "park.yaml"), "--grid", str(grid),
                                    "--out", str(tmp_path / "out3")])
    assert bad.exit_code == 2 and "cases.assets.metering: a sweep does not meter" in bad.output
