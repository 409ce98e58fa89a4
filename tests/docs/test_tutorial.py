"""docs/tutorial.ipynb runs from top to bottom (nbclient, a fresh kernel), so it cannot rot.

Bounded in time: each cell has :data:`CELL_TIMEOUT` seconds (the whole notebook takes
about half a minute, most of it the engine's first compilation). It runs in a scratch
folder, so it cannot lean on files of the checkout: the scenario comes from
``detente.seed_path()``. Every output stays small (no 500 KB reprs).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "tutorial.ipynb"
CELL_TIMEOUT = 300
MAX_OUTPUT = 100_000
"""Characters of one output (the figure's PNG is the largest, some 30 KB of base64)."""


def test_tutorial_runs_and_says_what_it_claims(tmp_path: Path) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # committed without outputs: the test's run is the only one that counts
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    texts = []
    images = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", out
            size = len(str(out))
            assert size < MAX_OUTPUT, (cell.source[:60], size)
            if out.output_type == "stream":
                texts.append(out.text)
            elif "data" in out:
                texts.append(str(out["data"].get("text/plain", "")))
                texts.append(str(out["data"].get("text/html", "")))
                images += "image/png" in out["data"]
    text = "\n".join(texts)
    # the claims the prose makes (scenarios/korea-2015.yaml; tests/scenario/test_korea.py)
    assert "united front: state 6159 NYYYNNNNNNNYY" in text
    assert "SEQ: state 6159 is unstable for United States." in text
    assert "detente-card" in text  # the HTML cards rendered
    # at the united front under the hard line: SEQ-unstable for the US, stable for China
    # and Russia (hand-derived in tests/scenario/test_korea.py)
    assert re.search(r"us\s+False", text) and re.search(r"china\s+True", text)
    assert re.search(r"russia\s+True", text)
    assert images == 1  # the drawing of the state graph
