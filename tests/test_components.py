"""The component table says what each component's model has: a model with every component
switched on holds the sets each declares, fills exactly the columns each declares, has a
supply term for each that says it supplies and registers the costs each declares; each is
built from the inputs it declares, and not without them."""

from __future__ import annotations

import io
from dataclasses import fields, replace

from conftest import demo_scenario
from ruamel.yaml import YAML

from energysim import build_model, load_scenario
from energysim.case_inputs import CaseInputs
from energysim.components import ASSETS, COMPONENTS, in_model
from energysim.model.build import component_module
from energysim.prepare import prepare


def _everything(tmp_path):
    """The demo park over the week to its first VPP event, a case with every component on and
    a generator at auto_parts."""
    path = demo_scenario(tmp_path, "2025-07-15", "2025-07-23", "1h")
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["assets"] = [{"kind": "generator", "id": "backup", "at": "auto_parts",
                       "capacity_kw": 500, "fuel_cost_cny_per_kwh": 1.6}]
    data["cases"]["everything"] = {"assets": list(ASSETS)}
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return load_scenario(path)


def test_every_component_has_what_it_declares(tmp_path):
    scenario = _everything(tmp_path)
    m = build_model(scenario, "everything")
    meters, n = list(m.E), len(m.T)
    supplies = {"grid"}
    for component in COMPONENTS:
        assert in_model(component, m), component.name
        for name in component.sets:
            assert m.component(name) is not None, (component.name, name)
        columns = component_module(component).timeseries(m, meters, n)
        assert set(columns) == set(component.columns), component.name
        assert all(values.shape == (len(meters), n) for values in columns.values())
        assert set(component.costs) <= set(m.COST_COMPONENTS), component.name
        supplies |= {component.name} if component.supplies else set()
    assert set(m.SUPPLY_COMPONENTS) == supplies
    assert list(m.GENERATORS_AT["auto_parts"]) == ["backup"]


def test_each_component_is_built_from_the_inputs_it_declares(tmp_path):
    inputs = prepare(_everything(tmp_path), "everything")
    names = {f.name for f in fields(CaseInputs)}
    empty = {f.name: f.default_factory() for f in fields(CaseInputs)
             if callable(f.default_factory)} | {"vpp": None}
    for component in COMPONENTS:
        assert set(component.inputs) <= names, component.name
        module = component_module(component)
        assert module.applies(inputs), component.name
        without = replace(inputs, **{f: empty[f] for f in component.inputs})
        assert not module.applies(without), component.name


def test_every_component_is_named_in_the_reports():
    """A component's name and costs have labels in both languages, and its supply columns
    are stacked in the dispatch figure and summed in the workbook's daily energy."""
    from energysim.report.figures import SUPPLY
    from energysim.report.labels import LABELS
    from energysim.report.workbook import DAILY_QUANTITIES

    for component in COMPONENTS:
        assert component.name in LABELS, component.name
        assert set(component.costs) <= set(LABELS), component.name
    supplies = {"pv_kw", "storage_discharge_kw", "green_direct_kw", "generator_kw"}
    assert supplies <= set(SUPPLY) and supplies <= set(DAILY_QUANTITIES)
    assert all(f"{q[:-3]}_kwh" in LABELS for q in DAILY_QUANTITIES)
