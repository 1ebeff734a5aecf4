"""The house's layers: a module imports only its own layer and the ones below it.

    base      errors, schema, yamlio, files, results, timeseries, daytypes, components,
              charges          (Pyomo only inside the charges' model halves)
    input     tariffs, profiles, assets, demand_side, green_supply, overrides, vpp_baseline,
              case_inputs, calendar_spec, calibration_spec, scenario_spec, scenario_checks,
              scenario_tariffs, scenario_warnings, calibration, scenario
    prepare   prepare
    model     model            (never the scenario loader nor the prepare stage)
    analysis  analysis
    report    report           (never the model: reports read results)
    interface cli, the package's __init__

(docs/architecture.md). Imports inside functions count too.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "energysim"
LAYERS = {
    "base": ("errors", "schema", "yamlio", "files", "results", "timeseries", "daytypes",
             "components", "charges"),
    "input": ("tariffs", "profiles", "assets", "demand_side", "green_supply", "park_spec", "overrides",
              "economics",
              "vpp_baseline", "case_inputs", "calendar_spec", "calibration_spec", "scenario_spec",
              "scenario_checks", "scenario_tariffs", "scenario_warnings", "calibration",
              "scenario"),
    "prepare": ("prepare",),
    "model": ("model",),
    "analysis": ("analysis",),
    "report": ("report",),
    "interface": ("cli", "__init__"),
}
ORDER = list(LAYERS)
FORBIDDEN = {("model", "scenario"), ("model", "prepare"), ("report", "model")}
"""(importing top-level name, imported top-level name) pairs the layers alone would allow."""


def _top(module: str) -> str:
    return module.split(".")[1] if module.startswith("energysim.") else module


def _layer(top: str) -> str:
    for layer, names in LAYERS.items():
        if top in names:
            return layer
    raise AssertionError(f"energysim.{top} is in no layer: add it to LAYERS and "
                         "docs/architecture.md")


def _imports(path: Path, package: Path):
    """(module, line) of each energysim import of ``path``; a name of the package's own
    (``from energysim import build_model``) is the package itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("energysim"):
            modules = [node.module] if node.module != "energysim" else [
                f"energysim.{a.name}" if (package / a.name).is_dir()
                or (package / f"{a.name}.py").exists() else "energysim" for a in node.names]
            yield from ((m, node.lineno) for m in modules)
        elif isinstance(node, ast.Import):
            yield from ((a.name, node.lineno) for a in node.names if a.name.startswith("energysim"))


def violations(package: Path) -> list[str]:
    """Every import in ``package`` that goes up a layer, or is forbidden."""
    wrong = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        top = rel.parts[0].removesuffix(".py")
        here = _layer(top)
        for module, line in _imports(path, package):
            there = _top(module)
            if there == "energysim" and here != "interface":
                wrong.append(f"energysim/{rel}:{line} ({here}) imports the package itself "
                             "(interface): import the module it needs")
                continue
            if there == "energysim":
                continue
            if ORDER.index(_layer(there)) > ORDER.index(here) or (top, there) in FORBIDDEN \
                    or (here, there) in FORBIDDEN:
                wrong.append(f"energysim/{rel}:{line} ({here}) imports {module} "
                             f"({_layer(there)})")
    return wrong


def test_every_module_imports_only_its_own_layer_and_those_below():
    wrong = violations(PACKAGE)
    assert not wrong, "\n".join(wrong)


def test_the_check_finds_a_wrong_import(tmp_path):
    """A model module importing the scenario loader, an input module importing the model
    (inside a function) and a report importing the model are each found."""
    package = tmp_path / "energysim"
    for name, text in {"model/bad.py": "from energysim.scenario import Scenario\n",
                       "scenario.py": "def f():\n    from energysim.model import build\n",
                       "report/bad.py": "import energysim.model.solve\n",
                       "analysis/fine.py": "from energysim.results import CaseResult\n",
                       "analysis/bad.py": "from energysim import build_model\n",
                       "results.py": ""}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    found = violations(package)
    assert len(found) == 4, found
    assert any("analysis/bad.py" in f and "the package itself" in f for f in found)
    assert any("model/bad.py" in f for f in found) and any("scenario.py" in f for f in found)


def _module_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
    return names


def test_the_bill_calculator_stays_free_of_pyomo():
    """The tariffs and the charges import Pyomo only inside the charges' model halves, and
    importing the bill calculator loads neither Pyomo nor HiGHS (the package's names are
    imported when first used)."""
    import subprocess
    import sys

    probe = ("import sys, energysim.tariffs.bill, energysim.charges; "
             "print('pyomo' in sys.modules, 'highspy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, cwd=PACKAGE.parent).stdout.split()
    assert out == ["False", "False"]
    paths = sorted((PACKAGE / "tariffs").rglob("*.py")) + sorted((PACKAGE / "charges").rglob("*.py"))
    heavy = [str(p.relative_to(PACKAGE)) for p in paths if "pyomo" in _module_level_imports(p)]
    assert not heavy
    inside = [p for p in paths if "pyomo" in p.read_text(encoding="utf-8")]
    assert {p.name for p in inside} >= {"base.py", "contract_demand.py"}
