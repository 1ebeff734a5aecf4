"""What assets cost, and the finance of a scenario: the cost library and its overrides.

A library file (``energysim/economics/library/<name>.yaml``) gives, for each kind of
asset — ``pv`` (an enterprise's PV), ``storage`` (its battery), ``green_pv`` and
``green_storage`` (a direct-supply plant's) — and for ``finance``, every field as
``{value, source, second_source, note}``: the figures are assumptions with their sources,
never official prices. A scenario's ``economics:`` block names the library (``library``,
`DEFAULT_LIBRARY` if absent) and overrides any field, per kind (``pv: {capex_cny_per_kwp:
3200}``, ``storage: ...``), per asset (``assets: {storage/auto_parts: {capex_cny_per_kwh:
800}}``, by kind and asset id; a plant's as ``green_pv/<project id>``) or of the finance
(``finance: {discount_rate: 0.08}``).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import (
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveInt,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from energysim.errors import ScenarioError
from energysim.schema import StrictModel
from energysim.yamlio import read_yaml, validation_problems

DEFAULT_LIBRARY = "china_2025"
"""The cost library a scenario uses unless it names another."""


class PVCosts(StrictModel):
    """What a PV array costs."""

    capex_cny_per_kwp: NonNegativeFloat = Field(description="Installed cost [CNY/kWp].")
    fixed_om_cny_per_kwp_year: NonNegativeFloat = Field(
        description="Operation and maintenance a year [CNY/(kWp·year)].")
    lifetime_years: PositiveInt = Field(le=60, description="Years it produces [year].")
    degradation_per_year: float = Field(ge=0, lt=0.2, description="Output lost each year, "
                                        "compounded: year y produces (1 − d)^(y−1) [-].")


class StorageCosts(StrictModel):
    """What a battery costs."""

    capex_cny_per_kwh: NonNegativeFloat = Field(description="Installed cost of its energy "
                                                "(cells, racks) [CNY/kWh].")
    capex_cny_per_kw: NonNegativeFloat = Field(description="Installed cost of its power "
                                               "(converter, connection) [CNY/kW].")
    fixed_om_cny_per_kw_year: NonNegativeFloat = Field(
        description="Operation and maintenance a year [CNY/(kW·year)].")
    lifetime_years: PositiveInt = Field(le=60, description="Years its cells last [year].")
    replacement_year: PositiveInt | None = Field(
        None, le=60, description="Year its cells are replaced (their fade restarts); none if "
                                 "absent [year].")
    replacement_cny_per_kwh: NonNegativeFloat = Field(
        0.0, description="Cost of the replacement cells [CNY/kWh].")
    capacity_fade_per_year: float = Field(ge=0, lt=0.2, description="Capacity lost each "
                                          "year, compounded [-].")


class FinanceSpec(StrictModel):
    """How cash flows are discounted and extrapolated."""

    discount_rate: float = Field(ge=0, le=0.5, description="Yearly, real [-].")
    analysis_years: PositiveInt = Field(le=50, description="Years of cash flows after the "
                                        "investment year [year].")
    price_escalation_per_year: float = Field(ge=-0.2, le=0.2, description="Yearly change "
                                             "of electricity prices, real [-].")


KINDS: dict[str, type[StrictModel]] = {"pv": PVCosts, "storage": StorageCosts,
                                        "green_pv": PVCosts, "green_storage": StorageCosts}
"""The kinds of cost in a library, with their models."""


class _Overrides(StrictModel):
    """Fields to override: those absent keep the library's (an explicit null is refused
    where the field takes no null)."""

    model_config = ConfigDict(validate_default=False)


def _overrides(model: type[StrictModel]) -> type[StrictModel]:
    """``model`` with every field optional (absent: the library's), its limits kept."""
    fields = {name: (info.annotation, FieldInfo.merge_field_infos(info, default=None))
              for name, info in model.model_fields.items()}
    return create_model(f"{model.__name__}Overrides", __base__=_Overrides,
                        __doc__=f"Fields of {model.__name__} to override.", **fields)


PVOverrides, StorageOverrides, FinanceOverrides = (_overrides(m) for m in
                                                   (PVCosts, StorageCosts, FinanceSpec))
OVERRIDES: dict[str, type[StrictModel]] = {"pv": PVOverrides, "storage": StorageOverrides,
                                           "green_pv": PVOverrides,
                                           "green_storage": StorageOverrides}
"""The kinds a scenario may override (per kind and per asset), with their models."""


def asset_problems(kind: str, fields: dict[str, Any]) -> list[tuple[tuple, str]]:
    """(location in ``fields``, message) of each field of one asset's costs that is not
    valid for ``kind`` (one of `OVERRIDES`)."""
    try:
        OVERRIDES[kind].model_validate(fields)
    except ValidationError as exc:
        return [(tuple(err["loc"]), err["msg"]) for err in exc.errors(include_url=False)]
    return []


class EconomicsSpec(StrictModel):
    """A scenario's ``economics:`` block (see the module docstring)."""

    library: str = Field(DEFAULT_LIBRARY, description="The cost library to start from.")
    finance: FinanceOverrides = Field(default_factory=FinanceOverrides)
    pv: PVOverrides = Field(default_factory=PVOverrides, description="Every PV array's.")
    storage: StorageOverrides = Field(default_factory=StorageOverrides,
                                      description="Every battery's.")
    green_pv: PVOverrides = Field(default_factory=PVOverrides,
                                  description="Every direct-supply plant's PV.")
    green_storage: StorageOverrides = Field(default_factory=StorageOverrides,
                                            description="Every direct-supply plant's battery.")
    assets: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="<kind>/<id> → one asset's fields: pv/<id>, "
                                          "storage/<id>, green_pv/<project>, green_storage/<project>.")

    @field_validator("library")
    @classmethod
    def _known(cls, name: str) -> str:
        library_costs(name)  # an unknown library: its names listed
        return name

    @model_validator(mode="after")
    def _valid(self) -> EconomicsSpec:
        self.finance_spec()  # the library's with the overrides: complete and valid
        for kind in OVERRIDES:
            self.costs_of(kind)
        return self

    def finance_spec(self) -> FinanceSpec:
        """The finance: the library's, with the scenario's overrides."""
        return FinanceSpec.model_validate({**library_costs(self.library)["finance"],
                                           **self.finance.model_dump(exclude_unset=True)})

    def costs_of(self, kind: str, asset: str | None = None) -> PVCosts | StorageCosts:
        """The costs of ``kind`` (``pv``, ``storage``, ``green_pv``, ``green_storage``), of the
        asset (or direct-supply project) of that id where one is given: the library's, then
        the kind's overrides, then the asset's (checked at load: `energysim.scenario_checks`)."""
        own = self.assets.get(f"{kind}/{asset}", {}) if asset is not None else {}
        kind_own = getattr(self, kind).model_dump(exclude_unset=True)
        return KINDS[kind].model_validate({**library_costs(self.library)[kind], **kind_own, **own})


def _library_dir() -> Path:
    return Path(str(resources.files("energysim.economics") / "library"))


def library_names() -> list[str]:
    """Names of the built-in cost libraries."""
    return sorted(p.stem for p in _library_dir().glob("*.yaml"))


@cache
def library_costs(name: str) -> dict[str, dict[str, Any]]:
    """The values of a cost library, by kind and field (``finance`` too), validated.

    Raises
    ------
    ValueError
        No library of that name (the names there are listed).
    ScenarioError
        The file is not a valid library (file, line and field named).
    """
    if name not in library_names():
        raise ValueError(f"no cost library {name!r}; there are: {', '.join(library_names())}")
    path = _library_dir() / f"{name}.yaml"
    data, root = read_yaml(path)
    values = {}
    for kind, model in {**KINDS, "finance": FinanceSpec}.items():
        entries = data.get(kind) if isinstance(data, dict) else None
        if not isinstance(entries, dict):
            raise ScenarioError.single(path, kind, "missing: every kind of cost is needed")
        plain = {field: entry["value"] if isinstance(entry, dict) else entry
                 for field, entry in entries.items()}
        for field, entry in entries.items():
            if not isinstance(entry, dict) or not entry.get("source"):
                raise ScenarioError.single(path, f"{kind}.{field}",
                                           "each figure needs its value and its source")
        try:
            model.model_validate(plain)
        except ValidationError as exc:
            raise ScenarioError(validation_problems(exc, path, root, data, prefix=(kind,))) from None
        values[kind] = plain
    return values


def library_sources(name: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The entries of a cost library as written: value, source, second source, note."""
    data, _ = read_yaml(_library_dir() / f"{name}.yaml")
    return {kind: dict(data[kind]) for kind in (*KINDS, "finance")}
