"""The tariffs of a scenario file resolved: inline ones validated, library ones merged with
the file's overrides.

A tariff given ``from_library: NAME`` starts from the library file; the scenario's fields
override it, nested mappings merged and lists replaced, and an override that prices energy
another way (bands, a flat price with ratios, or spot) replaces the library's
``energy_price`` whole. Where the scenario changes the energy price at all, the library's
published prices are dropped: they no longer describe the tariff. Problems are located in
the file they come from: in the library file where the scenario overrides nothing, else in
the scenario.
"""

from __future__ import annotations

from typing import Any

import pydantic

from energysim.calibration_spec import CalibrationSpec
from energysim.errors import ScenarioError
from energysim.overrides import split_path
from energysim.scenario_checks import unknown
from energysim.tariffs.library import (
    PRICE_WAYS,
    library_data,
    library_merge,
    prices_anew,
    unpublished,
)
from energysim.tariffs.spot import with_spot_file
from energysim.tariffs.tariff import Tariff
from energysim.yamlio import problem_at, validation_problems


def resolve_tariffs(spec, path, root, data, problems,
                    calibrations: dict | None = None) -> dict[str, Tariff]:
    """The scenario's tariffs; each one's ``calibrate:`` (`energysim.calibration`), checked,
    goes into ``calibrations`` by tariff name, for the loader to solve once profiles are read."""
    tariffs = {}
    for name, raw in spec.tariffs.items():
        loc = ("tariffs", name)
        entry, file, tree, base = dict(raw), path, root, loc
        calibrate = entry.pop("calibrate", None)
        if calibrate is not None:
            try:
                checked = CalibrationSpec.model_validate(calibrate)
            except pydantic.ValidationError as exc:
                problems.extend(validation_problems(exc, path, root, data,
                                                    prefix=(*loc, "calibrate")))
            else:
                _check_calibration(name, checked, spec, path, root, data, problems)
                if calibrations is not None:
                    calibrations[name] = checked
        prices_dir = path.parent  # where a spot price file is looked for
        library = entry.pop("from_library", None)
        if library is not None:
            try:
                lib_data, lib_root, lib_path = library_data(str(library))
            except KeyError as exc:
                problems.append(problem_at(path, root, data, (*loc, "from_library"), exc.args[0]))
                continue
            except ScenarioError as exc:
                problems.extend(exc.problems)
                continue
            anew = prices_anew(entry)
            own = dict(entry)
            if "energy_price" in own:  # the published prices were published for the library's
                lib_data = unpublished(lib_data)
            entry = library_merge(lib_data, entry)
            entry |= _modified_labels(name, str(library), lib_data, own)
            prices_dir = path.parent if anew else lib_path.parent
            if not set(raw) - {"from_library"}:  # nothing overridden: point at the library
                file, tree, base = lib_path, lib_root, ()
        try:
            tariffs[name] = with_spot_file(Tariff.model_validate(entry), prices_dir, problems)
        except pydantic.ValidationError as exc:
            problems.extend(validation_problems(exc, file, tree, data if file == path else entry,
                                                prefix=base))
    return tariffs


DESCRIPTIVE = ("name", "region", "document", "effective", "source", "secondary_source", "notes")
"""Fields of a tariff that describe it rather than price anything."""


def _modified_labels(key: str, library: str, lib_data: dict, own: dict) -> dict:
    """The name, document and source of a library tariff that the scenario modifies, so that
    reports never show the library's as if it were unchanged: "<key> (based on <library>,
    modified: periods)". Those the scenario gives itself are kept."""
    given = [field for field in own if own[field] != lib_data.get(field)]  # written out in full
    changed = [field for field in given if field not in DESCRIPTIVE]        # by a sweep: equal
    if not changed:
        return {}
    what = f"modified: {', '.join(changed)}"
    labels = {"name": f"{key} (based on {library}, {what})",
              "document": f"based on {lib_data.get('document') or library}; {what} in the scenario",
              "source": f"{lib_data.get('source', '')} ({what} in the scenario)".strip()}
    return {field: text for field, text in labels.items() if field not in given}


def with_library_tariffs(data: dict, overrides: dict[str, Any]) -> dict:
    """``data`` with the library tariffs that ``overrides`` reach into written out in full,
    so that a path such as ``tariffs.x.periods[0].hours`` finds the library's periods."""
    paths = {path: split_path(path) for path in overrides}
    names = {parts[1] for parts in paths.values() if len(parts) > 2 and parts[0] == "tariffs"}
    tariffs = dict(data.get("tariffs") or {})
    for name in names:
        entry = tariffs.get(name)
        if isinstance(entry, dict) and "from_library" in entry:
            own = {k: v for k, v in entry.items() if k != "from_library"}
            chosen = next((overrides[p] for p, parts in paths.items()
                           if parts == ["tariffs", name, "from_library"]), entry["from_library"])
            library, _, _ = library_data(str(chosen))
            # still from the library: resolving it names what the overrides modify; a path
            # that prices energy another way replaces its energy_price, as the file form does
            anew = any(len(parts) > 3 and parts[:3] == ["tariffs", name, "energy_price"]
                       and parts[3] in PRICE_WAYS for parts in paths.values())
            if any(parts[:3] == ["tariffs", name, "energy_price"] for parts in paths.values()):
                library = unpublished(library)
            merged = library_merge(library, own)
            if anew and not prices_anew(own):
                merged["energy_price"] = dict(own.get("energy_price") or {})
            tariffs[name] = {"from_library": chosen, **merged}
    return {**data, "tariffs": tariffs}


def _check_calibration(name, calibration, spec, path, root, data, problems) -> None:
    """The names a ``calibrate:`` refers to exist, and its reference is not calibrated."""
    loc = ("tariffs", name, "calibrate")
    reference = calibration.revenue_neutral_to
    if reference not in spec.tariffs:
        problems.append(problem_at(path, root, data, (*loc, "revenue_neutral_to"),
                                   unknown("tariff", reference, spec.tariffs)))
    elif reference == name:
        problems.append(problem_at(path, root, data, (*loc, "revenue_neutral_to"),
                                   "a tariff cannot be calibrated to itself"))
    elif isinstance(spec.tariffs[reference], dict) and "calibrate" in spec.tariffs[reference]:
        problems.append(problem_at(path, root, data, (*loc, "revenue_neutral_to"),
                                   f"{reference} is calibrated itself; calibrate to a tariff "
                                   "that is not"))
    if calibration.over != "park":
        ids = [e.id for e in getattr(spec, "enterprises", [])]  # none when the schema failed
        for i, e in enumerate(calibration.over):
            if ids and e not in ids:
                problems.append(problem_at(path, root, data, (*loc, "over", i),
                                           unknown("enterprise", e, ids)))
