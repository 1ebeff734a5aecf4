"""report.html: its sections in both languages, embedded figures and nothing fetched, findings
that state the numbers of the run, a run without its baseline, atomic writing."""

from __future__ import annotations

import base64
import dataclasses
import re
from importlib.resources import files

import pandas as pd
import pytest
from markupsafe import escape
from matplotlib.figure import Figure

import energysim.files as atomic
from energysim.analysis.decomposition import decompose
from energysim.analysis.green import compliance_table, green_table
from energysim.analysis.savings import compare
from energysim.report.findings import headline_findings
from energysim.report.html import write_html
from energysim.report.labels import LANGS, label

SECTIONS = ["run", "findings", "savings", "decomposition", "costs", "indicators", "green",
            "economics", "park", "vpp", "figures", "notes"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def figures_dir(tmp_path_factory):
    """Three small PNGs named as `energysim.report.figures` names them."""
    folder = tmp_path_factory.mktemp("figures")
    for name in ("savings", "dispatch_baseline_materials", "waterfall_midday_valley"):
        fig = Figure(figsize=(2, 1.5))
        fig.subplots().plot([0, 1, 2], [1, 0, 1])
        fig.savefig(folder / f"{name}.png", dpi=30)
    return folder


@pytest.fixture(scope="module")
def reports(demo_week, figures_dir, tmp_path_factory):
    """The demo week's report in each language: lang → text."""
    scenario, results = demo_week
    folder = tmp_path_factory.mktemp("html")
    return {lang: write_html(scenario, results, folder / f"report_{lang}.html", lang=lang,
                             figures_dir=figures_dir).read_text(encoding="utf-8")
            for lang in LANGS}


def section(text: str, name: str) -> str:
    """The HTML of ``<section id=name>``."""
    match = re.search(rf'<section id="{name}"[^>]*>(.*?)</section>', text, re.S)
    assert match, f"no section {name}"
    return match.group(1)


def park_savings(results, baseline: str) -> pd.Series:
    savings = compare(results, baseline)
    return savings.groupby("case", sort=False)["savings_cny"].sum().drop(baseline)


# the document ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_every_section_is_present(reports, lang):
    text = reports[lang]
    missing = [s for s in SECTIONS if f'<section id="{s}"' not in text]
    assert not missing, f"{lang}: missing sections {missing}"


def test_figures_are_embedded_and_nothing_is_fetched(reports, figures_dir):
    for lang, text in reports.items():
        for png in figures_dir.glob("*.png"):
            encoded = base64.b64encode(png.read_bytes()).decode("ascii")
            assert f'src="data:image/png;base64,{encoded}"' in text, f"{lang}: {png.name}"
        assert text.count("data:image/png;base64,") == 3
        sources = re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', text)
        assert all(s.startswith("data:") for s in sources), sources
        assert not re.search(r'(?:src|href)\s*=\s*"?https?:', text)
        assert "<script" not in text and "<link" not in text
        assert "@import" not in text and "url(" not in text
        assert "@media print" in text and '"Noto Sans CJK SC"' in text
    figures = section(reports["zh"], "figures")
    assert label("figure_savings", "zh") in figures
    assert label("figure_dispatch", "zh").format(case="baseline", enterprise="materials") in figures
    assert label("figure_waterfall", "zh").format(case="midday_valley") in figures
    assert figures.index(label("figure_savings", "zh")) < figures.index("dispatch_baseline")


def test_chinese_report_is_in_chinese(reports):
    zh, en = reports["zh"], reports["en"]
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    headings = re.findall(r"<h2>(.*?)</h2>", zh)
    assert len(headings) == len(SECTIONS)
    assert all(CJK.search(h) for h in headings), headings
    for key in ("findings", "savings", "decomposition", "notes"):
        assert f"<h2>{label(key, 'zh')}</h2>" in zh
        assert f"<h2>{label(key, 'en')}</h2>" in en
    assert label("winner", "zh") in section(zh, "decomposition")


def test_tables_carry_units_and_thousands_separators(demo_week, reports):
    scenario, results = demo_week
    total = results[scenario.baseline_case].total_cost_cny
    assert f">{total:,.0f}<" in section(reports["en"], "run")
    assert label("savings_cny", "zh") in section(reports["zh"], "savings")
    assert label("peak_import_kw", "en") in section(reports["en"], "indicators")
    savings = section(reports["en"], "savings")
    best = park_savings(results, scenario.baseline_case).max()
    assert f'<td class="num good">{best:,.0f}</td>' in savings


AUTO_PARTS = "汽车零部件厂（两班制）"
"""The demo's name of enterprise auto_parts (scenarios/chongqing_demo_park.yaml)."""
DESCRIPTIONS = {"midday_valley": "Proposal B (valley 11-15, evening peak), no PV or storage "
                                 "(tariff effect only)",
                "baseline": "Today's tariff, no PV or storage"}
"""The demo's descriptions of two cases."""


def header_rows(table_html: str) -> list[list[str]]:
    """The texts of the header cells of one table, row by row."""
    head = re.search(r"<thead>(.*?)</thead>", table_html, re.S).group(1)
    return [re.findall(r"<th[^>]*>(.*?)</th>", row) for row in re.findall(r"<tr>(.*?)</tr>", head)]


def beside(identifier: str, name: str) -> str:
    """A cell holding ``identifier`` and, right after it, the cell of its display name."""
    return f'<td>{escape(identifier)}</td><td class="name">{escape(name)}</td>'


@pytest.mark.parametrize("lang", LANGS)
def test_savings_table_shows_names_under_the_ids(reports, lang):
    ids, names, quantities = header_rows(section(reports[lang], "savings"))
    assert ids[:2] == [label("case", lang), label("case_description", lang)]
    scopes = ids[2:]
    assert scopes == ["materials", "electronics", "auto_parts", "cold_store", label("park", lang)]
    assert names[scopes.index("auto_parts")] == AUTO_PARTS
    assert names[-1] == label("park_total", lang)
    assert len(quantities) == 2 * len(scopes)
    assert beside("midday_valley", DESCRIPTIONS["midday_valley"]) in section(reports[lang], "savings")


def test_zh_tables_show_descriptions_and_names_beside_the_ids(reports):
    zh = reports["zh"]
    for name, case in (("decomposition", "midday_valley"), ("costs", "baseline"),
                       ("indicators", "baseline")):
        text = section(zh, name)
        assert beside(case, DESCRIPTIONS[case]) in text, name
        assert label("case_description", "zh") in header_rows(text)[0], name
    decomposition = section(zh, "decomposition")
    assert beside("auto_parts", AUTO_PARTS) in decomposition
    assert "企业名称" in decomposition
    green = section(zh, "green")
    assert beside("electronics", "电子装配厂（单班制）") in green


def test_unknown_language_is_refused(demo_week, tmp_path):
    scenario, results = demo_week
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        write_html(scenario, results, tmp_path / "report.html", lang="fr")
    assert not list(tmp_path.iterdir())


def test_template_ships_inside_the_package():
    assert (files("energysim.report") / "templates" / "report.html.j2").is_file()


# findings ----------------------------------------------------------------------------------

def test_best_case_finding_states_its_savings(demo_week, reports):
    scenario, results = demo_week
    base = results[scenario.baseline_case].total_cost_cny  # the platform's row included
    park = pd.Series({c: base - r.total_cost_cny for c, r in results.items()
                      if c != scenario.baseline_case})
    park = park.drop(scenario.sizing["case"].unique())  # sizing cases: weighed by economics
    best, saved = park.idxmax(), park.max()
    share = saved / results[scenario.baseline_case].total_cost_cny
    assert saved > 0
    en = headline_findings(scenario, results, "en")[0]
    assert f"'{best}'" in en and f"CNY {saved:,.0f} ({share:.1%})" in en, en
    zh = headline_findings(scenario, results, "zh")[0]
    assert f"“{best}”" in zh and f"{saved / 1e4:,.2f}万元（{share:.1%}）" in zh, zh
    assert str(escape(en)) in section(reports["en"], "findings")
    assert str(escape(zh)) in section(reports["zh"], "findings")


def test_tariff_only_findings_name_winners_and_losers(demo_week):
    scenario, results = demo_week
    base = scenario.baseline_case
    parts = decompose(scenario, results, base)
    sentences = [s for s in headline_findings(scenario, results, "en") if s.startswith("Tariff only")]
    tariff_only = [c for c in results if c != base and not scenario.case(c).assets
                   and scenario.case(c).tariff != scenario.case(base).tariff]
    assert len(sentences) == len(tariff_only) >= 1
    for case, sentence in zip(tariff_only, sentences, strict=True):
        assert f"'{case}'" in sentence
        for row in parts[parts["case"] == case].itertuples():
            change = row.cost_cny - row.reference_cost_cny
            if row.outcome != "unchanged":
                assert f"{row.enterprise} CNY {abs(change):,.0f}" in sentence, sentence
        losers = (parts[parts["case"] == case]["outcome"] == "loser").sum()
        assert ("none pays more" in sentence) == (losers == 0)


def test_decomposition_finding_adds_up(demo_week):
    scenario, results = demo_week
    sentence = next(s for s in headline_findings(scenario, results, "en")
                    if "tariff effect" in s)
    case = re.search(r"(?:saves in|^In) '([^']+)'", sentence).group(1)
    parts = decompose(scenario, results, scenario.baseline_case)
    parts = parts[parts["case"] == case]
    tariff, response = parts["tariff_effect_cny"].sum(), parts["response_effect_cny"].sum()
    assert tariff + response == pytest.approx(-park_savings(results, scenario.baseline_case)[case])
    assert f"CNY {abs(tariff):,.0f}" in sentence and f"CNY {abs(response):,.0f}" in sentence


def test_green_findings_state_share_co2_factor_and_misses(demo_week):
    scenario, results = demo_week
    green, rules = green_table(scenario, results), compliance_table(scenario, results)
    sentences = {s.split("'")[1]: s for s in headline_findings(scenario, results, "en")
                 if "direct-supply project" in s}
    assert set(sentences) == set(green["case"])
    for row in green.itertuples():
        sentence = sentences[row.case]
        assert f"{row.green_share_of_consumption:.1%}" in sentence
        assert f"{row.co2_avoided_t:,.1f} t CO2" in sentence
        assert scenario.spec.carbon.describe() in sentence
        assert ("does not comply" in sentence) == (not row.compliant)
        for miss in rules[(rules["case"] == row.case) & ~rules["compliant"]].itertuples():
            assert f"by {abs(miss.margin_share) * 100:.1f} points ({abs(miss.margin_kwh):,.0f} kWh)" \
                in sentence, sentence
    zh = [s for s in headline_findings(scenario, results, "zh") if "绿电直连项目" in s]
    assert len(zh) == len(sentences) and any("不符合" in s for s in zh)


def test_vpp_finding_with_and_without_events(demo_week, tmp_path):
    scenario, results = demo_week
    case = next(c for c, r in results.items() if r.vpp_events is not None)
    idle = [s for s in headline_findings(scenario, results, "en") if "VPP" in s]
    assert len(idle) == 1 and f"'{case}'" in idle[0]
    assert (results[case].vpp_events.empty) == ("no response event" in idle[0])
    events = pd.DataFrame([("jul09", "park", 5000.0, 2000.0, 2000.0, 2400.0, 6000.0, 400.0)],
                          columns=results[case].vpp_events.columns)
    busy = {**results, case: dataclasses.replace(results[case], vpp_events=events)}
    sentence = next(s for s in headline_findings(scenario, busy, "en") if "VPP" in s)
    assert "2,000 kWh delivered in 1 event (2,400 kWh requested)" in sentence, sentence
    zh = next(s for s in headline_findings(scenario, busy, "zh") if "虚拟电厂" in s)
    assert "1次响应事件实际响应2,000千瓦时（邀约2,400千瓦时）" in zh, zh
    text = write_html(scenario, busy, tmp_path / "report.html").read_text(encoding="utf-8")
    assert "jul09" in section(text, "vpp") and ">6,000<" in section(text, "vpp")


def test_without_baseline_savings_findings_are_left_out(demo_week, tmp_path):
    scenario, results = demo_week
    rest = {c: r for c, r in results.items() if c != scenario.baseline_case}
    for lang in LANGS:
        sentences = headline_findings(scenario, rest, lang)
        assert sentences, lang  # green supply and VPP need no baseline
        assert not [s for s in sentences if "saves the park" in s or "Tariff only" in s
                    or "节省最多" in s or "仅电价变化" in s]
    text = write_html(scenario, rest, tmp_path / "report.html", lang="zh").read_text(encoding="utf-8")
    note = label("no_baseline", "zh").format(case=scenario.baseline_case)
    assert note in section(text, "savings") and note in section(text, "decomposition")
    assert '<section id="figures"' not in text  # no figures folder given


# writing -----------------------------------------------------------------------------------

def test_written_atomically(demo_week, tmp_path, monkeypatch):
    scenario, results = demo_week
    small = {c: results[c] for c in (scenario.baseline_case, "midday_valley")}
    path = write_html(scenario, small, tmp_path / "out" / "report.html")
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]
    before = path.read_bytes()

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_html(scenario, small, path, lang="zh")
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir()] == ["report.html"]


def test_only_the_baseline_and_best_dispatch_weeks_are_embedded(demo_week, tmp_path):
    from energysim.report.findings import best_case

    scenario, results = demo_week
    best = best_case(scenario, results)
    other = next(c for c in results if c not in (best, scenario.baseline_case))
    for name in (f"dispatch_{best}_materials", f"dispatch_{other}_materials"):
        fig = Figure(figsize=(2, 1.5))
        fig.subplots().plot([0, 1], [1, 0])
        fig.savefig(tmp_path / f"{name}.png", dpi=30)
    text = write_html(scenario, results, tmp_path / "r.html", figures_dir=tmp_path).read_text(
        encoding="utf-8")
    assert f"dispatch_{best}_materials.png" in text
    assert f"dispatch_{other}_materials.png" not in text
