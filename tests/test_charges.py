"""Each charge's two halves agree: the pandas bill of a meter's flows equals the Pyomo
expression of the same charge with the model's variables fixed to those flows, and both
equal the value worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest

from energysim.charges import BASIC_CHARGES, CHARGES, basic_charge
from energysim.scenario_spec import EnterpriseSpec
from energysim.tariffs.bill import compute_bill
from energysim.tariffs.tariff import BasicChargeRates, Tariff

TARIFF = Tariff.model_validate({
    "name": "two prices", "periods": [{"band": "valley", "hours": ["00:00-01:00"]},
                                      {"band": "peak", "hours": ["01:00-24:00"]}],
    "energy_price": {"bands_cny_per_kwh": {"valley": 0.3, "peak": 1.0}},
    "basic_charge": {"capacity_cny_per_kva_month": 20.0, "demand_cny_per_kw_month": 30.0},
    "export_price_cny_per_kwh": 0.4})
MONTH_H = 31 * 24


def _model(import_kw, export_kw, mode: str, *, kva: float, contract: float | None):
    """A bare model of one meter over the given hours of January, the grid flows fixed."""
    from energysim.case_inputs import CaseInputs
    from energysim.model.basic_charge import add_basic_charge
    from energysim.model.build import add_meters
    from energysim.model.grid import add_grid

    n = len(import_kw)
    index = pd.date_range("2025-01-01", periods=n, freq="1h")
    inputs = CaseInputs(name="charges", enterprises=["e"], index=index, dt_h=1.0,
                        load_kw={"e": np.zeros(n)},
                        price_cny_per_kwh={"e": TARIFF.price_at(index)},
                        export_price_cny_per_kwh={"e": 0.4}, transformer_kva={"e": kva})
    m = pyo.ConcreteModel()
    add_meters(m, inputs)
    add_grid(m, {"e": kva}, {"e": 0.4}, {"e"})
    add_basic_charge(m, {"e": mode}, {"e": TARIFF.basic_charge.rate_for(mode) or 0.0},
                     {"e": contract} if contract else {})
    for t in m.T:
        m.grid_import_kw["e", t].fix(import_kw[t])
        m.grid_export_kw["e", t].fix(export_kw[t])
    peak = max(a - b for a, b in zip(import_kw, export_kw, strict=True))
    if "e" in m.DEMAND_METERS:
        m.demand_peak_kw["e", "2025-01"].fix(max(import_kw))
    if "e" in m.CONTRACT_METERS:
        m.contract_excess_kw["e", "2025-01"].fix(max(0.0, peak - 1.05 * contract))
    return m, index


@pytest.mark.parametrize(("mode", "expected"), [
    ("none", 0.0),
    ("capacity", 20.0 * 1000 * 3 / MONTH_H),                       # f · rate · kVA
    ("max_demand", 30.0 * 500 * 3 / MONTH_H),                      # f · rate · P
    ("contract_demand", 30.0 * (200 + 2 * (500 - 210)) * 3 / MONTH_H),  # C + 2 (P − 1.05 C)
])
def test_each_charge_is_the_same_in_the_bill_and_in_the_model(mode, expected):
    """Imports 100, 500, 0 kW and exports 0, 0, 50 kW over three hours: energy
    0.3·100 + 1.0·500 = 530 CNY, export credit −0.4·50 = −20 CNY, and the basic charge of
    each mode for 3 h of January."""
    imports, exports = [100.0, 500.0, 0.0], [0.0, 0.0, 50.0]
    contract = 200.0 if mode == "contract_demand" else None
    m, index = _model(imports, exports, mode, kva=1000.0, contract=contract)
    bill = compute_bill(TARIFF, pd.Series(imports, index=index), pd.Series(exports, index=index),
                        basic_charge=mode, transformer_kva=1000.0, contract_demand_kw=contract)
    hand = {"energy": 530.0, "export_credit": -20.0, "basic_charge": expected}
    charges = [CHARGES["energy"], CHARGES["export_credit"], basic_charge(mode)]
    for charge in (c for c in charges if c is not None):
        model = pyo.value(charge.model_cny(m, "e", "2025-01"))
        assert bill.loc["2025-01", charge.cost] == pytest.approx(hand[charge.cost], rel=1e-12)
        assert model == pytest.approx(hand[charge.cost], rel=1e-12)
    assert pyo.value(m.cost_basic_charge_cny["e", "2025-01"]) == pytest.approx(expected, rel=1e-12)


def test_one_vocabulary_for_the_basic_charge():
    """The scenario's modes, the tariff's rate fields and the registry are the same list."""
    assert BASIC_CHARGES == ("none", "capacity", "contract_demand", "max_demand")
    field = EnterpriseSpec.model_fields["basic_charge"].annotation
    assert set(field.__args__) == set(BASIC_CHARGES)
    for mode in BASIC_CHARGES[1:]:
        assert BasicChargeRates.field_for(mode) == CHARGES[mode].rate_field
        assert CHARGES[mode].rate_field in BasicChargeRates.model_fields
    with pytest.raises(ValueError, match="basic charge mode must be one of"):
        basic_charge("by_the_moon")
