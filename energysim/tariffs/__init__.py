"""Time-of-use tariffs, their calendars, the bill calculator and the built-in library."""

from energysim.charges import BASIC_CHARGES
from energysim.tariffs.bill import compute_bill
from energysim.tariffs.library import (
    library_names,
    library_table,
    load_library_tariff,
    load_tariff_file,
    resolve_tariff,
)
from energysim.tariffs.periods import BANDS
from energysim.tariffs.tariff import Tariff

BASIC_CHARGE_MODES = BASIC_CHARGES
"""The former name of `energysim.charges.BASIC_CHARGES`."""

__all__ = [
    "BANDS",
    "BASIC_CHARGES",
    "BASIC_CHARGE_MODES",
    "Tariff",
    "compute_bill",
    "library_names",
    "library_table",
    "load_library_tariff",
    "load_tariff_file",
    "resolve_tariff",
]
