"""The unit of a profile's values: mean power [kW] or energy per step [kWh].

A declared unit wins; otherwise it is read from the header (``value_kw``, ``power_kw``,
``kW`` → kW; ``value_kwh``, ``energy_kwh``, ``kWh``, ``千瓦时`` → kWh): the value column of
a long table, or for any table the first header cell, a title row above the header, or the
sheet name. Used by `energysim.profiles.readers`, which converts kWh to kW.
"""

from __future__ import annotations

import re

from energysim.errors import Problem
from energysim.profiles._table import Table

UNITS = ("kw", "kwh")

_UNIT_PATTERNS = (("kwh", re.compile(r"(?<![a-z])kwh(?![a-z])|千瓦时")),
                  ("kw", re.compile(r"(?<![a-z])kw(?![a-z])|千瓦(?!时)")))



DECLARE_IN_SCENARIO = "declare `unit: kw` (mean power) or `unit: kwh` (energy per step) in the scenario"
DECLARE_ON_COMMAND_LINE = "give --unit kw (mean power) or --unit kwh (energy per step)"
"""How a user declares a profile's unit, where its header states none."""


def table_unit(table: Table, layout: str, declared: str | None, problems: list[Problem],
               declare: str = DECLARE_IN_SCENARIO) -> str | None:
    """Declared unit, else the one the header, a title row or the sheet name states."""
    columns = table.frame.columns
    texts = [columns[1]] if layout == "long" and len(columns) > 1 else []
    texts += [columns[0], table.title, table.sheet]
    found = [(said, text) for text in texts if text is not None and (said := _unit_in(str(text)))]
    if declared is not None:
        said = f"; the file says {found[0][0]} ({found[0][1]!r})" if found and found[0][0] != declared else ""
        unit, source = declared, f"declared{said}"
    elif found:
        unit, source = found[0][0], f"from {found[0][1]!r}"
    else:
        col = 2 if layout == "long" and len(columns) > 1 else 1
        problems.append(Problem(table.file, table.header_line, col, f"{table.where}unit",
                                f"no unit in the header (got {str(columns[col - 1])!r}): {declare}"))
        return None
    if unit == "kwh":
        table.notes.append(f"values are energy per step [kWh], converted to mean power "
                           f"kW = kWh / step [h] ({source})")
    else:
        table.notes.append(f"values are mean power [kW] ({source})")
    return unit


def _unit_in(text: str) -> str | None:
    lowered = text.lower()
    return next((unit for unit, pattern in _UNIT_PATTERNS if pattern.search(lowered)), None)
