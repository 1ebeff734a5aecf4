"""Headline findings: sentences written from the numbers of a run, in English or Chinese.

Each finding is a function of the scenario and the results that returns sentences, or none
where its data is absent (no baseline run, no tariff-only case, no VPP, no green supply):

    best case       the case that saves the park most against the baseline [CNY, %]
    tariff only     for each case with no assets and another tariff: who wins, who loses
    decomposition   how much of a case's change is tariff effect and how much response
    park imports    midday and evening-peak import and peak import, baseline → best case
    VPP             capacity and event payments, energy delivered and requested
    green supply    green share, CO2 avoided (with the emission factor) and compliance
    investment      how soon each enterprise's assets pay back, today and under each tariff

Money is ``CNY 256,447`` in English and ``25.64 万元`` in Chinese (``元`` below 10,000);
energy is kWh (``万千瓦时`` in Chinese). Cases, tariffs and projects keep their keys in
English; Chinese sentences name enterprises, tariffs and projects by their display names.

This module puts the findings in order; they live in `energysim.report.findings_savings`
(best case, tariff only, decomposition, park imports), `energysim.report.findings_vpp`,
`energysim.report.findings_green` and `energysim.report.findings_economics`, their
templates and number formats in `energysim.report.findings_text`.
"""

from __future__ import annotations

from energysim.analysis.bundle import Analysis, analyse
from energysim.report.findings_economics import _economics
from energysim.report.findings_green import _green, emission_factor_text
from energysim.report.findings_park import _park
from energysim.report.findings_savings import (
    _best_case,
    _grid_company,
    _held,
    _neutral,
    _park_imports,
    _split,
    _tariff_only,
    best_case,
)
from energysim.report.findings_text import GREEN_DOCUMENT, TEMPLATES, cny, kw, kwh, pct
from energysim.report.findings_vpp import _vpp
from energysim.report.labels import check_lang
from energysim.results import CaseResult
from energysim.scenario import Scenario

__all__ = ["GREEN_DOCUMENT", "TEMPLATES", "best_case", "cny", "emission_factor_text",
           "headline_findings", "kw", "kwh", "pct"]


def headline_findings(scenario: Scenario, results: dict[str, CaseResult],
                      lang: str = "en", analysis: Analysis | None = None) -> list[str]:
    """Sentences stating the run's main results in ``lang`` (``en`` or ``zh``), from the run's
    tables (``analysis``, computed if not given); findings whose data is absent are left
    out."""
    check_lang(lang)
    analysis = analyse(scenario, results) if analysis is None else analysis
    sentences = []
    for finding in (_best_case, _tariff_only, _neutral, _held, _split, _park_imports,
                    _grid_company, _vpp, _green, _economics, _park):
        sentences += finding(scenario, results, lang, analysis)
    return sentences
