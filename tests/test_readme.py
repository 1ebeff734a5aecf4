"""The README's examples run: its ``energysim`` commands and its YAML snippets, taken from
the README itself.

Commands run in a scratch folder with the repository's files they name (``scenarios/...``,
``profiles/...``); ``run`` and ``sweep`` of the demo year are checked by ``validate`` and by
the sweep's grid checks instead of a five-minute solve (the demo year runs in
``tests/test_demo_year.py``), ``size`` runs on two weeks of the demo. The full scenario
snippet is validated as a file; every other snippet is merged into the demo scenario
(enterprises by id, mappings key by key, ``...`` standing for fields left out) and the
result validated.
"""

from __future__ import annotations

import copy
import io
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from energysim import load_scenario
from energysim.analysis.sweep_grid import check_grid
from energysim.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEMO = ROOT / "scenarios" / "chongqing_demo_park.yaml"
SHORT = {"start": "2025-07-14", "end": "2025-07-28", "resolution": "1h"}


def blocks(language: str) -> list[str]:
    """The README's fenced blocks in ``language``."""
    text = README.read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def commands() -> list[str]:
    """Each ``energysim`` command of the README's bash blocks, continuation lines joined,
    comments and optional ``[...]`` parts dropped."""
    found = []
    for block in blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = re.sub(r"\[[^\]]*\]", "", line.split("#")[0]).strip()
            line = line.split("&&")[-1].strip()
            if line.startswith("energysim "):
                found.append(line)
    return found


def _yaml() -> YAML:
    yaml = YAML()
    yaml.version = (1, 2)
    return yaml


def _demo_data() -> dict:
    data = _yaml().load(DEMO.read_text(encoding="utf-8"))
    data["horizon"] = dict(SHORT)
    return data


def _absolute(data, base: Path):
    """Relative profile paths of the demo made absolute (the snippet lives elsewhere)."""
    for ent in data.get("enterprises", []):
        load = ent.get("load")
        if isinstance(load, str) and not Path(load).is_absolute():
            ent["load"] = str((base / load).resolve())
        elif isinstance(load, dict) and "file" in load:
            load["file"] = str((base / load["file"]).resolve())
    return data


def _merge(base: dict, snippet: dict) -> dict:
    """``snippet`` on the demo's data: an enterprise's fields by its id, tariffs and cases
    by name, any other section replaced whole."""
    out = dict(base)
    for key, value in snippet.items():
        if key == "enterprises":
            ids = {e["id"]: i for i, e in enumerate(out["enterprises"])}
            out["enterprises"] = list(out["enterprises"])
            for ent in value:
                if ent["id"] in ids:
                    out["enterprises"][ids[ent["id"]]] = {**out["enterprises"][ids[ent["id"]]],
                                                          **ent}
                else:
                    out["enterprises"].append(ent)
        elif key in ("tariffs", "cases") and isinstance(value, dict):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def _alternatives(text: str) -> list[str]:
    """A snippet of an enterprise's fields, one alternative a line (``# or``), as snippets
    of the demo's first enterprise."""
    lines = [line.split("#")[0].rstrip() for line in text.splitlines() if line.strip()]
    return [f"enterprises:\n  - id: materials\n{line}" for line in lines]


def _dump(data, path: Path) -> Path:
    buffer = io.StringIO()
    _yaml().dump(data, buffer)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


GRID = next(b for b in blocks("yaml") if b.startswith("# grid.yaml"))
"""The README's sweep grid (checked with its sweep command)."""
SNIPPETS = [alternative for b in blocks("yaml") if b != GRID
            for alternative in (_alternatives(b) if b.startswith("    ") else [b])]


def test_the_readme_has_its_examples():
    assert len(commands()) >= 8 and len(SNIPPETS) >= 8


@pytest.mark.parametrize("command", commands())
def test_each_readme_command_runs(command, tmp_path, monkeypatch):
    args = shlex.split(command)[1:]
    args = [str(ROOT / a) if (ROOT / a).exists() and "/" in a else a for a in args]
    monkeypatch.chdir(tmp_path)
    if args[0] == "run":  # the demo year: checked, not solved here
        args = ["validate", args[1]]
    if args[0] == "size" and Path(args[1]) == DEMO:  # sized on the short span, not the year
        args[1] = str(_dump(_absolute(_demo_data(), DEMO.parent), tmp_path / "demo.yaml"))
    if args[0] == "sweep":  # with the README's grid, checked before any case would run
        grid = tmp_path / "grid.yaml"
        grid.write_text(GRID, encoding="utf-8")
        from energysim.analysis.sweep_grid import read_grid
        from energysim.yamlio import read_yaml

        data, _ = read_yaml(Path(args[1]))
        assert check_grid(grid, read_grid(grid), data) == []
        return
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"{command}\n{result.output}"


@pytest.mark.parametrize("number", range(len(SNIPPETS)))
def test_each_readme_snippet_validates(number, tmp_path):
    text = SNIPPETS[number]
    text = "\n".join(line for line in text.splitlines() if line.strip() != "...")
    snippet = _yaml().load(text)
    if "name" in snippet and "horizon" in snippet:  # a whole scenario, next to the demo's
        data = _absolute(copy.deepcopy(snippet), DEMO.parent)
        data["horizon"] = dict(SHORT)
    else:
        data = _absolute(_merge(_demo_data(), snippet), DEMO.parent)
    path = _dump(data, tmp_path / "snippet.yaml")
    if "spot_prices.csv" in text:  # the README's spot example names a file of the analyst's
        hours = 24 * 14
        (tmp_path / "spot_prices.csv").write_text(
            "timestamp,price_cny_per_kwh\n" + "".join(
                f"2025-07-{14 + h // 24:02d} {h % 24:02d}:00,0.4\n" for h in range(hours)),
            encoding="utf-8")
    load_scenario(path)
