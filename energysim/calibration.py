"""Revenue-neutral (or stated-cut) proposals: the price level a tariff must have so that the
reference loads pay what they pay today, or a stated share less.

A tariff declares

    calibrate: {revenue_neutral_to: cq_current, over: park, solve_for: flat, cut_pct: 0}

and the loader finds the one number x of ``solve_for`` at which

    Σ_{e in over} bill(tariff(x), flows_e) = (1 - cut_pct / 100) · Σ_{e in over} bill(reference, flows_e)

where flows_e are the baseline case's grid flows, which without assets are the loads, and a
bill is energy plus basic charge (`energysim.tariffs.compute_bill`, with the meter's
15-minute demand at hourly steps). ``solve_for`` is

- ``flat``: a shift Δ of the floating base E in every month's table (a band of ratio r moves
  by r·Δ); for a tariff priced per band, of the flat band's price alone;
- ``adder``: a shift Δ of the non-floating adder in every table (every band moves by Δ);
- ``<band>_ratio`` (``valley_ratio``, ``peak_ratio``, ...): that band's ratio to E.

Each makes the bill affine in x, bill(x) = a + b·x, so two evaluations give x exactly; the
result is checked by billing once more. Every case that uses the tariff pays the calibrated
one, and `Calibration` says what was solved, for the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from energysim.calibration_spec import CalibrationSpec
from energysim.errors import ScenarioError
from energysim.tariffs.tariff import Tariff

CALIBRATION_TOLERANCE = 1e-9
"""Relative gap between the calibrated revenue and its target that counts as met."""

@dataclass(frozen=True)
class Calibration:
    """A solved calibration: ``value`` of ``solve_for`` (a shift [CNY/kWh] for flat and
    adder, a ratio [-] otherwise), and the revenues [CNY] it was solved for."""

    tariff: str
    spec: CalibrationSpec
    enterprises: tuple[str, ...]
    value: float
    reference_revenue_cny: float
    target_revenue_cny: float
    revenue_cny: float

    def solved(self, lang: str = "en") -> str:
        """What was solved, in ``lang``: "floating base E shifted by +0.012345 CNY/kWh"."""
        band = self.spec.solve_for.removesuffix("_ratio")
        if lang == "zh":
            what = {"flat": "浮动基准E调整", "adder": "固定附加调整"}.get(
                self.spec.solve_for, f"{band}时段系数调为")
            unit = "元/kWh" if self.spec.solve_for in ("flat", "adder") else ""
        else:
            what = {"flat": "floating base E shifted by", "adder": "adder shifted by"}.get(
                self.spec.solve_for, f"{band} ratio set to")
            unit = " CNY/kWh" if self.spec.solve_for in ("flat", "adder") else ""
        value = f"{self.value:+.6f}" if self.spec.solve_for in ("flat", "adder") \
            else f"{self.value:.6f}"
        return f"{what} {value}{unit}"

    @property
    def aim(self) -> str:
        """"revenue-neutral to cq_current", or "5 % below the revenue of cq_current"."""
        spec = self.spec
        return (f"revenue-neutral to {spec.revenue_neutral_to}" if not spec.cut_pct
                else f"{spec.cut_pct:g} % below the revenue of {spec.revenue_neutral_to}")

    def describe(self) -> str:
        """One line for the run's notes."""
        return (f"tariff {self.tariff} calibrated {self.aim} over "
                f"{', '.join(self.enterprises)}: {self.solved()}; the baseline's "
                f"flows pay {self.revenue_cny:,.2f} CNY against {self.reference_revenue_cny:,.2f}")


def adjusted(tariff: Tariff, solve_for: str, x: float) -> Tariff:
    """``tariff`` with ``solve_for`` moved to ``x`` (see the module docstring).

    Raises
    ------
    ValueError
        What ``solve_for`` names does not exist in this tariff, or the result is not a
        valid price (a negative adder, a base E at or below zero).
    """
    price = tariff.energy_price.model_dump()
    tables = list(price["months"].values()) if price["months"] else [price]
    if solve_for == "flat":
        for table in tables:
            if table["flat_cny_per_kwh"] is not None:
                table["flat_cny_per_kwh"] += x
            elif "flat" in (table["bands_cny_per_kwh"] or {}):
                table["bands_cny_per_kwh"]["flat"] += x
            else:
                raise ValueError("solve_for flat needs a floating base E or a flat band price")
    elif solve_for == "adder":
        for table in tables:
            table["adder_cny_per_kwh"] += x
    else:
        band = solve_for.removesuffix("_ratio")
        if price["ratios"] is None:
            raise ValueError(f"solve_for {solve_for} needs ratios to the floating base E")
        price["ratios"][band] = x
    return tariff.with_energy_price(price)


def _revenue(scenario, tariff_of, enterprises) -> float:
    """Σ bills [CNY] of the baseline's flows (the loads) of ``enterprises``."""
    return sum(scenario.bill_cny(tariff_of(e), e, pd.Series(scenario.load_kw[e],
                                                             index=scenario.index))
               for e in enterprises)


def calibrate(scenario, name: str, spec: CalibrationSpec) -> tuple[Tariff, Calibration]:
    """The calibrated tariff ``name`` of ``scenario`` and what was solved.

    Raises
    ------
    ValueError
        The baseline case switches assets on (its flows are then not the loads), the
        revenue does not depend on what ``solve_for`` moves, or the solution is no valid
        price; each message says which.
    """
    tariff = scenario.tariffs[name]
    if tariff.is_spot and spec.solve_for != "adder":
        raise ValueError("a spot tariff can only be calibrated by its adder")
    if scenario.case(scenario.baseline_case).assets:
        raise ValueError(f"calibration prices the baseline case's flows, which are the loads "
                         f"only where it switches no assets; {scenario.baseline_case} switches "
                         f"on {', '.join(scenario.case(scenario.baseline_case).assets)}")
    enterprises = tuple(scenario.enterprises) if spec.over == "park" else tuple(spec.over)
    reference = scenario.tariffs[spec.revenue_neutral_to]
    before = _revenue(scenario, lambda e: reference, enterprises)
    target = before * (1.0 - spec.cut_pct / 100.0)
    start = _current(tariff, spec.solve_for)
    step = 0.01 if spec.solve_for in ("flat", "adder") else 0.1
    at_start = _revenue(scenario, lambda e: adjusted(tariff, spec.solve_for, start), enterprises)
    slope = (_revenue(scenario, lambda e: adjusted(tariff, spec.solve_for, start + step),
                      enterprises) - at_start) / step
    if abs(slope) <= 1e-12 * max(abs(at_start), 1.0):
        raise ValueError(f"the revenue does not depend on {spec.solve_for}: the reference "
                         f"loads draw no energy where it applies")
    value = start + (target - at_start) / slope
    try:
        solved = adjusted(tariff, spec.solve_for, value)
    except ValueError as exc:
        shown = f"{spec.solve_for} shifted by {value - start:+.6f} CNY/kWh" \
            if spec.solve_for in ("flat", "adder") else f"{spec.solve_for} = {value:.6f}"
        raise ValueError(f"revenue {'neutrality' if not spec.cut_pct else 'cut'} needs "
                         f"{shown}, which is no valid price: {exc}") from None
    revenue = _revenue(scenario, lambda e: solved, enterprises)
    if abs(revenue - target) > CALIBRATION_TOLERANCE * max(abs(target), 1.0):
        raise ValueError(f"calibration missed its target: {revenue:,.2f} against {target:,.2f} CNY")
    shift = value - start if spec.solve_for in ("flat", "adder") else value
    calibration = Calibration(name, spec, enterprises, shift, before, target, revenue)
    labelled = solved.model_copy(update={
        "name": f"{solved.name} (calibrated {calibration.aim})",
        "document": f"{solved.document}; calibrated in the scenario ({spec.solve_for})"})
    return labelled, calibration


def _current(tariff: Tariff, solve_for: str) -> float:
    """Where ``solve_for`` stands today: 0 for a shift, the ratio for a ratio."""
    if solve_for in ("flat", "adder"):
        return 0.0
    band = solve_for.removesuffix("_ratio")
    ratios = tariff.energy_price.ratios or {}
    if band not in ratios:
        raise ValueError(f"solve_for {solve_for}: the tariff has no {band} ratio")
    return float(ratios[band])


def calibrate_scenario(scenario, specs: dict[str, CalibrationSpec], at=None):
    """``scenario`` with each tariff of ``specs`` calibrated (in the order given), and the
    calibrations recorded; a calibration that fails is reported by ``at(loc, message)``, at
    the tariff's ``calibrate`` field, and leaves its tariff as it was.

    Raises
    ------
    ScenarioError
        A calibration failed and no ``at`` was given.
    """
    tariffs, done = dict(scenario.tariffs), []
    for name, spec in specs.items():
        try:
            tariffs[name], calibration = calibrate(replace(scenario, tariffs=tariffs), name, spec)
        except ValueError as exc:
            if at is None:
                raise ScenarioError.single(scenario.path, f"tariffs.{name}.calibrate",
                                           str(exc)) from None
            at(("tariffs", name, "calibrate"), str(exc))
            continue
        done.append(calibration)
    notes = [*scenario.notes, *(c.describe() for c in done)]
    return replace(scenario, tariffs=tariffs, calibrations=done, notes=notes, _levelled={})
