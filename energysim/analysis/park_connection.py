"""The inputs of the park connection's model: one meter `PARK`, billed at the connection.

Whatever is behind it (the members' net draw under their own dispatch,
`energysim.analysis.park`; their loads and assets under the platform's,
`energysim.analysis.park_dispatch`), the connection's meter has the connection's tariff
(the case's, else the connection's own, at the connection's voltage level), its transformer
(the kVA limit of import and export) and its basic charge, billed on the connection's own
monthly peak: the park's coincident peak. Every asset behind it is the platform company's
to dispatch, its wear booked to `PARK`. At hourly steps the connection has no 15-minute
demand margin (a stated approximation).
"""

from __future__ import annotations

import numpy as np

from energysim.assets import PARK, StorageSpec
from energysim.case_inputs import CaseInputs
from energysim.charges import needs
from energysim.scenario import Scenario


def connection_tariff(scenario: Scenario, case: str):
    """The tariff billed at the connection under ``case``: the case's, else the
    connection's own, at the connection's voltage level."""
    connection = scenario.spec.park.connection
    tariff = scenario.tariffs[scenario.case(case).tariff or connection.tariff]
    return scenario.at_voltage_level(tariff, connection.voltage_level)


def connection_inputs(scenario: Scenario, case: str, name: str, load_kw: np.ndarray,
                      pv_available_kw: dict[str, np.ndarray], storages: dict[str, StorageSpec],
                      must_take: frozenset[str] = frozenset()) -> CaseInputs:
    """The inputs of the connection's model under ``case`` (named ``name``): ``load_kw``
    behind the meter, the PV arrays and batteries behind it (``must_take``: arrays never
    curtailed)."""
    connection = scenario.spec.park.connection
    tariff = connection_tariff(scenario, case)
    assets = [*pv_available_kw, *storages]
    mode = connection.basic_charge
    return CaseInputs(
        name=name, enterprises=[PARK], index=scenario.index, dt_h=scenario.dt_h,
        load_kw={PARK: np.asarray(load_kw, dtype=float)},
        price_cny_per_kwh={PARK: tariff.price_at(scenario.index)},
        export_price_cny_per_kwh={PARK: tariff.export_price_cny_per_kwh},
        transformer_kva={PARK: connection.transformer_kva},
        pv_available_kw=pv_available_kw, pv_must_take=set(must_take), storages=storages,
        asset_at=dict.fromkeys(assets, PARK),
        asset_cost_shares={a: {PARK: 1.0} for a in assets},
        basic_charge_mode={PARK: mode},
        basic_charge_rate={PARK: tariff.basic_charge.rate_for(mode) or 0.0},
        contract_demand_kw={PARK: connection.contract_demand_kw}
        if "contract_demand_kw" in needs(mode) else {},
        demand_margin_kw={PARK: np.zeros(len(scenario.index))})
