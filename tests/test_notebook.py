"""The teaching notebook runs from top to bottom and shows what exercise 4 says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

NOTEBOOK = (
    Path(__file__).resolve().parent.parent / "docs" / "teaching" / "exercise_fear_and_crime.ipynb"
)
#: the English notebook and its Portuguese twin (same code, prose in pt-PT)
NOTEBOOKS = [NOTEBOOK, NOTEBOOK.parent / "pt" / NOTEBOOK.name]


def _stream_text(nb) -> str:
    return "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.output_type == "stream" and out.get("name") == "stdout"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=["en", "pt"])
def test_fear_and_crime_notebook_runs(tmp_path, notebook):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(notebook, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), (
        "commit the notebook without outputs"
    )
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    text = _stream_text(nb)
    afraid = float(re.search(r"Residents afraid \(insecurity > 0\.5\): ([\d.]+)%", text)[1])
    victim = float(re.search(r"victimised at least once in the year: ([\d.]+)%", text)[1])
    assert afraid > 2 * victim, text  # fear exceeds victimisation, as the exercise says
    assert "Change with lighting" in text
    images = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "image/png" in out.get("data", {})
    ]
    assert images, "the weekly plot was not drawn"
    nbformat.write(nb, tmp_path / "executed.ipynb")
