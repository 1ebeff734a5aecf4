"""What a tariff's ``calibrate:`` declares: the revenue it must match (or cut), over whom,
and what moves; solved by `energysim.calibration`."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from energysim.schema import StrictModel
from energysim.tariffs.periods import BANDS

SOLVE_FOR = ("flat", "adder", *(f"{band}_ratio" for band in BANDS if band != "flat"))


class CalibrationSpec(StrictModel):
    """What a proposal is calibrated to (see the module docstring)."""

    revenue_neutral_to: str = Field(
        description="The scenario's tariff whose revenue from the reference loads is matched.")
    cut_pct: float = Field(
        0.0, ge=-50.0, le=50.0,
        description="Revenue cut against that tariff [%]: 5 → the loads pay 5 % less.")
    over: Literal["park"] | list[str] = Field(
        "park", description="Whose bills are summed: the park (every enterprise) or a list "
                            "of enterprise ids.")
    solve_for: str = Field(
        "flat", description=f"What moves: {', '.join(SOLVE_FOR)}.")

    @field_validator("over")
    @classmethod
    def _someone(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list) and not value:
            raise ValueError("give park, or a non-empty list of enterprise ids")
        return value

    @field_validator("solve_for")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in SOLVE_FOR:
            raise ValueError(f"solve_for must be one of {', '.join(SOLVE_FOR)}; got {value!r}")
        return value
