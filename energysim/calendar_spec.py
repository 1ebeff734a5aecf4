"""The scenario's own holiday calendar, for years the ``chinesecalendar`` package lacks.

``calendar:`` either gives years itself,

    calendar:
      2027:
        holidays: {new_year: [2027-01-01], spring_festival: [2027-02-06, ...], ...}
        workdays: [2027-02-14]          # make-up working days (调休上班), Saturdays or Sundays

(holidays may also be a plain list of dates, holidays without a name), or is
``weekends_only``: years no calendar covers have Monday to Friday working and no public
holidays, an approximation every output states (`energysim.daytypes`).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from energysim.daytypes import Calendar, GivenYear, kinds_of
from energysim.schema import StrictModel

HolidayName = Literal["new_year", "spring_festival", "qingming", "labour_day", "dragon_boat",
                      "mid_autumn", "national_day"]


class CalendarYear(StrictModel):
    """The public holidays and make-up working days of one year."""

    holidays: list[date] | dict[HolidayName, list[date]] = Field(
        description="Public holidays (days off in lieu included): a list, or lists by "
                    "holiday name (new_year, spring_festival, ...) where a tariff names them.")
    workdays: list[date] = Field(
        default_factory=list, description="Make-up working days (调休上班): weekend days worked.")

    def dated(self) -> dict[date, int]:
        """Holiday → day kind (`energysim.daytypes`)."""
        if isinstance(self.holidays, list):
            return {day: kinds_of("holiday")[0] for day in self.holidays}
        return {day: kinds_of(name)[0] for name, days in self.holidays.items() for day in days}


CalendarSpec = dict[int, CalendarYear] | Literal["weekends_only"]


def check_calendar(calendar: dict[int, CalendarYear]) -> None:
    """Every date in its own year, none both a holiday and a workday, workdays on weekends.

    Raises
    ------
    ValueError
        The first problem, naming the year and the date.
    """
    for year, days in calendar.items():
        holidays = days.dated()
        for day in [*holidays, *days.workdays]:
            if day.year != year:
                raise ValueError(f"{year}: {day} is not in {year}")
        both = sorted(set(holidays) & set(days.workdays))
        if both:
            raise ValueError(f"{year}: {both[0]} is both a holiday and a workday")
        weekday = next((d for d in days.workdays if d.weekday() < 5), None)
        if weekday is not None:
            raise ValueError(f"{year}: workday {weekday} is a {weekday:%A}, a working day "
                             "already; make-up working days are Saturdays or Sundays")


def to_calendar(spec: CalendarSpec | None) -> Calendar:
    """The `Calendar` a scenario's ``calendar:`` declares."""
    if spec is None:
        return Calendar()
    if spec == "weekends_only":
        return Calendar(weekends_only=True)
    return Calendar(given={year: GivenYear(days.dated(), frozenset(days.workdays))
                           for year, days in spec.items()})
