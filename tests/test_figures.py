"""The PNG figures: every file written in English and Chinese, the numbers drawn equal to the
analysis tables, load-duration data sorted and energy-preserving, and a clean fallback to
English labels where no CJK font is installed."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from energysim.analysis.decomposition import decompose
from energysim.analysis.indicators import indicators
from energysim.analysis.savings import compare
from energysim.report import fonts
from energysim.report.figures import check_week, plot_dispatch, tariffs_used, write_figures
from energysim.report.figures_costs import (
    WATERFALL_STEPS,
    load_duration_table,
    money_unit,
    monthly_peak_table,
    plot_waterfall,
    waterfall_table,
)
from energysim.report.labels import LABELS
from energysim.report.tariff_views import plot_band_heatmap

CJK = re.compile(r"[\u4e00-\u9fff]")
SHOWN = ("baseline", "midday_valley_pv_storage", "green_direct")
"""Cases drawn by the file tests: the baseline, a new tariff with assets, a green line."""


@pytest.fixture
def no_cjk_font(monkeypatch):
    """As on a machine without any CJK font."""
    monkeypatch.setattr(fonts, "cjk_family", lambda: None)


@pytest.fixture
def cjk_font(monkeypatch):
    """An installed CJK font, or where there is none matplotlib's own Last Resort font as a
    stand-in (it has a glyph, a box, for every code point: Chinese labels are drawn with no
    "Glyph missing" warning, as with a real CJK font)."""
    family = fonts.cjk_family() or fonts.LAST_RESORT
    monkeypatch.setattr(fonts, "cjk_family", lambda: family)
    return family


@pytest.fixture(scope="module")
def week(demo_week):
    """The demo week restricted to `SHOWN`, with its savings and decomposition."""
    scenario, results = demo_week
    shown = {case: results[case] for case in SHOWN}
    return (scenario, shown, compare(shown, scenario.baseline_case),
            decompose(scenario, shown, scenario.baseline_case))


def expected_names(scenario) -> set[str]:
    others = [c for c in SHOWN if c != scenario.baseline_case]
    return ({f"dispatch_{c}_{e}.png" for c in SHOWN for e in scenario.enterprises}
            | {"savings.png", "monthly_peak_import.png"}
            | {f"waterfall_{c}.png" for c in others} | {f"load_duration_{c}.png" for c in others}
            | {f"tariff_{t}.png" for t in tariffs_used(scenario, SHOWN)})


def write_all(week, folder, lang):
    scenario, results, savings, decomposition = week
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return write_figures(scenario, results, savings, decomposition, folder, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_is_written_in_each_language(week, tmp_path, lang, cjk_font):
    written = write_all(week, tmp_path, lang)
    names = {p.name for p in written}
    assert names == expected_names(week[0]), sorted(names ^ expected_names(week[0]))
    assert {p.name for p in tmp_path.iterdir()} == names
    small = {p.name: p.stat().st_size for p in written if p.stat().st_size < 20_000}
    assert not small, small


def test_the_summary_draws_the_best_case_and_its_reference_and_no_load_duration(week, tmp_path):
    scenario, results, savings, decomposition = week
    written = write_figures(scenario, results, savings, decomposition, tmp_path, which="summary")
    best = min((c for c in results if c != scenario.baseline_case),
               key=lambda c: results[c].total_cost_cny)
    # its reference, current_pv_storage, did not run: the baseline stands in, as it does in
    # the decomposition
    assert scenario.reference_case(best) not in results
    shown = [best, scenario.baseline_case]
    expected = {name for name in expected_names(scenario)
                if not name.startswith(("dispatch_", "load_duration_"))} | {
        f"dispatch_{c}_{e}.png" for c in shown for e in scenario.enterprises}
    assert {p.name for p in written} == expected
    assert {p.name for p in tmp_path.iterdir()} == expected


def test_chinese_without_a_cjk_font_falls_back_to_english_with_one_note(week, tmp_path,
                                                                      no_cjk_font):
    assert fonts.cjk_note("zh") == fonts.NO_CJK_NOTE
    assert "fonts-noto-cjk" in fonts.cjk_note("zh")
    assert fonts.cjk_note("en") is None
    assert fonts.figure_lang("zh") == "en"
    written = write_all(week, tmp_path, "zh")
    assert {p.name for p in written} == expected_names(week[0])
    scenario, _, _, decomposition = week
    fig = plot_waterfall(scenario, decomposition, "midday_valley_pv_storage", "zh")
    assert not CJK.search(fig._suptitle.get_text())
    assert "tariff effect" in [t.get_text() for t in fig.axes[0].get_xticklabels()]


def test_with_a_cjk_font_labels_are_chinese(week, cjk_font):
    scenario, results, _, decomposition = week
    assert fonts.cjk_note("zh") is None
    assert fonts.font_families("zh")[0] == cjk_font
    fig = plot_waterfall(scenario, decomposition, "midday_valley_pv_storage", "zh")
    assert "电价效应" in fig._suptitle.get_text()
    assert "万元" in fig.axes[0].get_ylabel()
    assert scenario.enterprises["materials"].name in [ax.get_title() for ax in fig.axes]
    fig = plot_dispatch(results["baseline"].timeseries, "materials", pd.Timestamp("2025-07-07"),
                        "title", lang="zh")
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "电网购电"
    assert "周一" in fig.axes[1].get_xticklabels()[0].get_text()
    heatmap = plot_band_heatmap(scenario.tariffs["cq_current"], "cq_current", lang="zh")
    assert any("高峰" in t.get_text() for t in heatmap.legends[0].get_texts())


def test_every_figure_label_has_both_languages():
    figure_keys = [k for k in LABELS if k.startswith("fig_")]
    assert len(figure_keys) > 20
    for key in figure_keys:
        english, chinese = LABELS[key]
        assert english.strip() and chinese.strip(), key
        assert CJK.search(chinese) or key == "fig_on_days", key
        assert not CJK.search(english), key
        assert set(re.findall(r"{(\w+)}", english)) == set(re.findall(r"{(\w+)}", chinese)), key


def test_waterfall_bars_equal_the_decomposition(week):
    scenario, _, _, decomposition = week
    for case in ("midday_valley_pv_storage", "green_direct"):
        rows = decomposition[decomposition["case"] == case]
        park = waterfall_table(decomposition, case)
        assert list(park.index) == list(WATERFALL_STEPS)
        for step in WATERFALL_STEPS:
            assert park.loc[step, "value_cny"] == pytest.approx(rows[step].sum(), rel=1e-12)
        assert park.loc["cost_cny", "value_cny"] == pytest.approx(
            park["value_cny"].iloc[:3].sum(), rel=1e-9)
        assert park["bottom_cny"].to_numpy() == pytest.approx(
            [0.0, rows["reference_cost_cny"].sum(),
             rows["reference_cost_cny"].sum() + rows["tariff_effect_cny"].sum(), 0.0])
        for row in rows.itertuples():
            table = waterfall_table(decomposition, case, row.enterprise)
            assert table["value_cny"].to_numpy() == pytest.approx(
                [row.reference_cost_cny, row.tariff_effect_cny, row.response_effect_cny,
                 row.cost_cny], rel=1e-12)
        fig = plot_waterfall(scenario, decomposition, case, "en")
        scale, _ = money_unit(park["value_cny"], "en")
        bars = fig.axes[0].patches
        assert [b.get_height() * scale for b in bars] == pytest.approx(
            park["value_cny"].tolist(), rel=1e-9)
        assert [b.get_y() * scale for b in bars] == pytest.approx(
            park["bottom_cny"].tolist(), rel=1e-9, abs=1e-6)
    with pytest.raises(KeyError, match="no decomposition rows for case 'nope'"):
        waterfall_table(decomposition, "nope")


def test_load_duration_is_sorted_and_keeps_the_energy(demo_week):
    scenario, results = demo_week
    series = results["midday_valley_pv_storage"].timeseries["materials/grid_import_kw"]
    table = load_duration_table(series, scenario.dt_h)
    assert len(table) == len(series)  # a week has fewer steps than points: all kept
    assert (np.diff(table["grid_import_kw"]) <= 0).all()
    assert table["grid_import_kw"].iloc[0] == pytest.approx(series.max())
    energy_kwh = series.sum() * scenario.dt_h
    assert np.trapezoid(table["grid_import_kw"], table["duration_h"]) == pytest.approx(
        energy_kwh, rel=1e-2)
    year = np.random.default_rng(7).gamma(2.0, 500.0, 35_040)  # a year at 15 minutes
    table = load_duration_table(year, 0.25)
    assert len(table) == 1000
    assert (np.diff(table["grid_import_kw"]) <= 0).all()
    assert table["grid_import_kw"].iloc[[0, -1]].tolist() == pytest.approx([year.max(), year.min()])
    assert table["duration_h"].iloc[-1] == pytest.approx(8760.0)
    assert np.trapezoid(table["grid_import_kw"], table["duration_h"]) == pytest.approx(
        year.sum() * 0.25, rel=1e-2)


def test_monthly_peak_is_the_park_coincident_peak(week):
    scenario, results, _, _ = week
    table = monthly_peak_table(scenario, results)
    assert list(table.columns) == ["2025-07"] and list(table.index) == list(SHOWN)
    park = indicators(scenario, results).query("scope == 'park'").set_index("case")
    assert table["2025-07"].to_numpy() == pytest.approx(
        park.loc[list(SHOWN), "peak_import_kw"].to_numpy(), rel=1e-12)


def test_a_week_outside_the_horizon_is_refused(week, tmp_path):
    scenario, results, savings, decomposition = week
    assert check_week(scenario.index, pd.Timestamp("2025-07-09 13:00")) == pd.Timestamp("2025-07-09")
    with pytest.raises(ValueError, match="dispatch week 2025-01-06 is outside the horizon "
                                         "2025-07-07 to 2025-07-13"):
        write_figures(scenario, results, savings, decomposition, tmp_path,
                      week_start=pd.Timestamp("2025-01-06"))


def test_without_the_baseline_only_dispatch_peak_and_tariff_figures(week, tmp_path):
    scenario, results, _, _ = week
    case = "midday_valley_pv_storage"
    written = write_figures(scenario, {case: results[case]}, pd.DataFrame(), None, tmp_path)
    assert {p.name for p in written} == (
        {f"dispatch_{case}_{e}.png" for e in scenario.enterprises}
        | {"monthly_peak_import.png", f"tariff_{scenario.case(case).tariff}.png"})


def test_a_vpp_case_shows_the_week_of_its_first_event(tmp_path):
    """The demo's first event is on Tuesday 2025-07-22: its VPP case's dispatch week starts on
    Monday 2025-07-21; a case without events keeps the middle of the horizon."""
    from types import SimpleNamespace

    from conftest import demo_scenario

    from energysim import load_scenario
    from energysim.report.figures import event_week

    scenario = load_scenario(demo_scenario(tmp_path, "2025-07-01", "2025-08-31", "1h"))
    with_events = SimpleNamespace(vpp_events=pd.DataFrame({"event": ["jul22_evening"]}))
    assert event_week(scenario, with_events) == pd.Timestamp("2025-07-21")
    assert event_week(scenario, SimpleNamespace(vpp_events=None)) is None


def test_a_cjk_font_installed_after_the_font_cache_is_found(monkeypatch):
    """Where matplotlib's cache lists no CJK font, the system's fonts are scanned once more
    before falling back, and the note says how to refresh the cache."""
    installed = [frozenset({"DejaVu Sans"})]
    scans = []

    def rescan():
        scans.append(1)
        installed[0] = installed[0] | {"Noto Sans CJK SC"}  # the font apt installed meanwhile
        return True

    monkeypatch.setattr(fonts, "_installed", lambda: installed[0])
    monkeypatch.setattr(fonts, "_rescan", rescan)
    fonts.cjk_family.cache_clear()
    try:
        assert fonts.cjk_family() == "Noto Sans CJK SC" and scans == [1]
    finally:
        fonts.cjk_family.cache_clear()
    assert "rm -rf ~/.cache/matplotlib" in fonts.NO_CJK_NOTE
