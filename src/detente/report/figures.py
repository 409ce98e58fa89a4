"""Figures for the HTML report, drawn with matplotlib (Agg) and returned as inline SVG text.

Only the part of the graph that matters is drawn: the status quo, the target, and the states
on the evolution paths a :class:`~detente.analysis.study.VariantStudy` recorded. matplotlib is
imported inside the functions (it is the optional ``report`` extra), so importing this module
costs nothing.

The SVG is cleaned for inlining in one self-contained HTML page: no XML prologue, no DOCTYPE,
no metadata block and no namespace URLs, so the page makes no reference to any address.
"""

from __future__ import annotations

import re
from io import StringIO
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from detente.analysis.study import VariantStudy

__all__ = ["path_diagram_svg", "svg_text"]

_NS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_META = re.compile(r"<metadata>.*?</metadata>", re.S)

SQ_COLOUR = "#b0b7c3"
TARGET_COLOUR = "#f2c14e"
EQ_COLOUR = "#7cc6a4"
OTHER_COLOUR = "#ffffff"
COALITION_EDGE = "#c0392b"
DM_EDGE = "#2c3e50"


def svg_text(fig: Any) -> str:
    """The figure as an ``<svg>`` element ready to inline in HTML (then closes the figure)."""
    import matplotlib
    import matplotlib.pyplot as plt

    buf = StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "detente"}):
        fig.savefig(
            buf,
            format="svg",
            bbox_inches="tight",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    plt.close(fig)
    text = buf.getvalue()
    text = text[text.find("<svg") :]
    text = _META.sub("", text)
    text = _NS.sub("", text)
    return text.strip()


def path_diagram_svg(study: VariantStudy, dm_names: list[str] | None = None) -> str | None:
    """A small directed graph of the evolution paths of ``study``; ``None`` without paths.

    ``dm_names`` label the arcs (default: the DM ids, which are short). Nodes are states
    (labelled by id), placed left to right by their step on the path from the status quo;
    arcs are moves labelled by the mover (a DM) or the coalition (red, members joined by
    ``+``). The status quo is grey, the target gold, equilibria under the
    headline concepts green.
    """
    if not study.paths or study.status_quo is None:
        return None
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    model = study.model
    names = dm_names or list(model.dm_names)
    sq = study.status_quo.status_quo
    depth: dict[int, int] = {sq: 0}
    edges: dict[tuple[int, int], str] = {}
    for named in study.paths:
        for d, mv in enumerate(named.path.steps, start=1):
            depth[mv.target] = min(depth.get(mv.target, d), d)
            label = "+".join(names[i] for i in mv.movers)
            edges[(mv.source, mv.target)] = label
    layers: dict[int, list[int]] = {}
    for s, d in sorted(depth.items(), key=lambda x: (x[1], x[0])):
        layers.setdefault(d, []).append(s)
    pos: dict[int, tuple[float, float]] = {}
    for d, states in layers.items():
        k = len(states)
        for j, s in enumerate(states):
            pos[s] = (d * 3.6, 1.15 * ((k - 1) / 2.0 - j))
    n_layers = max(layers) + 1
    tallest = max(len(v) for v in layers.values())
    fig, ax = plt.subplots(figsize=(2.2 + 2.8 * n_layers, 0.9 + 0.9 * tallest))
    ax.set_axis_off()
    target = study.target_state
    radius = 0.42
    for (a, b), label in edges.items():
        xa, ya = pos[a]
        xb, yb = pos[b]
        coalition = "+" in label
        arrow = FancyArrowPatch(
            (xa, ya),
            (xb, yb),
            arrowstyle="-|>",
            mutation_scale=14,
            shrinkA=19,
            shrinkB=19,
            color=COALITION_EDGE if coalition else DM_EDGE,
            linewidth=1.4,
            connectionstyle="arc3,rad=0.0",
        )
        ax.add_patch(arrow)
        t = 0.62
        ax.text(
            xa + t * (xb - xa),
            ya + t * (yb - ya),
            label,
            ha="center",
            va="center",
            fontsize=7,
            color=COALITION_EDGE if coalition else DM_EDGE,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9},
        )
    for s, (x, y) in pos.items():
        eq = bool(study.equilibrium_concepts(s))
        colour = (
            SQ_COLOUR
            if s == sq
            else TARGET_COLOUR
            if s == target
            else EQ_COLOUR
            if eq
            else OTHER_COLOUR
        )
        ax.add_patch(plt.Circle((x, y), radius, facecolor=colour, edgecolor="#333333", lw=1.2))
        ax.text(x, y, str(s + 1), ha="center", va="center", fontsize=9, weight="bold")
        tag = "status quo" if s == sq else "target" if s == target else ""
        if tag:
            ax.text(x, y - radius - 0.08, tag, ha="center", va="top", fontsize=7, style="italic")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.7)
    ax.set_aspect("equal")
    return svg_text(fig)
