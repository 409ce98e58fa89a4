"""Figures and an HTML section for robustness sweeps (:mod:`detente.sweep`).

* :func:`robust_equilibria_figure`: horizontal bars, per concept, of the states most often an
  equilibrium across the sweep's variants (share of variants), with the share of variants in
  which each is reachable from the status quo.
* :func:`sensitivity_figure`: the factor levels (dropped or swapped statements, reversed
  uncertain pairs, levers, variants) with the largest effect on the target's answer.
* :func:`sweep_section_html`: both figures and the underlying tables as one ``<section>``
  for the HTML report (``report/html.py`` can call it with a
  :class:`~detente.sweep.results.SweepResult`).

matplotlib (Agg) is imported inside the functions, so importing this module is cheap. The
SVG is inlined via :func:`detente.report.figures.svg_text` (no external references).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from detente.report.figures import svg_text

if TYPE_CHECKING:
    from detente.sweep.results import SweepResult

__all__ = [
    "robust_equilibria_figure",
    "sensitivity_figure",
    "sweep_section_html",
]

_BAR = "#4c78a8"
_REACH = "#f2c14e"
_UP = "#59a14f"
_DOWN = "#e15759"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def robust_equilibria_figure(result: SweepResult, concept: str, top: int = 10) -> Any:
    """Bar chart: the ``top`` states most often a ``concept`` equilibrium (a Figure)."""
    plt = _pyplot()
    rows = result.robust_equilibria(concept, top)
    fig, ax = plt.subplots(figsize=(7, 0.45 * max(len(rows), 1) + 1.2))
    labels = [result.pattern(c) for c, _ in rows]
    probs = [p for _, p in rows]
    y = list(range(len(rows)))
    ax.barh(y, probs, color=_BAR, height=0.6, label=f"{concept.upper()} equilibrium")
    reach = result.probability.get("reach")
    if reach is not None:
        ax.scatter(
            [float(reach[c]) for c, _ in rows],
            y,
            color=_REACH,
            zorder=3,
            label="reachable from the status quo",
            marker="D",
            s=28,
        )
    ax.set_yticks(y, labels, fontfamily="monospace")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel(f"share of {result.n_variants:,} variants")
    ax.set_title(f"Most robust {concept.upper()} equilibria")
    ax.legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    return fig


def sensitivity_figure(
    result: SweepResult, concept: str, top: int = 10, code: int | None = None
) -> Any | None:
    """Bars of the largest effects on a state's ``concept`` answer (default: the target);
    ``None`` when no state is given or nothing has an effect."""
    effects = [e for e in result.sensitivity(concept, code) if e.effect][:top]
    if not effects:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(effects) + 1.2))
    y = list(range(len(effects)))
    ax.barh(
        y,
        [e.effect for e in effects],
        color=[_UP if e.effect > 0 else _DOWN for e in effects],
        height=0.6,
    )
    ax.set_yticks(y, [_short(e.level) for e in effects], fontsize="small")
    ax.invert_yaxis()
    ax.axvline(0, color="#333", lw=0.8)
    ax.set_xlim(-1, 1)
    state = result.pattern(code if code is not None else result.target_code or 0)
    ax.set_xlabel(f"change in P({state} is a {concept.upper()} equilibrium)")
    ax.set_title("What the answer is most sensitive to")
    fig.tight_layout()
    return fig


def _short(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def sweep_section_html(sweep_result: SweepResult, *, top: int = 10) -> str:
    """One self-contained ``<section>``: robust equilibria and sensitivity (figures and
    tables) for every concept of the sweep."""
    r = sweep_result
    parts = [
        '<section class="sweep" id="sweep">',
        f"<h2>Robustness: {escape(r.name)}</h2>",
        f"<p>{r.n_variants:,} variants of the model (of {r.n_planned:,} planned). A state's "
        "probability is the share of variants in which it is an equilibrium; "
        "&ldquo;reachable&rdquo; is the share in which it can be reached from the status quo "
        "by unilateral improvements.</p>",
    ]
    reach = r.probability.get("reach")
    if r.target_code is not None:
        t = r.target_code
        cells = "".join(f"<td>{float(v[t]):.3f}</td>" for v in r.probability.values())
        heads = "".join(f"<th>{escape(k)}</th>" for k in r.probability)
        parts.append(
            f"<h3>Target <code>{escape(r.pattern(t))}</code></h3>"
            f"<table><tr>{heads}</tr><tr>{cells}</tr></table>"
        )
    for c in r.concepts:
        parts.append(f"<h3>{escape(c.upper())}</h3>")
        parts.append(svg_text(robust_equilibria_figure(r, c, top)))
        rows = "".join(
            f"<tr><td><code>{escape(r.pattern(code))}</code></td><td>{p:.3f}</td>"
            + (f"<td>{float(reach[code]):.3f}</td>" if reach is not None else "")
            + "</tr>"
            for code, p in r.robust_equilibria(c, top)
        )
        head = "<th>reachable</th>" if reach is not None else ""
        parts.append(f"<table><tr><th>state</th><th>P(equilibrium)</th>{head}</tr>{rows}</table>")
        fig = sensitivity_figure(r, c, top)
        if fig is not None:
            parts.append(svg_text(fig))
            eff = "".join(
                f"<tr><td>{escape(e.level)}</td><td>{e.effect:+.3f}</td>"
                f"<td>{e.p_with:.3f}</td><td>{e.p_without:.3f}</td><td>{e.n_with}</td></tr>"
                for e in [e for e in r.sensitivity(c) if e.effect][:top]
            )
            parts.append(
                "<table><tr><th>change</th><th>effect</th><th>P with</th><th>P without</th>"
                f"<th>variants with</th></tr>{eff}</table>"
            )
    parts.append("</section>")
    return "\n".join(parts)
