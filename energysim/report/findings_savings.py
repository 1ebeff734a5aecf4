"""Findings on what the cases save the park: the best case against the baseline, who wins
and who loses under a new tariff alone, the split of a saving into tariff and response
effects, and the park's midday, evening-peak and peak imports (`energysim.report.findings`).
"""

from __future__ import annotations

import pandas as pd

from energysim.report.findings_text import _case, _enterprise, _move, _t, cny, kw, kwh, pct
from energysim.report.labels import label
from energysim.results import CaseResult
from energysim.scenario import Scenario
from energysim.schema import window_mask


def _park_totals(results: dict[str, CaseResult]) -> pd.Series:
    return pd.Series({c: r.total_cost_cny for c, r in results.items()})


def best_case(scenario: Scenario, results: dict[str, CaseResult]) -> str | None:
    """The case other than the baseline with the lowest park cost, sizing cases left out
    (their bills buy larger assets: `energysim.report.findings_economics` weighs them);
    None without the baseline or another case."""
    base = scenario.baseline_case
    sized = [] if scenario.sizing is None else list(scenario.sizing["case"].unique())
    totals = _park_totals(results).drop([base, *sized], errors="ignore")
    return None if base not in results or totals.empty else str(totals.idxmin())


def _best_case(scenario, results, lang, analysis) -> list[str]:
    case = best_case(scenario, results)
    if case is None:
        return []
    before, after = results[scenario.baseline_case].total_cost_cny, results[case].total_cost_cny
    saved, n = before - after, len(results) - 1
    share = saved / before if before else float("nan")
    base = _case(scenario.baseline_case, lang)
    if saved <= 0:
        return [_t("best_none", lang, base=base, case=_case(case, lang), amount=cny(saved, lang),
                   pct=pct(share))]
    return [_t("best" if n > 1 else "best_one", lang, n=n, base=base, case=_case(case, lang),
               amount=cny(saved, lang), pct=pct(share), before=cny(before, lang),
               after=cny(after, lang))]


def _new_tariff(scenario: Scenario, case: str) -> bool:
    """Whether some enterprise pays another tariff under ``case`` than in the baseline."""
    base = scenario.baseline_case
    return any(scenario.tariff_for(case, e) is not scenario.tariff_for(base, e)
               for e in scenario.enterprises)


def _tariff_only(scenario, results, lang, analysis) -> list[str]:
    base = scenario.baseline_case
    cases = [c for c in results if c != base and not scenario.case(c).assets
             and _new_tariff(scenario, c)] if base in results else []
    if not cases:
        return []
    parts = analysis.of_cases(analysis.decomposition, cases)
    sentences = []
    for case in cases:
        rows = parts[parts["case"] == case].assign(
            change=lambda f: f["cost_cny"] - f["reference_cost_cny"])
        groups = {kind: _group(scenario, rows[rows["outcome"] == kind], kind, lang)
                  for kind in ("winner", "loser")}
        change, before = rows["change"].sum(), rows["reference_cost_cny"].sum()
        key = scenario.case(case).tariff
        tariff = (label("tariff_per_enterprise", lang) if key is None
                  else f"“{scenario.tariffs[key].name}”" if lang == "zh" else key)
        sentences.append(_t(
            "tariff", lang, case=_case(case, lang), tariff=tariff,
            amount=cny(change, lang), direction=_t("less" if change < 0 else "more", lang),
            pct=pct(change / before if before else float("nan")),
            winners=groups["winner"], losers=groups["loser"]))
    return sentences


def _held(scenario, results, lang, analysis) -> list[str]:
    """Who wins and who loses under a new tariff with assets, if they keep their reference's
    dispatch and after re-optimising (only where the reference is not the baseline)."""
    base = scenario.baseline_case
    if base not in results or analysis.decomposition is None:
        return []
    parts = analysis.decomposition
    sentences = []
    for case in (c for c in results if c != base and scenario.case(c).assets
                 and _new_tariff(scenario, c)):
        rows = parts[parts["case"] == case]
        if rows.empty or rows["reference_case"].iloc[0] == base:
            continue
        held = rows.assign(change=rows["tariff_effect_cny"])
        after = rows.assign(change=rows["cost_cny"] - rows["reference_cost_cny"])
        groups = {}
        for key, frame, column in (("", held, "outcome_if_held"), ("_after", after, "outcome")):
            for kind in ("winner", "loser"):
                groups[f"{kind}s{key}"] = _group(scenario, frame[frame[column] == kind], kind,
                                                 lang)
        sentences.append(_t("held", lang, case=_case(case, lang),
                            reference=_case(rows["reference_case"].iloc[0], lang), **groups))
    return sentences


def _group(scenario, chosen: pd.DataFrame, kind: str, lang: str) -> str:
    """"n enterprises pay less: a 1.2 万元 (3 %), ..." for the rows of ``chosen``."""
    if chosen.empty:
        return _t(f"no_{kind}", lang)
    chosen = chosen.sort_values("change", key=abs, ascending=False)
    items = label("list_separator", lang).join(
        _t("item", lang, name=_enterprise(scenario, r.enterprise, lang),
           direction=_t("less" if kind == "winner" else "more", lang),
           amount=cny(r.change, lang), pct=pct(r.change / r.reference_cost_cny))
        for r in chosen.itertuples())
    return _t(f"{kind}s_one" if len(chosen) == 1 else f"{kind}s", lang, n=len(chosen),
              items=items)


def _split(scenario, results, lang, analysis) -> list[str]:
    """Tariff and response effects of the best case that changes both the tariff and assets
    and is decomposed against the baseline (else of the best case)."""
    base = scenario.baseline_case
    if best_case(scenario, results) is None:
        return []
    both = [c for c in results if c != base and scenario.case(c).assets and _new_tariff(scenario, c)
            and scenario.reference_case(c, results) == base]
    totals = _park_totals(results)
    case = str(totals[both].idxmin()) if both else best_case(scenario, results)
    parts = analysis.of_cases(analysis.decomposition, [case])
    tariff, response = parts["tariff_effect_cny"].sum(), parts["response_effect_cny"].sum()
    total, small = tariff + response, 1e-6 * max(results[base].total_cost_cny, 1.0)
    if abs(tariff) <= small or abs(response) <= small:
        return []  # all from one effect: the other findings say so
    if total < 0 and tariff <= 0 and response <= 0 and scenario.reference_case(case, results) == base:
        return [_t("split", lang, case=_case(case, lang), amount=cny(total, lang),
                   tariff=cny(tariff, lang), tariff_pct=pct(tariff / total),
                   response=cny(response, lang), response_pct=pct(response / total))]

    def signed(value: float) -> str:
        return ("+" if value >= 0 else "−") + cny(value, lang)

    return [_t("split_signed", lang, case=_case(case, lang), tariff=signed(tariff),
               response=signed(response))]


def _park_imports(scenario, results, lang, analysis) -> list[str]:
    case = best_case(scenario, results)
    if case is None:
        return []
    table = analysis.of_cases(analysis.indicators, (scenario.baseline_case, case))
    park = table[table["scope"] == "park"].set_index("case")
    before, after = park.loc[scenario.baseline_case], park.loc[case]
    spec = scenario.spec.indicators
    return [_t("imports", lang, case=_case(case, lang), midday=spec.midday_window,
               evening=spec.evening_window,
               m_move=_move(before["midday_import_kwh"], after["midday_import_kwh"], kwh, lang),
               e_move=_move(before["evening_peak_import_kwh"], after["evening_peak_import_kwh"],
                            kwh, lang),
               p_move=_move(before["peak_import_kw"], after["peak_import_kw"], kw, lang))]


def _grid_company(scenario, results, lang, analysis) -> list[str]:
    """What each new-tariff case costs the grid company, and where the park's coincident peak
    and its curtailed PV go, against the baseline."""
    base = scenario.baseline_case
    cases = [c for c in results if c != base and _new_tariff(scenario, c)] if base in results \
        else []
    if not cases:
        return []
    park = analysis.indicators[analysis.indicators["scope"] == "park"].set_index("case")
    before = park.loc[base]
    items = []
    for case in cases:
        row = park.loc[case]
        change = row["grid_revenue_change_vs_reference_cny"]
        if abs(change) <= 1e-6 * max(abs(before["grid_revenue_cny"]), 1.0):
            change = 0.0  # revenue-neutral: the LP's rounding is no change
        reference = scenario.reference_case(case, results)
        was = park.loc[reference, "grid_revenue_cny"]
        items.append(_t("grid_item", lang, case=_case(case, lang),
                        reference=_case(reference, lang),
                        amount=("+" if change >= 0 else "−") + cny(change, lang),
                        pct=pct(change / was, signed=True) if was else "–",
                        peak=kw(row["peak_import_kw"], lang), month=row["peak_month"],
                        curtailed=kwh(row["pv_curtailed_kwh"], lang)))
    return [_t("grid", lang, base=_case(base, lang), revenue=cny(before["grid_revenue_cny"], lang),
               peak=kw(before["peak_import_kw"], lang), month=before["peak_month"],
               items=label("list_separator", lang).join(items))]


def _neutral(scenario, results, lang, analysis) -> list[str]:
    """Under a calibrated tariff with behaviour unchanged, who wins and who loses and why:
    each enterprise's midday share of its load against the park's."""
    base = scenario.baseline_case
    calibrated = {c.tariff: c for c in scenario.calibrations}
    cases = [c for c in results if c != base and not scenario.case(c).assets
             and scenario.case(c).tariff in calibrated] if base in results else []
    if not cases:
        return []
    midday = window_mask(scenario.index, [scenario.spec.indicators.midday_window])
    share = {e: load[midday].sum() / load.sum() if load.sum() else float("nan")
             for e, load in scenario.load_kw.items()}
    park = sum(load[midday].sum() for load in scenario.load_kw.values()) / sum(
        load.sum() for load in scenario.load_kw.values())
    sentences = []
    for case in cases:
        calibration = calibrated[scenario.case(case).tariff]
        rows = analysis.decomposition[analysis.decomposition["case"] == case]
        groups, shares = {}, {}
        for kind in ("winner", "loser"):
            chosen = rows[rows["outcome"] == kind]
            shares[kind] = [share[e] for e in chosen["enterprise"]]
            groups[kind] = label("list_separator", lang).join(
                _t("share_item", lang, name=_enterprise(scenario, r.enterprise, lang),
                   share=pct(share[r.enterprise])) for r in chosen.itertuples()) \
                or _t(f"no_{kind}", lang)
        # the midday share explains the outcome only where every winner draws more of its
        # load at midday than every loser
        why = bool(shares["winner"]) and bool(shares["loser"]) and \
            min(shares["winner"]) > max(shares["loser"])
        sentences.append(_t(
            "neutral", lang, case=_case(case, lang),
            aim=_t("aim_cut" if calibration.spec.cut_pct else "aim_neutral", lang,
                   reference=calibration.spec.revenue_neutral_to,
                   cut=f"{calibration.spec.cut_pct:g}"),
            solved=calibration.solved(lang), window=scenario.spec.indicators.midday_window,
            park=pct(park), winners=groups["winner"], losers=groups["loser"],
            why=_t("neutral_why", lang) if why else ""))
    return sentences
