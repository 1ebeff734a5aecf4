"""The Excel workbook: its sheets in both languages, figures equal to the results, formats."""

from __future__ import annotations

import dataclasses
import re

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from energysim.analysis.decomposition import decompose
from energysim.analysis.green import compliance_table, green_table
from energysim.analysis.savings import compare
from energysim.report.excel_format import BAD_FILL, GOOD_FILL, display_width
from energysim.report.labels import LABELS, LANGS, label, with_unit
from energysim.report.names import NAME_COLUMNS, display_name
from energysim.report.tariff_views import BAND_COLOURS
from energysim.report.workbook import daily_energy, used_tariffs, write_workbook

SHEETS = ["summary", "savings", "decomposition", "costs", "indicators", "green_direct",
          "green_compliance", "economics", "sizing", "cashflows", "park", "park_allocation",
          "economics_findings", "tariffs",
          "daily_energy"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def books(demo_week, tmp_path_factory):
    """The demo week's workbook in each language: lang → path."""
    scenario, results = demo_week
    folder = tmp_path_factory.mktemp("workbook")
    return {lang: write_workbook(scenario, results, folder / f"report_{lang}.xlsx", lang=lang)
            for lang in LANGS}


def column_of(ws, header: str) -> int:
    """The column (1-based) of ``ws`` whose header is ``header``."""
    return [cell.value for cell in ws[1]].index(header) + 1


def row_of(frame: pd.DataFrame, **match) -> pd.Series:
    """The one row of ``frame`` whose columns (given by header) equal ``match``."""
    selected = frame
    for column, value in match.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, f"{match}: {len(selected)} rows"
    return selected.iloc[0]


# labels ------------------------------------------------------------------------------------

def test_label_in_both_languages_falls_back_to_the_key():
    assert label("savings_cny", "zh") == "节省 [元]"
    assert label("savings_cny", "en") == "Savings [CNY]"
    assert label("deep_valley", "zh") == "深谷"
    assert label("winner", "zh") == "受益"
    assert label("no_such_key", "zh") == "no_such_key"
    assert with_unit("energy", "unit_cny", "zh") == "电量电费 [元]"
    assert all(len(words) == len(LANGS) for words in LABELS.values())


def test_unknown_language_is_refused(demo_week, tmp_path):
    scenario, results = demo_week
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        label("peak", "fr")
    with pytest.raises(ValueError, match="en, zh"):
        write_workbook(scenario, results, tmp_path / "report.xlsx", lang="fr")
    assert not list(tmp_path.iterdir())


def test_display_width_counts_cjk_double():
    assert display_width("peak") == 4
    assert display_width("高峰") == 4
    assert display_width("费用 [元]") == 9


# sheets and values -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_sheets_in_each_language(books, lang):
    sheets = pd.read_excel(books[lang], sheet_name=None)
    assert list(sheets) == [label(key, lang) for key in SHEETS]
    assert not [p.name for p in books[lang].parent.iterdir() if "partial" in p.name]


def test_summary_lists_cases_with_their_totals(demo_week, books):
    scenario, results = demo_week
    cells = [row for row in load_workbook(books["en"])["Summary"].iter_rows(values_only=True)]
    values = {row[0]: row[1] for row in cells}
    assert values["Baseline case"] == scenario.baseline_case
    assert values["Grid emission factor"] == scenario.spec.carbon.describe()
    header = cells.index(next(row for row in cells if row[0] == "Case"))
    table = pd.DataFrame(cells[header + 1: header + 1 + len(results)], columns=cells[header])
    for case, result in results.items():
        row = row_of(table, Case=case)
        assert row["Total cost [CNY]"] == pytest.approx(result.total_cost_cny, rel=1e-12)
        assert row["Status"] == "optimal"
    assert "Notes" in values


@pytest.mark.parametrize("lang", LANGS)
def test_savings_equal_compare(demo_week, books, lang):
    scenario, results = demo_week
    expected = row_of(compare(results, scenario.baseline_case), case="midday_valley",
                      enterprise="materials")
    sheet = pd.read_excel(books[lang], sheet_name=label("savings", lang))
    row = row_of(sheet, **{label("case", lang): "midday_valley", label("enterprise", lang): "materials"})
    assert row[label("savings_cny", lang)] == pytest.approx(expected["savings_cny"], rel=1e-12)
    assert row[label("savings_pct", lang)] == pytest.approx(expected["savings_pct"], rel=1e-12)
    assert row[label("outcome", lang)] == label("winner", lang)


def test_decomposition_adds_up(demo_week, books):
    scenario, results = demo_week
    sheet = pd.read_excel(books["en"], sheet_name="Decomposition")
    expected = decompose(scenario, results, scenario.baseline_case)
    assert len(sheet) == len(expected)
    assert sheet["Tariff effect [CNY]"].to_numpy() == pytest.approx(
        expected["tariff_effect_cny"].to_numpy(), rel=1e-9, abs=1e-6)
    total = sheet["Reference cost [CNY]"] + sheet["Tariff effect [CNY]"] + sheet["Response effect [CNY]"]
    assert total.to_numpy() == pytest.approx(sheet["Cost [CNY]"].to_numpy(), rel=1e-9)


@pytest.mark.parametrize("lang", LANGS)
def test_monthly_costs_equal_the_results(demo_week, books, lang):
    _, results = demo_week
    case, enterprise = "current_pv_storage", "electronics"
    costs = results[case].costs.query("enterprise == @enterprise")
    month = costs["month"].iloc[0]
    sheet = pd.read_excel(books[lang], sheet_name=label("costs", lang))
    row = row_of(sheet, **{label("case", lang): case, label("enterprise", lang): enterprise,
                           label("month", lang): month})
    energy = costs.query("component == 'energy' and month == @month")["cost_cny"].sum()
    assert row[with_unit("energy", "unit_cny", lang)] == pytest.approx(energy, rel=1e-12)
    total = costs.query("month == @month")["cost_cny"].sum()
    assert row[with_unit("total", "unit_cny", lang)] == pytest.approx(total, rel=1e-12)
    assert len(sheet) == sum(r.costs.groupby(["enterprise", "month"]).ngroups for r in results.values())


def test_indicators_sheet_has_park_rows(demo_week, books):
    _, results = demo_week
    sheet = pd.read_excel(books["zh"], sheet_name="园区指标")
    park = row_of(sheet, 方案="baseline", 范围="园区")
    assert park["总费用 [元]"] == pytest.approx(results["baseline"].total_cost_cny, rel=1e-12)


# display names -----------------------------------------------------------------------------

AUTO_PARTS = "汽车零部件厂（两班制）"
"""The demo's name of enterprise auto_parts (scenarios/chongqing_demo_park.yaml)."""
MIDDAY_VALLEY = "Proposal B (valley 11-15, evening peak), no PV or storage (tariff effect only)"
"""The demo's description of case midday_valley."""


def test_zh_savings_and_indicators_show_names_beside_the_ids(books):
    sheets = pd.read_excel(books["zh"], sheet_name=None)
    savings = sheets["节省"]
    assert list(savings.columns[:4]) == ["方案", "方案说明", "企业", "企业名称"]
    row = row_of(savings, 方案="midday_valley", 企业="auto_parts")
    assert row["企业名称"] == AUTO_PARTS and row["方案说明"] == MIDDAY_VALLEY
    indicators = sheets["园区指标"]
    assert list(indicators.columns[:4]) == ["方案", "方案说明", "范围", "名称"]
    assert row_of(indicators, 方案="midday_valley", 范围="auto_parts")["名称"] == AUTO_PARTS
    park = row_of(indicators, 方案="midday_valley", 范围="园区")
    assert park["名称"] == "园区合计" and park["方案说明"] == MIDDAY_VALLEY
    costs = sheets["月度费用"]
    assert list(costs.columns[:5]) == ["方案", "方案说明", "企业", "企业名称", "月份"]
    assert set(costs.loc[costs["企业"] == "auto_parts", "企业名称"]) == {AUTO_PARTS}


@pytest.mark.parametrize("lang", LANGS)
def test_every_id_column_is_followed_by_its_names(demo_week, books, lang):
    """In both languages, every sheet with a case, enterprise or scope column has the
    display names right after it, row by row the scenario's (the park's: its total)."""
    scenario, _ = demo_week
    park = label("park", lang)
    checked = set()
    for title, sheet in pd.read_excel(books[lang], sheet_name=None).items():
        headers = list(sheet.columns)
        for key, names in NAME_COLUMNS.items():
            if label(key, lang) not in headers or title == label("summary", lang):
                continue
            at = headers.index(label(key, lang))
            assert headers[at + 1] == label(names, lang), (title, headers)
            for value, name in zip(sheet.iloc[:, at], sheet.iloc[:, at + 1], strict=True):
                expected = display_name(scenario, key, "park" if value == park else value, lang)
                assert name == expected, (title, value, name)
            checked.add(title)
    assert checked == {label(k, lang) for k in SHEETS
                       if k not in ("summary", "tariffs", "economics_findings")}


def test_display_names_leave_the_tables_unchanged(demo_week, tmp_path):
    """The analysis tables (which the CSV files are written from) keep their ids only."""
    from energysim.analysis.bundle import analyse

    scenario, results = demo_week
    small = {c: results[c] for c in (scenario.baseline_case, "midday_valley")}
    analysis = analyse(scenario, small)
    before = analysis.savings.copy()
    write_workbook(scenario, small, tmp_path / "report.xlsx", lang="zh", analysis=analysis)
    pd.testing.assert_frame_equal(analysis.savings, before)
    assert "enterprise_name" not in analysis.savings and "case_description" not in analysis.savings


def test_daily_energy_sums_the_time_series(demo_week, books):
    scenario, results = demo_week
    sheet = pd.read_excel(books["en"], sheet_name="Daily energy")
    ts = results["current_pv_storage"].timeseries
    day = ts.loc["2025-07-09", "materials/grid_import_kw"].sum() * scenario.dt_h
    row = row_of(sheet, Case="current_pv_storage", Date=pd.Timestamp("2025-07-09"),
                 Enterprise="materials")
    assert row["Grid import [kWh]"] == pytest.approx(day, rel=1e-12)
    assert len(sheet) == len(results) * len(scenario.enterprises) * 7
    assert sheet["PV delivered [kWh]"].max() > 0


def test_daily_energy_leaves_out_quantities_that_are_zero(demo_week):
    scenario, results = demo_week
    table = daily_energy(scenario, {"baseline": results["baseline"]})
    assert list(table.columns) == ["case", "date", "enterprise", "load_kwh", "grid_import_kwh"]


# tariff grids ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_tariff_grids_show_the_bands(demo_week, books, lang):
    scenario, results = demo_week
    tariffs = used_tariffs(scenario, results)
    assert list(tariffs) == list(scenario.tariffs)
    ws = load_workbook(books[lang])[label("tariffs", lang)]
    first = next(iter(tariffs.values()))
    grid = first.band_grid("working", 60)
    assert [c.value for c in ws[1]][:3] == [label("month", lang), "00:00", "01:00"]
    assert str(ws["A2"].value).startswith(f"{next(iter(tariffs))}: {first.name}")
    for month in (1, 7):
        row = [c.value for c in ws[2 + month]]
        assert row[0] == month
        assert row[1:25] == [label(b, lang) for b in grid.loc[month]]
    hour = list(grid.loc[7]).index("peak")
    colour = ws.cell(2 + 7, 2 + hour).fill.fgColor.rgb
    assert colour[-6:].upper() == BAND_COLOURS["peak"].lstrip("#").upper()
    groups = scenario.tariffs["cq_mv_deep"].day_groups()
    titles = [c.value for c in ws["A"] if str(c.value).startswith("cq_mv_deep:")]
    assert len(titles) == len(groups) == 2


# formats -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_headers_frozen_and_formatted(books, lang):
    wb = load_workbook(books[lang])
    assert all(ws.freeze_panes for ws in wb.worksheets), [ws.title for ws in wb.worksheets]
    savings = wb[label("savings", lang)]
    assert savings.freeze_panes == "E2"  # case, its description, enterprise, its name
    assert savings.cell(2, column_of(savings, label("savings_cny", lang))).number_format == "#,##0.00"
    daily = wb[label("daily_energy", lang)]
    assert daily.freeze_panes == "F2"  # case, description, date, enterprise, name
    assert daily["C2"].number_format == "yyyy-mm-dd"
    assert daily["F2"].number_format == "#,##0"
    for ws in (savings, daily):
        for cell in ws[1]:
            assert ws.column_dimensions[cell.column_letter].width >= min(
                display_width(cell.value), 28), cell.value


def test_zh_headers_are_chinese(books):
    wb = load_workbook(books["zh"])
    assert all(CJK.search(ws.title) for ws in wb.worksheets)
    for ws in wb.worksheets:
        headers = [c.value for c in ws[1] if c.value is not None]
        if ws.title == label("tariffs", "zh"):
            headers = headers[:1]  # the rest are times of day
        assert headers and all(CJK.search(h) for h in headers), (ws.title, headers)


def test_winners_green_losers_red(demo_week, books, tmp_path):
    """In the demo week every enterprise wins; swapping the baseline's results with a cheaper
    case's makes every enterprise a loser."""
    scenario, results = demo_week
    ws = load_workbook(books["zh"])["节省"]
    saved, share, result = (column_of(ws, label(k, "zh"))
                            for k in ("savings_cny", "savings_pct", "outcome"))
    winners = [r for r in range(2, ws.max_row + 1) if ws.cell(r, result).value == "受益"]
    assert winners and all(ws.cell(r, saved).value > 0 for r in winners)
    assert all(ws.cell(r, c).fill.fgColor.rgb == GOOD_FILL.fgColor.rgb
               for r in winners for c in (saved, share, result))
    assert all(ws.cell(r, c).fill.fill_type is None for r in winners for c in range(1, 5))
    swapped = {scenario.baseline_case: results["current_pv_storage"],
               "current_pv_storage": results[scenario.baseline_case]}
    path = write_workbook(scenario, swapped, tmp_path / "report.xlsx")
    ws = load_workbook(path)["Decomposition"]
    result = column_of(ws, "Outcome")
    assert {ws.cell(r, result).value for r in range(2, ws.max_row + 1)} == {"loser"}
    assert ws.cell(2, result).fill.fgColor.rgb == BAD_FILL.fgColor.rgb
    savings = load_workbook(path)["Savings"]
    saved, result = column_of(savings, "Savings [CNY]"), column_of(savings, "Outcome")
    rows = list(savings.iter_rows(min_row=2, values_only=True))
    losers = [i for i, row in enumerate(rows, start=2) if row[result - 1] == "loser"]
    assert losers and all(rows[i - 2][saved - 1] < 0 for i in losers)
    assert savings.cell(losers[0], saved).fill.fgColor.rgb == BAD_FILL.fgColor.rgb
    assert savings.cell(2, saved).fill.fill_type is None  # the baseline's own rows: unchanged


def test_vpp_and_green_sheets_where_present(demo_week, tmp_path):
    scenario, results = demo_week
    events = pd.DataFrame([("ev1", "materials", 1000.0, 400.0, 400.0, 500.0, 1200.0, 100.0),
                           ("ev1", "park", 1000.0, 400.0, 400.0, 500.0, 1200.0, 100.0)],
                          columns=["event", "enterprise", "baseline_kwh", "delivered_kwh",
                                   "paid_kwh", "requested_kwh", "revenue_cny", "penalty_cny"])
    case = "midday_valley_flex_vpp"
    with_events = {**results, case: dataclasses.replace(results[case], vpp_events=events)}
    path = write_workbook(scenario, with_events, tmp_path / "report.xlsx", lang="zh")
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"绿电直连", "绿电合规", "虚拟电厂事件"} <= set(sheets)
    vpp = sheets["虚拟电厂事件"]
    assert list(vpp["企业"]) == ["materials", "园区"]
    assert vpp["收益 [元]"].to_numpy() == pytest.approx([1200.0, 1200.0])
    expected = green_table(scenario, results)
    rules = sheets["绿电合规"]
    assert set(rules["规则"]) == {"自发自用比例", "占用电比例", "上网电量比例"}
    assert len(rules) == len(compliance_table(scenario, results))
    ws = load_workbook(path)["绿电直连"]
    header = [cell.value for cell in ws[1]]
    share = header.index(next(h for h in header if h.startswith("绿电占用电比例"))) + 1
    assert ws.cell(2, share).number_format == "0.0%"
    assert ws.cell(2, share).value == pytest.approx(
        expected["green_share_of_consumption"].iloc[0], rel=1e-9)
    mode = header.index(next(h for h in header if h.startswith("规则模式"))) + 1
    assert ws.cell(2, mode).value == "核查"


def test_failed_save_leaves_the_old_workbook(demo_week, tmp_path, monkeypatch):
    scenario, results = demo_week
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"old")

    def broken_save(self, filename):
        with open(filename, "wb") as f:
            f.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        write_workbook(scenario, {"baseline": results["baseline"]}, path)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_every_table_of_a_run_has_its_labels_and_columns():
    """A table in the registry has a sheet label in both languages and labels for every
    column it holds (so a new table is an entry plus its labels)."""
    from energysim.analysis.bundle import TABLES
    from energysim.analysis.savings import SAVINGS_COLUMNS
    from energysim.report.labels import LABELS

    assert [t.name for t in TABLES] == ["savings", "decomposition", "costs", "indicators",
                                        "green_direct", "green_compliance", "vpp_events",
                                        "economics", "sizing", "cashflows", "park",
                                        "park_allocation"]
    for table in TABLES:
        assert table.name in LABELS, table.name
        assert set(table.marked) <= set(LABELS), table.name
    assert TABLES[0].csv_columns == tuple(SAVINGS_COLUMNS)
    from energysim.analysis.economics import CASHFLOW_COLUMNS, COMPONENTS, ECONOMICS_COLUMNS
    from energysim.analysis.park import PARK_COLUMNS, SETTLEMENT_COSTS
    from energysim.analysis.park_sharing import ALLOCATION_COLUMNS
    from energysim.analysis.sizing import SIZING_COLUMNS

    for column in (*ECONOMICS_COLUMNS, *CASHFLOW_COLUMNS, *COMPONENTS, *SIZING_COLUMNS,
                   *PARK_COLUMNS, *ALLOCATION_COLUMNS, *SETTLEMENT_COSTS):
        assert column in LABELS, column


def test_economics_findings_sheet_holds_the_findings_and_figure(books):
    """The sentence of each enterprise's payback, and the figure of the cumulative
    discounted cash flows."""
    for lang, word, count in (("en", "pay back", 4), ("zh", "回收", 5)):  # zh: the plant too
        ws = load_workbook(books[lang])[label("economics_findings", lang)]
        texts = [c.value for c in ws["A"] if isinstance(c.value, str)]
        assert sum(word in t for t in texts) == count, lang
        assert len(ws._images) == 1, lang
