"""The notebooks in notebooks/ run end to end on a short horizon, so that they never rot.

Each notebook is executed in memory (nothing is written back) in a ``python3`` kernel whose
working folder is notebooks/, with ``HORIZON_DAYS`` and ``WORKERS`` set by a cell inserted
after the cell tagged ``parameters``, as papermill does.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PARAMETERS = {"HORIZON_DAYS": 7, "WORKERS": 2}
EXPECTED = {
    # notebook: text its last cell prints
    "01_quick_start.ipynb": "park savings against the baseline [CNY]: current_pv_storage",
    "02_custom_constraint.ipynb": "CNY per t avoided",
    "03_midday_valley_policy.ipynb": "midday_valley_pv_storage: park cost",
}
TIMEOUT_S = 600


def with_parameters(nb: nbformat.NotebookNode, parameters: dict) -> nbformat.NotebookNode:
    """Insert a cell that sets ``parameters`` after the cell tagged ``parameters``."""
    tagged = [i for i, cell in enumerate(nb.cells) if "parameters" in cell.metadata.get("tags", [])]
    assert len(tagged) == 1, f"need one cell tagged 'parameters', found {len(tagged)}"
    source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(tagged[0] + 1, cell)
    return nb


def text_outputs(cell: nbformat.NotebookNode) -> str:
    """What a code cell printed or displayed as text."""
    parts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "".join(parts)


def test_notebooks_are_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_is_committed_without_outputs(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.outputs or cell.execution_count is not None)]
    assert not dirty, f"{name}: clear the outputs of cells {dirty} before committing"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs(name):
    nb = with_parameters(nbformat.read(NOTEBOOKS / name, as_version=4), PARAMETERS)
    NotebookClient(nb, timeout=TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors, f"{name}: {errors}"
    last = text_outputs(code[-1])
    assert EXPECTED[name] in last, f"{name}: the last cell printed\n{last}"
    figures = sum("image/png" in o.get("data", {}) for cell in code for o in cell.outputs)
    assert figures >= 1, f"{name}: no figure was drawn"
