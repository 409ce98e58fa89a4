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

__all__ = ["path_diagram_figure", "path_diagram_svg", "svg_text"]

_NS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_META = re.compile(r"<metadata>.*?</metadata>", re.S)

SQ_COLOUR = "#b0b7c3"
TARGET_COLOUR = "#f2c14e"
EQ_COLOUR = "#7cc6a4"
OTHER_COLOUR = "#ffffff"
COALITION_EDGE = "#c0392b"
DM_EDGE = "#2c3e50"
X_STEP = 5.0
"""Horizontal distance between the columns of a path diagram (data units)."""
Y_STEP = 1.3
"""Vertical distance between the states of one column (data units)."""
INCH_PER_UNIT = 0.75


def _on_arc(
    xa: float, ya: float, xb: float, yb: float, rad: float, t: float
) -> tuple[float, float]:
    """The point at parameter ``t`` of matplotlib's ``arc3`` curve from a to b."""
    mx, my = (xa + xb) / 2.0, (ya + yb) / 2.0
    cx, cy = mx + rad * (yb - ya), my - rad * (xb - xa)
    u = 1.0 - t
    return u * u * xa + 2 * u * t * cx + t * t * xb, u * u * ya + 2 * u * t * cy + t * t * yb


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
    """:func:`path_diagram_figure` as inline SVG; ``None`` without paths."""
    fig = path_diagram_figure(study, dm_names)
    return None if fig is None else svg_text(fig)


def path_diagram_figure(study: VariantStudy, dm_names: list[str] | None = None) -> Any:
    """A directed graph of the evolution paths of ``study``; ``None`` without paths.

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
    # a state's column is its furthest step on any shown path, so that a path's states
    # always go left to right (no arc inside a column); arcs that skip columns are curved
    depth: dict[int, int] = {sq: 0}
    edges: dict[tuple[int, int], str] = {}
    for named in study.paths:
        for d, mv in enumerate(named.path.steps, start=1):
            depth[mv.target] = max(depth.get(mv.target, d), d)
            edges[(mv.source, mv.target)] = "+".join(names[i] for i in mv.movers)
    layers: dict[int, list[int]] = {}
    for s, d in sorted(depth.items(), key=lambda x: (x[1], x[0])):
        layers.setdefault(d, []).append(s)
    dx, dy = X_STEP, Y_STEP
    pos: dict[int, tuple[float, float]] = {}
    for d, states in layers.items():
        k = len(states)
        for j, s in enumerate(states):
            pos[s] = (d * dx, dy * ((k - 1) / 2.0 - j))
    # an arc that skips columns bends over the states in between (rad < 0: upwards)
    bend: dict[tuple[int, int], float] = {}
    top = max(p[1] for p in pos.values())
    for a, b in edges:
        if depth[b] - depth[a] > 1:
            (xa, ya), (xb, yb) = pos[a], pos[b]
            over = max((pos[s][1] for s in pos if depth[a] < depth[s] < depth[b]), default=ya)
            rise = max(over + 0.75 - (ya + yb) / 2.0, 0.4)
            bend[(a, b)] = -2.0 * rise / max(xb - xa, 1e-9)
            top = max(top, (ya + yb) / 2.0 + rise / 2.0 + 0.3)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, x1 = min(xs) - 1.0, max(xs) + 1.6
    y0, y1 = min(ys) - 0.9, max(max(ys) + 0.8, top + 0.3)
    # one data unit is INCH_PER_UNIT inches, so fonts keep their size next to the nodes
    fig, ax = plt.subplots(figsize=((x1 - x0) * INCH_PER_UNIT, (y1 - y0) * INCH_PER_UNIT))
    ax.set_axis_off()
    target = study.target_state
    radius = 0.42
    for (a, b), label in edges.items():
        xa, ya = pos[a]
        xb, yb = pos[b]
        coalition = "+" in label
        rad = bend.get((a, b), 0.0)
        colour = COALITION_EDGE if coalition else DM_EDGE
        arrow = FancyArrowPatch(
            (xa, ya),
            (xb, yb),
            arrowstyle="-|>",
            mutation_scale=16,
            shrinkA=24,
            shrinkB=24,
            color=colour,
            linewidth=1.5,
            connectionstyle=f"arc3,rad={rad}",
        )
        ax.add_patch(arrow)
        # the label sits on the arc near its head: arcs fanning out of one state are
        # furthest apart there, so their labels do not overlap
        lx, ly = _on_arc(xa, ya, xb, yb, rad, 0.72)
        ax.text(
            lx,
            ly,
            label,
            ha="center",
            va="center",
            fontsize=9,
            color=colour,
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.95},
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
        ax.text(x, y, str(s + 1), ha="center", va="center", fontsize=10, weight="bold")
        if s == sq:
            ax.text(x, y - radius - 0.1, "status quo", ha="center", va="top", fontsize=9)
        elif s == target:
            ax.text(x + radius + 0.1, y, "target", ha="left", va="center", fontsize=9)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    return fig
