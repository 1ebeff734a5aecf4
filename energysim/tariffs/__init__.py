"""Time-of-use tariffs, their calendars, the bill calculator and the built-in library."""

from energysim.tariffs.bill import BASIC_CHARGE_MODES, compute_bill
from energysim.tariffs.library import (
    library_names,
    library_table,
    load_library_tariff,
    load_tariff_file,
    resolve_tariff,
)
from energysim.tariffs.tariff import BANDS, Tariff

__all__ = [
    "BANDS",
    "BASIC_CHARGE_MODES",
    "Tariff",
    "compute_bill",
    "library_names",
    "library_table",
    "load_library_tariff",
    "load_tariff_file",
    "resolve_tariff",
]
