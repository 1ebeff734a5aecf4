"""Display names beside identifiers in the tables people read: the workbook and the HTML report.

The CSV files hold identifiers only. In the tables of ``report.xlsx`` and ``report.html``
every identifier column keeps its identifiers, so analysts can cross-check with the CSV
files, and is followed by a column of what the scenario calls them:

    case          → case_description   the case's ``description`` (empty where it has none)
    enterprise    → enterprise_name    the enterprise's ``name`` (a direct-supply plant's)
    scope         → scope_name         the same for an enterprise; ``park`` rows: label ``park_total``

Both languages get these columns: names and descriptions are the scenario's own words,
shown as written (never translated), and the workbook's columns are the same in either
language. Where enterprises are the columns of a table (the savings table of the HTML
report), the header row of identifiers is followed by a header row of their names
(`header_names`).
"""

from __future__ import annotations

import pandas as pd

from energysim.report.labels import label
from energysim.scenario import Scenario

NAME_COLUMNS: dict[str, str] = {"case": "case_description", "enterprise": "enterprise_name",
                                "scope": "scope_name"}
"""Identifier column → the column of display names inserted right after it."""


def display_name(scenario: Scenario, column: str, value, lang: str) -> str | None:
    """What the scenario calls ``value`` of the identifier column ``column`` (None: nothing,
    an empty description or an identifier the scenario does not have)."""
    if column == "case":
        spec = scenario.cases.get(value)
        return (spec.description or None) if spec is not None else None
    if value == "park":
        return label("park_total", lang)
    named = scenario.enterprises.get(value) or scenario.green_projects.get(value)
    return None if named is None else named.name or None


def with_names(frame: pd.DataFrame, scenario: Scenario, lang: str) -> pd.DataFrame:
    """``frame`` with, right after each of its `NAME_COLUMNS` identifier columns, the column
    of their display names; ``frame`` itself is left as it is."""
    named = frame.copy()
    for column, name_column in NAME_COLUMNS.items():
        if column in named.columns and name_column not in named.columns:
            names = {v: display_name(scenario, column, v, lang)
                     for v in named[column].dropna().unique()}
            named.insert(named.columns.get_loc(column) + 1, name_column,
                         named[column].map(names).astype(object))
    return named


def name_columns_before(frame: pd.DataFrame, count: int) -> int:
    """How many name columns `with_names` inserts among the first ``count`` columns of
    ``frame`` (so a freeze or span over them can move right by as many)."""
    return sum(1 for c in frame.columns[:count] if c in NAME_COLUMNS)


def header_names(scenario: Scenario, enterprises, lang: str) -> list[str]:
    """The display name of each of ``enterprises`` (``park`` included), "" where none."""
    return [display_name(scenario, "enterprise", e, lang) or "" for e in enterprises]
