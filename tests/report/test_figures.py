"""The evolution-path figure is readable: fonts of at least 9 pt, no overlapping text,
and a size that grows with the layout (not squeezed into a thumbnail).

Korea, carpenter variant: the study shows 8 paths fanning out of the status quo (6
equilibria reached by a joint move of the US and the DPRK, the united front by one joint
move of all four, and the united front again in two steps through state 7951). Before,
the labels were 7 pt and the "dprk" label of the arc 7951 -> 6159 sat on the target's
"target" caption.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest

import detente
from detente.analysis.study import run_study

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figure():  # type: ignore[no-untyped-def]
    pytest.importorskip("matplotlib")
    from detente.report.figures import path_diagram_figure

    study = run_study(detente.load(ROOT / "scenarios" / "korea-2015.yaml"), variants=["carpenter"])
    fig = path_diagram_figure(study.variants[0])
    assert fig is not None
    fig.canvas.draw()
    yield fig
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_text_is_large_enough_and_never_overlaps(figure) -> None:  # type: ignore[no-untyped-def]
    texts = [t for ax in figure.axes for t in ax.texts if t.get_text()]
    assert len(texts) >= 10
    assert min(t.get_fontsize() for t in texts) >= 9
    renderer = figure.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    clashes = [(a, b) for (a, ba), (b, bb) in combinations(boxes, 2) if ba.overlaps(bb)]
    # a state id is drawn inside its circle, never on another text
    assert not clashes, clashes


def test_figure_is_not_a_thumbnail(figure) -> None:  # type: ignore[no-untyped-def]
    width, height = figure.get_size_inches()
    assert width >= 6 and height >= 4
