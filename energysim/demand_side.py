"""What a scenario declares about demand-side flexibility: flexible production per
enterprise, and the park's virtual-power-plant (VPP) programme.

Flexible load (`FlexSpec`): at each step a share of the original load may be removed
(``shiftable_share``) and load may be added up to a limit (``max_increase_kw`` and/or
``max_increase_fraction`` of the original load), both only inside ``windows``; what is
removed is added back within the same day (``conserve: day``) or within the same window
of the same day (``conserve: window``, e.g. per shift). A ``curtailable_share`` may be
left unserved at ``unserved_cost_cny_per_kwh``.

VPP programme (`VPPSpec`): demand-response events (a day, a window, a requested
reduction, a payment per kWh delivered, a penalty per kWh short) and capacity payments
for declared available flexibility, for the ``participants``. See `energysim.model.vpp`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, field_validator, model_validator

from energysim.schema import StrictModel, parse_window


def _windows(windows: list[str]) -> list[str]:
    for text in windows:
        start, end = parse_window(text)
        if end < start:
            raise ValueError(f"window {text!r} wraps past midnight; split it in two")
    return windows


class FlexSpec(StrictModel):
    """Flexible production of one enterprise."""

    shiftable_share: float = Field(0.0, ge=0, le=1,
                                   description="Share of the load at a step that may move [-].")
    windows: list[str] = Field(["00:00-24:00"], min_length=1,
                               description='Where load may be removed or added, "HH:MM-HH:MM".')
    max_increase_kw: NonNegativeFloat | None = Field(
        None, description="Most load added at any step [kW].")
    max_increase_fraction: NonNegativeFloat | None = Field(
        None, description="Most load added at a step, as a share of its original load [-].")
    conserve: Literal["day", "window"] = Field(
        "day", description="Energy moved returns within the day, or within each window.")
    curtailable_share: float = Field(0.0, ge=0, le=1,
                                     description="Share of the load that may go unserved [-].")
    unserved_cost_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Cost of each kWh not served [CNY/kWh].")

    _check_windows = field_validator("windows")(classmethod(lambda cls, v: _windows(v)))

    @model_validator(mode="after")
    def _something_to_do(self) -> FlexSpec:
        if self.shiftable_share > 0 and self.max_increase_kw is None \
                and self.max_increase_fraction is None:
            raise ValueError("a shiftable load needs max_increase_kw or max_increase_fraction")
        if self.shiftable_share + self.curtailable_share > 1:
            raise ValueError("shiftable_share + curtailable_share may not exceed 1 (got "
                             f"{self.shiftable_share + self.curtailable_share:g})")
        return self


class EventSpec(StrictModel):
    """One demand-response event of the VPP programme."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$")
    date: date
    window: str = Field(description='Event hours "HH:MM-HH:MM" on that day.')
    requested_kw: PositiveFloat = Field(description="Reduction the park is asked for [kW].")
    payment_cny_per_kwh: NonNegativeFloat = Field(description="Paid per kWh delivered [CNY/kWh].")
    penalty_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Charged per kWh short of the request [CNY/kWh].")
    baseline_kw: dict[str, NonNegativeFloat] | None = Field(
        None, description="Baseline per participant [kW], instead of the computed one.")

    _check_window = field_validator("window")(classmethod(lambda cls, v: _windows([v])[0]))


class VPPSpec(StrictModel):
    """The park's virtual-power-plant programme."""

    participants: list[str] = Field(min_length=1, description="Enterprise ids in the VPP.")
    baseline_days: int = Field(5, ge=1, le=30, description="Similar days averaged [-].")
    capacity_payment_cny_per_kw_month: NonNegativeFloat = Field(
        0.0, description="Paid for declared available flexibility [CNY/(kW·month)].")
    declared_kw: dict[str, NonNegativeFloat] = Field(
        default_factory=dict, description="Available flexibility declared per participant [kW]; "
                                          "also how penalties are shared.")
    events: list[EventSpec] = Field(default_factory=list)
