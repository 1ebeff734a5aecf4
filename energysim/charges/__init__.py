"""The charges of an electricity bill, one module each, with both halves behind one registry.

    energy           Σ_t price[t] · import_kw[t] · dt_h                        → energy
    export_credit    − Σ_t export_price · export_kw[t] · dt_h                  → export_credit
    capacity         f · rate_kva · transformer_kva                            → basic_charge
    contract_demand  f · rate_kw · (C + 2 · max(0, P − 1.05 · C))              → basic_charge
    max_demand       f · rate_kw · P                                           → basic_charge

(f the share of the month covered, P the month's maximum demand, C the contract demand;
each module's docstring has the details.) Each module's `Charge` holds the pandas half
(``bill_cny``, which `energysim.tariffs.bill.compute_bill` calls) and the Pyomo half
(``model_cny``, with ``add_model`` where it needs variables of its own, which
`energysim.model.grid` and `energysim.model.basic_charge` call); neither side dispatches on
a name, and the scenario's ``basic_charge`` vocabulary (`BASIC_CHARGES`) and the tariff's
rate fields read the same table. Pyomo is imported only inside the Pyomo halves, so the
bill calculator stays free of it. A new charge is one module and one entry here.
"""

from __future__ import annotations

from energysim.charges import capacity, contract_demand, energy, export_credit, max_demand
from energysim.charges.base import Charge, MeterMonths

CHARGES: dict[str, Charge] = {c.name: c for c in (
    energy.CHARGE, export_credit.CHARGE, capacity.CHARGE, contract_demand.CHARGE,
    max_demand.CHARGE)}
"""Every charge, by name."""
BASIC_CHARGES = ("none", *(c.name for c in CHARGES.values() if c.cost == "basic_charge"))
"""How a meter may pay the basic charge: not at all, or one of the basic charges."""
DEMAND_CHARGES = tuple(c.name for c in CHARGES.values() if c.measures_demand)
"""The basic charges billed on the month's maximum demand."""
BILL_COMPONENTS = ("energy", "basic_charge", "export_credit")
"""The cost components a bill has, in its column order."""


def basic_charge(mode: str) -> Charge | None:
    """The basic charge a meter pays under ``mode`` (None for ``none``).

    Raises
    ------
    ValueError
        ``mode`` is not one of `BASIC_CHARGES`.
    """
    if mode not in BASIC_CHARGES:
        raise ValueError(f"basic charge mode must be one of {BASIC_CHARGES}, got {mode!r}")
    return None if mode == "none" else CHARGES[mode]


def needs(mode: str) -> tuple[str, ...]:
    """The meter's fields the basic charge of ``mode`` needs (``contract_demand_kw``, ...)."""
    charge = basic_charge(mode)
    return () if charge is None else charge.needs


__all__ = ["BASIC_CHARGES", "BILL_COMPONENTS", "CHARGES", "DEMAND_CHARGES", "Charge",
           "MeterMonths", "basic_charge", "needs"]
