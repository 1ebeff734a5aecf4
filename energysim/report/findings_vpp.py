"""The VPP finding: per case with a VPP its capacity and event payments, the energy
delivered and requested, and its penalties (`energysim.report.findings`).
"""

from __future__ import annotations

from energysim.report.findings_text import _case, _t, cny, kwh


def _vpp(scenario, results, lang, analysis) -> list[str]:
    sentences = []
    for case, result in results.items():
        if result.vpp_events is None:
            continue
        by = result.costs.groupby("component")["cost_cny"].sum()
        capacity, energy = -by.get("vpp_capacity_revenue", 0.0), -by.get("vpp_energy_revenue", 0.0)
        penalty = by.get("vpp_penalty", 0.0)
        park = result.vpp_events[result.vpp_events["enterprise"] == "park"]
        if park.empty:
            sentences.append(_t("vpp_idle", lang, case=_case(case, lang), capacity=cny(capacity, lang)))
            continue
        sentences.append(_t(
            "vpp", lang, case=_case(case, lang), net=cny(capacity + energy - penalty, lang),
            capacity=cny(capacity, lang), energy=cny(energy, lang), penalty=cny(penalty, lang),
            delivered=kwh(park["delivered_kwh"].sum(), lang), events=_events(len(park), lang),
            requested=kwh(park["requested_kwh"].sum(), lang)))
    return sentences


def _events(n: int, lang: str) -> str:
    if lang == "zh":
        return f"{n}次响应事件"
    return "1 event" if n == 1 else f"{n} events"
