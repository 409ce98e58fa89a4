"""One self-contained HTML report of a :class:`~detente.analysis.study.Study`.

:func:`render_html` returns the page as a string: inline CSS, figures as inline SVG (see
:mod:`detente.report.figures`), no script, no external address. Every sentence is generated
from the study's results, with the scenario's own names (variant names and descriptions,
DM names, option labels): nothing here knows any particular conflict. All text taken from the
scenario is escaped.

Sections: summary (the five questions and where the strategy fails), the model, the variants
compared, stability per variant (tableaux, coalitions, evolution paths), concessions,
sensitivity, method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from detente.report._prose import (
    MAX_LISTED,
    _adjusted,
    _describe_target_answers,
    _equilibria_phrase,
    _factor_sets,
    _flip_changes,
    _join,
    _lever_text,
    _movers,
    _path_words,
    _plural,
    _reach_sentence,
    _refs,
    _route_phrase,
    _sid,
    _statement_words,
    e,
    title,
)
from detente.report.summary import FAILURES, IN_BRIEF, summary_lines

if TYPE_CHECKING:
    from detente.analysis.concessions import ConcessionResult
    from detente.analysis.status_quo import EvolutionPath
    from detente.analysis.study import Study, VariantStudy
    from detente.model.conflict import Conflict

__all__ = ["render_html", "summary_lines"]

CHECK = "✓"
CROSS = "✗"
MAX_TABLEAU_COLUMNS = 12
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;
background:#fafbfc;line-height:1.45}
main{max-width:1180px;margin:0 auto;padding:1.5rem 2rem 4rem}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.6rem;border-bottom:2px solid #dfe3ea;
padding-bottom:.2rem}h3{margin-top:1.8rem}h4{margin:1.2rem 0 .4rem}
.sub{color:#5a6372;margin-top:0}.note{color:#5a6372;font-size:.9rem}
table{border-collapse:collapse;margin:.6rem 0 1rem;font-size:.86rem;background:#fff}
th,td{border:1px solid #dfe3ea;padding:.22rem .45rem;vertical-align:top}
th{background:#f1f3f7;text-align:left}td.c,th.c{text-align:center}
tr.dm td{background:#eef2f8;font-weight:600}
td.y{color:#1e7d4f;font-weight:600;text-align:center}td.n{color:#8a93a3;text-align:center}
td.chg{background:#fff3c4;outline:1px solid #e0b400}
td.ok{color:#1e7d4f;text-align:center;font-weight:700}td.no{color:#b03a2e;text-align:center}
td.warn{color:#8a5a00;background:#fff3c4;text-align:center;font-weight:600}
td.q{font-style:italic;color:#434b59;max-width:34rem}
th.sq,td.sq{background:#eceff4}th.tg,td.tg{background:#fdf3d6}
th.arrow{background:#fff;color:#8e2c22;font-weight:600;text-align:center;white-space:nowrap}
tr.min td{background:#eaf7ef}
.summary{background:#fff;border:1px solid #dfe3ea;border-left:5px solid #3b6fb6;
padding:.6rem 1.2rem;border-radius:4px}
.summary h3{margin-top:1rem;font-size:1.05rem}
.fail{border-left-color:#b03a2e}.brief{border-left-color:#1e7d4f;font-size:1.05rem}
.figure{background:#fff;border:1px solid #dfe3ea;padding:.4rem;display:inline-block;
max-width:100%;overflow-x:auto}
.figure svg{max-width:100%;height:auto}
.scroll{overflow-x:auto}
details{margin:.5rem 0}summary{cursor:pointer;color:#3b6fb6}
nav ul{columns:2;font-size:.9rem}
code{background:#f1f3f7;padding:0 .2rem;border-radius:3px}
"""


# ------------------------------------------------------------------ helpers
def _verdict_cell(value: bool | None) -> str:
    if value is None:
        return '<td class="c">–</td>'
    return f'<td class="ok">{CHECK}</td>' if value else f'<td class="no">{CROSS}</td>'


def _state_tags(vs: VariantStudy, s: int) -> list[str]:
    tags = []
    if vs.model.status_quo == s:
        tags.append("status quo")
    if vs.target_state == s:
        tags.append("target")
    return tags


# --------------------------------------------------------------- summary
def _model_section(study: Study) -> str:
    conflict = study.conflict
    base = study.variants[0]
    sq = conflict.status_quo
    target = study.spec.target
    rows = []
    head = "<tr><th>#</th><th>option</th><th>label</th><th class='c'>status quo</th>"
    if target is not None:
        head += f"<th class='c'>{e(study.spec.target_name)}</th>"
    head += "<th>reversible</th><th>quote</th></tr>"
    ncol = 6 + (1 if target is not None else 0)
    for d in conflict.decision_makers:
        q = f' — <span class="q">“{e(d.quote)}”</span>' if d.quote else ""
        rows.append(f'<tr class="dm"><td colspan="{ncol}">{e(d.title)}{q}</td></tr>')
        for k in conflict.options_of(d.id):
            o = conflict.options[k]
            ref = conflict.option_ref(k)
            sqv = "–" if sq is None else ("Y" if sq >> k & 1 else "N")
            cells = [
                f"<td>{k + 1}</td>",
                f"<td><code>{e(ref)}</code></td>",
                f"<td>{e(o.title)}</td>",
                f'<td class="{"y" if sqv == "Y" else "n"}">{sqv}</td>',
            ]
            if target is not None:
                tv = "Y" if target.get(ref) else "N"
                cells.append(f'<td class="{"y" if tv == "Y" else "n"}">{tv}</td>')
            rev = {"both": "both ways", "up": "N→Y only", "down": "Y→N only"}[o.reversibility]
            cells.append(f"<td>{rev}</td>")
            cells.append(f'<td class="q">{"“" + e(o.quote) + "”" if o.quote else ""}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
    n_states = base.model.n_states if base.name == "base" else None
    info = (
        f"{_plural(len(conflict.decision_makers), 'decision maker')}, "
        f"{_plural(conflict.n_options, 'option')}"
        + (f", {n_states:,} feasible states" if n_states is not None else "")
        + "."
    )
    prefs = [_preference_list(conflict, d.id) for d in conflict.decision_makers]
    from detente.stability.misperception import misperception_summary

    mis = misperception_summary(base.model)
    if mis is not None:
        info += f" {e(mis)}"
    return (
        '<h2 id="model">The model</h2>'
        f"<p>{info} Options grouped by decision maker, with the status quo"
        + (f" and the {e(study.spec.target_name)}" if target is not None else "")
        + ", and the source's words for each.</p>"
        f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'
        "<details><summary>Preference statements of the base model</summary>"
        + "".join(prefs)
        + "</details>"
    )


def _preference_list(conflict: Conflict, dm_id: str, base: Conflict | None = None) -> str:
    """A DM's preference statements in words (labels, the raw statement as a tooltip);
    with ``base``, statements the base model does not have are marked new, and the base
    model's statements this one lacks are listed as dropped."""
    d = conflict.dm(dm_id)
    pref = conflict.preferences.get(dm_id)
    if pref is None:
        return ""
    if not hasattr(pref, "statements"):
        return f"<h4>{e(d.title)}</h4><p>An explicit ranking of the states.</p>"
    old = getattr(base.preferences.get(dm_id), "statements", ()) if base is not None else ()
    old_texts = [st.text for st in old]
    items: list[str] = []
    for st in pref.statements:  # type: ignore[union-attr]
        w = f" (weight {st.weight})" if st.weight is not None else ""
        qq = f' <span class="q">“{e(st.quote)}”</span>' if st.quote else ""
        nn = f' <span class="note">{e(st.note)}</span>' if st.note else ""
        new = ""
        if base is not None and st.text not in old_texts:
            new = " <strong>(new)</strong>"
        elif base is not None and old_texts.index(st.text) != len(items):
            new = f" <strong>(was {old_texts.index(st.text) + 1})</strong>"
        words = _statement_words(conflict, st.text)
        items.append(f"<li><span title='{e(st.text)}'>{words}</span>{w}{new}{qq}{nn}</li>")
    kind = "most important first" if pref.kind == "prioritization" else "weighted"
    texts = [st.text for st in pref.statements]  # type: ignore[union-attr]
    dropped = [t for t in old_texts if t not in texts]
    gone = (
        "<p class='note'>Dropped from the base model: "
        + "; ".join(_statement_words(base, t) for t in dropped)
        + ".</p>"
        if dropped and base is not None
        else ""
    )
    return f"<h4>{e(d.title)} ({kind})</h4><ol>{''.join(items)}</ol>{gone}"


def _variant_changes(study: Study, vs: VariantStudy) -> str:
    """What the variant changes in the base model: overrides in words, and each DM's
    preference statements as the variant has them (new ones marked)."""
    raw = study.conflict.variants.get(vs.name)
    if not isinstance(raw, dict):
        return ""
    base = study.conflict
    lines = []
    chain = [vs.name]
    while isinstance(raw.get("extends"), str) and raw["extends"] not in chain:
        chain.append(raw["extends"])
        lines.append(f"Starts from variant {e(raw['extends'])}.")
        nxt = base.variants.get(raw["extends"])
        if not isinstance(nxt, dict):
            break
        merged = {**nxt, **{k: v for k, v in raw.items() if k != "extends"}}
        for key in ("preferences", "fix"):  # mappings add up along the chain
            if isinstance(nxt.get(key), dict) and isinstance(raw.get(key), dict):
                merged[key] = {**nxt[key], **raw[key]}
        raw = merged
    fixed = raw.get("fix")
    if isinstance(fixed, dict) and fixed:
        vals = [
            f"‘{e(_ref_words(base, str(r)))}’ at {'Y' if v in (True, 'Y', 'y') else 'N'}"
            for r, v in fixed.items()
        ]
        lines.append("Holds " + _join(vals) + ".")
    removed = raw.get("remove_options")
    if isinstance(removed, list) and removed:
        lines.append("Removes " + _refs(base, [str(r) for r in removed]) + ".")
    added = raw.get("add_decision_makers")
    if isinstance(added, list) and added:
        names = [str(a.get("name") or a.get("id")) for a in added if isinstance(a, dict)]
        lines.append("Adds " + _join([e(n) for n in names]) + ".")
    if raw.get("status_quo") is not None:
        lines.append("Sets its own status quo.")
    changed = raw.get("preferences")
    prefs = ""
    if isinstance(changed, dict) and changed:
        who = [
            vs.conflict.dm(str(d)).title if str(d) in vs.conflict.dm_ids else str(d)
            for d in changed
        ]
        lines.append("Replaces the preferences of " + _join([e(w) for w in who]) + ".")
        prefs = "".join(
            _preference_list(vs.conflict, str(d), base)
            for d in changed
            if str(d) in vs.conflict.dm_ids
        )
    if not lines:
        return ""
    body = "<p>" + " ".join(lines) + "</p>"
    if prefs:
        body += (
            "<details><summary>Preference statements changed by this variant</summary>"
            + prefs
            + "</details>"
        )
    return "<h4>What this variant changes</h4>" + body


def _ref_words(conflict: Conflict, ref: str) -> str:
    try:
        return conflict.options[conflict.resolve_option(ref)].title
    except (KeyError, ValueError):
        return ref


def _variants_section(study: Study) -> str:
    concepts = study.variants[0].result.concepts
    head = "<tr><th>variant</th><th>description</th><th class='c'>states</th>"
    head += "".join(f"<th class='c'>{title(c)}</th>" for c in concepts)
    if study.has_target:
        head += f"<th class='c'>{e(study.spec.target_name)}: stable under</th>"
        head += (
            "<th class='c'>stable if reached</th><th class='c'>by separate moves</th>"
            "<th class='c'>with coalitions of interest</th>"
            "<th class='c'>only by a joint deal of all</th>"
        )
    head += "</tr>"
    rows = []
    for v in study.variants:
        tags = []
        if v.name == study.main:
            tags.append("under study")
        if v.name == study.baseline and study.baseline != study.main:
            tags.append("baseline")
        name = e(v.name) + (f"<br><span class='note'>{', '.join(tags)}</span>" if tags else "")
        cells = [f"<td><a href='#v-{e(v.name)}'>{name}</a></td>", f"<td>{e(v.description)}</td>"]
        cells.append(f"<td class='c'>{v.model.n_states:,}</td>")
        for c in concepts:
            cells.append(f"<td class='c'>{len(v.result.equilibrium_indices(c)):,}</td>")
        if study.has_target:
            if v.target_state is None:
                cells.append("<td class='no'>infeasible</td>")
            else:
                ok = [title(c) for c in concepts if v.target_stable(c)]
                cls = "ok" if v.target_stable(study.headline) else "no"
                cells.append(f"<td class='{cls}'>{', '.join(ok) if ok else 'none'}</td>")
            route = v.target_route()
            cells.append(_verdict_cell(v.target_stable(study.headline)))
            cells += _route_cells(route)
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<h2 id="variants">Variants compared</h2>'
        "<p>Number of equilibria under each solution concept"
        + (f", and the verdicts on the {e(study.spec.target_name)}" if study.has_target else "")
        + ".</p>"
        f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'
    )


def _route_cells(route: str | None) -> list[str]:
    """Three cells that keep apart *reached by separate moves*, *with the coalitions of
    interest* and *only by a joint deal of all*: a ✓ under coalitions never stands for a
    route that needs everyone to move at once."""
    if route is None:
        return ['<td class="c">–</td>'] * 3
    if route == "status quo":
        return ['<td class="ok" colspan="3">the status quo</td>']
    uni = route == "separate moves"
    coal = route in ("separate moves", "coalition moves")
    deal = route == "joint deal"
    return [
        _verdict_cell(uni),
        _verdict_cell(coal),
        '<td class="warn">needs all</td>' if deal else '<td class="c">–</td>',
    ]


def _tableau(vs: VariantStudy, states: Sequence[int]) -> str:
    conflict, model = vs.conflict, vs.model
    head = "<tr><th>state</th>"
    for s in states:
        tags = _state_tags(vs, s)
        cls = "sq" if "status quo" in tags else "tg" if "target" in tags else "c"
        extra = "<br><span class='note'>" + ", ".join(tags) + "</span>" if tags else ""
        head += f"<th class='{cls}'>{s + 1}{extra}</th>"
    head += "</tr>"
    rows = []
    for d in conflict.decision_makers:
        rows.append(f'<tr class="dm"><td colspan="{len(states) + 1}">{e(d.title)}</td></tr>')
        for k in conflict.options_of(d.id):
            cells = [f"<td>{e(conflict.options[k].title)}</td>"]
            for s in states:
                on = int(model.codes[s]) >> k & 1
                cells.append(f'<td class="{"y" if on else "n"}">{"Y" if on else "N"}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
    for c in vs.result.concepts:
        cells = [f"<th>{title(c)}</th>"]
        for s in states:
            ok = bool(vs.result.stable[c][:, s].all())
            cells.append(f'<td class="ok">{CHECK}</td>' if ok else "<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if vs.status_quo is not None:
        for label, dist in (
            ("steps from status quo", vs.status_quo.distance),
            ("… with coalitions (or all at once)", vs.status_quo.distance_coalition),
        ):
            cells = [f"<th>{label}</th>"]
            for s in states:
                steps = int(dist[s])
                cells.append(f"<td class='c'>{steps if steps >= 0 else '–'}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def _coalition_table(study: Study, vs: VariantStudy) -> str:
    co = vs.coalition
    if co is None:
        return ""
    concepts = list(co.stable)
    labels = [_movers(vs.conflict, c) for c in co.coalitions]
    t = vs.target_state
    head = "<tr><th>coalition</th>"
    if t is not None:
        head += "".join(
            f"<th class='c'>{e(study.spec.target_name)}: {title(c)}</th>" for c in concepts
        )
    sq = vs.model.status_quo
    if sq is not None:
        head += "".join(f"<th class='c'>status quo: {title(c)}</th>" for c in concepts)
    head += "</tr>"
    rows = []
    for ci, label in enumerate(labels):
        cells = [f"<td>{e(label)}</td>"]
        if t is not None:
            cells += [_verdict_cell(bool(co.stable[c][ci, t])) for c in concepts]
        if sq is not None:
            cells += [_verdict_cell(bool(co.stable[c][ci, sq])) for c in concepts]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    counts = "; ".join(f"{title(c)}: {len(co.equilibria(c)):,}" for c in concepts)
    return (
        "<h4>Coalitions</h4>"
        "<p>Stability for each coalition (a coalition is stable at a state when it has no "
        "joint improvement, or every joint improvement can be sanctioned by the others; "
        "Kilgour, Hipel, Fang and Peng 2001; Inohara and Hipel 2008). Coalition equilibria "
        "(stable for every coalition listed): "
        f"{counts}.</p>"
        f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'
    )


def _evolution_table(vs: VariantStudy, path: EvolutionPath) -> str:
    conflict, model = vs.conflict, vs.model
    states = list(path.states)
    head = "<tr><th>option</th>"
    for j, s in enumerate(states):
        tags = _state_tags(vs, s)
        cls = "sq" if "status quo" in tags else "tg" if "target" in tags else "c"
        extra = "<br><span class='note'>" + ", ".join(tags) + "</span>" if tags else ""
        head += f"<th class='{cls}'>{s + 1}{extra}</th>"
        if j < len(path.steps):
            who = _movers(conflict, path.steps[j].movers)
            head += f"<th class='arrow'>→ {e(who)} →</th>"
    head += "</tr>"
    rows = []
    width = 2 * len(states)
    for d in conflict.decision_makers:
        rows.append(f'<tr class="dm"><td colspan="{width}">{e(d.title)}</td></tr>')
        for k in conflict.options_of(d.id):
            cells = [f"<td>{e(conflict.options[k].title)}</td>"]
            for j, s in enumerate(states):
                on = int(model.codes[s]) >> k & 1
                changed = j > 0 and (int(model.codes[states[j - 1]]) ^ int(model.codes[s])) >> k & 1
                cls = ("y" if on else "n") + (" chg" if changed else "")
                mark = "Y" if on else "N"
                cells.append(f'<td class="{cls}">{mark}{" ←" if changed else ""}</td>')
                if j < len(path.steps):
                    cells.append("<td></td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def _paths_block(study: Study, vs: VariantStudy) -> str:
    if vs.status_quo is None:
        return "<p class='note'>No status quo: evolution paths are not analysed.</p>"
    parts = ["<h4>Evolution from the status quo</h4>"]
    if not vs.paths:
        sq = vs.status_quo.status_quo
        conc = vs.equilibrium_concepts(sq)
        msg = "No equilibrium other than the status quo can be reached from it"
        if conc:
            msg += (
                f"; the status quo is itself an equilibrium under {_join([title(c) for c in conc])}"
            )
        parts.append(f"<p>{msg}.</p>")
        if study.has_target and vs.target_state is not None:
            parts.append(
                f"<p>The {e(study.spec.target_name)} cannot be reached from the status quo.</p>"
            )
        return "".join(parts)
    from detente.report.figures import path_diagram_svg

    svg = path_diagram_svg(vs)
    if svg:
        parts.append(
            '<div class="figure">' + svg + "</div>"
            "<p class='note'>Grey: status quo; gold: target; green: equilibrium (any concept). "
            "Dark arrows are unilateral improvements, red arrows joint improvements of a "
            "coalition; arrows are labelled with the DM ids ("
            + e(", ".join(f"{d.id} = {d.title}" for d in vs.conflict.decision_makers))
            + ").</p>"
        )
    if study.has_target and not any(p.kind == "target" for p in vs.paths):
        parts.append(
            "<p>No evolution path leads from the status quo to the "
            f"{e(study.spec.target_name)}.</p>"
        )
    for p in vs.paths:
        if p.kind == "target":
            what = f"to the {e(study.spec.target_name)} ({_sid(p.state)})"
        else:
            conc = vs.equilibrium_concepts(p.state)
            what = f"to {_sid(p.state)}, an equilibrium under {_join([title(c) for c in conc])}"
        how = "with coalition moves" if p.coalitions else "by unilateral improvements"
        parts.append(
            f"<details{' open' if p.kind == 'target' else ''}><summary>Shortest path {what}, "
            f"{how} ({_plural(len(p.path.steps), 'step')})</summary>"
            f"<p>{_path_words(vs, p.path, _sid(p.state))}</p>"
            + _evolution_table(vs, p.path)
            + "</details>"
        )
    return "".join(parts)


def _variant_section(study: Study, vs: VariantStudy) -> str:
    states, total = vs.featured_states(MAX_TABLEAU_COLUMNS)
    tag = " (under study)" if vs.name == study.main else ""
    parts = [f'<h3 id="v-{e(vs.name)}">{e(vs.name)}{tag}</h3>']
    if vs.description:
        parts.append(f"<p>{e(vs.description)}</p>")
    parts.append(
        "<p>" + "; ".join(e(_equilibria_phrase(vs, c)) for c in vs.result.concepts) + ".</p>"
    )
    if study.has_target:
        parts.append(f"<p>{_describe_target_answers(study, vs)} {_reach_sentence(study, vs)}</p>")
        if _adjusted(vs):
            parts.append(
                "<p class='note'>The target is infeasible as written in this variant; "
                f"{_adjusted(vs)} take the value the variant holds them at.</p>"
            )
    parts.append(_variant_changes(study, vs))
    shown_eq = len([s for s in states if vs.equilibrium_concepts(s)])
    parts.append(
        "<h4>Tableau</h4><p class='note'>Columns: the status quo"
        + (", the target" if study.has_target else "")
        + f" and {shown_eq} of {total:,} states that are an equilibrium under at least one "
        "concept (most robust first, then nearest to the status quo). ✓ marks an "
        "equilibrium.</p>"
    )
    parts.append(_tableau(vs, states))
    parts.append(_coalition_table(study, vs))
    parts.append(_paths_block(study, vs))
    return "".join(parts)


def _concession_section(study: Study) -> str:
    if not study.has_target or not study.spec.levers:
        return ""
    main = study.main_study
    parts = ['<h2 id="concessions">Concessions</h2>']
    ca = main.concessions
    tname = e(study.spec.target_name)
    if ca is None:
        parts.append(
            f"<p>Not analysed under {e(main.name)} (no feasible target or no status quo).</p>"
        )
    else:
        conflict = main.conflict
        parts.append(
            f"<p>Under <strong>{e(main.name)}</strong>: for every set L of the levers, the state "
            f"tested is the {tname} with the levers outside L kept at their status quo value. "
            "A set is <em>sufficient</em> for a criterion when that state meets it, "
            "<em>minimal</em> when no smaller set does, and a lever is <em>necessary</em> "
            f"when it is in every sufficient set. Rows of minimal {title(study.headline)} "
            "sets are shaded.</p>"
        )
        crit_cols = [c for c in ca.criteria if c in main.result.concepts]
        head = "<tr>" + "".join(
            f"<th class='c' title='{e(conflict.options[k].title)}'>L{j + 1}</th>"
            for j, k in enumerate(ca.levers)
        )
        head += (
            "<th class='c'>state</th>"
            + "".join(f"<th class='c'>{title(c)}</th>" for c in crit_cols)
            + "<th>how the state could come about</th></tr>"
        )
        legend = "; ".join(f"L{j + 1} = {e(_lever_text(main, k))}" for j, k in enumerate(ca.levers))
        minimal = {tuple(m) for m in ca.minimal_sufficient(study.headline)}
        rows = []
        for ls in ca.sets:
            cls = " class='min'" if tuple(sorted(ls.levers)) in minimal else ""
            cells = [f"<td class='c'>{'●' if k in ls.levers else ''}</td>" for k in ca.levers]
            cells.append(f"<td class='c'>{ls.state + 1 if ls.state >= 0 else 'infeasible'}</td>")
            cells += [_verdict_cell(ls.met[c]) for c in crit_cols]
            cells.append(f"<td>{e(_route_phrase(main, ls.state)) if ls.state >= 0 else '–'}</td>")
            rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        summary_rows = []
        groups: dict[tuple[object, ...], list[str]] = {}
        for c in [*crit_cols, *(["reach"] if "reach" in ca.criteria else [])]:
            key = (tuple(ca.minimal_sufficient(c)), ca.necessary(c), len(ca.sufficient(c)))
            label = "reached by separate moves" if c == "reach" else f"{title(c)}-stable"
            groups.setdefault(key, []).append(label)
        for (mins, nec, n_suff), labels in groups.items():
            assert isinstance(mins, tuple) and isinstance(nec, tuple)
            summary_rows.append(
                f"<tr><td>{'; '.join(e(x) for x in labels)}</td><td>{n_suff:,}</td><td>"
                + (_sets_with_states(main, ca, list(mins), short=True) or "none")
                + "</td><td>"
                + (_join([f"L{ca.levers.index(k) + 1}" for k in nec]) if nec else "none")
                + "</td></tr>"
            )
        parts.append(
            "<h3>Minimal sufficient sets and necessary levers</h3>"
            f"<p class='note'>{legend}.</p>"
            "<div class='scroll'><table><tr><th>criterion</th><th>sufficient sets</th>"
            "<th>minimal sufficient sets</th><th>necessary levers</th></tr>"
            + "".join(summary_rows)
            + "</table></div>"
        )
        parts.append(
            "<p class='note'>Reachability is not a criterion of its own with coalitions: the "
            "last column of the full table says, for each state, whether separate moves reach "
            "it, or only the coalitions of interest, or only a joint deal of all.</p>"
        )
        if main.levers_left_out:
            parts.append(
                "<p class='note'>Left out in this variant: "
                + _refs(main.conflict, main.levers_left_out)
                + ".</p>"
            )
        parts.append(
            f"<details><summary>Every lever set ({len(ca.sets):,} rows)</summary>"
            f"<p class='note'>{legend}. ● = concession made.</p>"
            f"<div class='scroll'><table>{head}{''.join(rows)}</table></div></details>"
        )
    others = [v for v in study.variants if v.name != main.name]
    if others:
        items = []
        for v in others:
            if v.concessions is None:
                items.append(f"<li>{e(v.name)}: not analysed (no feasible target).</li>")
                continue
            mins = v.concessions.minimal_sufficient(study.headline)
            text = (
                _sets_with_states(v, v.concessions, mins[:MAX_LISTED])
                if mins
                else f"no set makes the {tname} {title(study.headline)}-stable"
            )
            left = (
                f" (left out: {_refs(v.conflict, v.levers_left_out)})" if v.levers_left_out else ""
            )
            items.append(f"<li><strong>{e(v.name)}</strong>: {text}{left}.</li>")
        parts.append(
            f"<h3>Other variants: minimal sets for {title(study.headline)} stability</h3>"
            f"<ul>{''.join(items)}</ul>"
        )
    return "".join(parts)


def _sets_with_states(
    vs: VariantStudy, ca: ConcessionResult, sets: Sequence[tuple[int, ...]], *, short: bool = False
) -> str:
    """The lever sets and the state each makes: factored as ``one of {…} × one of {…}``
    when they are every such choice, else ``{take ‘A’} → state 12; …``. ``short`` names
    the levers ``L1``, ``L2``… (the section's legend) instead of by their labels."""
    state_of = {ls.levers: ls.state for ls in ca.sets}

    def lever(k: int) -> str:
        return f"L{ca.levers.index(k) + 1}" if short else e(_lever_text(vs, k))

    def states(ms: Sequence[tuple[int, ...]]) -> list[str]:
        return [
            _sid(state_of[tuple(m)]) if state_of.get(tuple(m), -1) >= 0 else "infeasible"
            for m in ms
        ]

    groups = _factor_sets(sets)
    if groups is not None:
        shown = " × ".join(
            "one of {" + ", ".join(lever(k) for k in g) + "}" if len(g) > 1 else lever(g[0])
            for g in groups
        )
        listed = states(sets[:MAX_LISTED])
        more = f", … ({len(sets)} in all)" if len(sets) > MAX_LISTED else ""
        ids = ", ".join(x.removeprefix("state ") for x in listed)
        return f"{shown} ({len(sets)} sets; their states: {ids}{more})"
    out = []
    for m, st in zip(sets[:MAX_LISTED], states(sets[:MAX_LISTED]), strict=True):
        names = "{" + "; ".join(lever(k) for k in m) + "}" if m else "no concession at all"
        out.append(f"{names} → {st}")
    more = f" … ({len(sets)} in all)" if len(sets) > MAX_LISTED else ""
    return "; ".join(out) + more


def _sensitivity_section(study: Study) -> str:
    main = study.main_study
    sens = main.sensitivity
    if sens is None:
        return ""
    tname = e(study.spec.target_name)
    base = ", ".join(
        f"{title(c)} {'stable' if sens.base_stable[c] else 'unstable'}" for c in sens.concepts
    )
    if sens.base_reach is not None:
        base += (
            ", "
            + ("reachable" if sens.base_reach else "not reachable")
            + " by unilateral improvements"
        )
    parts = [
        '<h2 id="sensitivity">Sensitivity</h2>',
        f"<p>Under <strong>{e(main.name)}</strong>, each preference statement of each "
        "decision maker was dropped, and swapped with the next one (for weighted statements: "
        f"weights exchanged), and the model re-analysed: {len(sens.perturbations):,} "
        f"perturbations. In the model as written, the {tname} is: {base}.</p>",
    ]
    flips = sens.flips
    if not flips:
        parts.append("<p>No perturbation changes any of these answers.</p>")
    else:
        rows = []
        for p in flips:
            dm = main.conflict.dm(p.dm).title if p.dm in main.conflict.dm_ids else p.dm
            change = _flip_changes(p)
            rows.append(
                f"<tr><td>{e(dm)}</td><td>{e(p.kind)}</td><td class='c'>{p.statement + 1}</td>"
                f"<td title='{e(p.text)}'>{_statement_words(main.conflict, p.text)}</td>"
                f"<td>{e('; '.join(change))}</td></tr>"
            )
        parts.append(
            "<table><tr><th>decision maker</th><th>change</th><th>statement</th><th>text</th>"
            "<th>answer that flips</th></tr>" + "".join(rows) + "</table>"
        )
    return "".join(parts)


def _method_section(study: Study) -> str:
    rows = []
    for v in study.variants:
        t = "; ".join(f"{k} {x:.2f} s" for k, x in v.timings.items())
        rows.append(f"<li>{e(v.name)}: {e(t)}</li>")
    names = {d.id: d.title for d in study.conflict.decision_makers}
    coal = "; ".join(" + ".join(names.get(m, m) for m in c) for c in study.spec.coalitions)
    coal = coal or "none"
    return (
        '<h2 id="method">Method</h2>'
        "<ul>"
        f"<li>Solution concepts: {_join([title(c) for c in study.spec.concepts])}. "
        f"Headline concept: {title(study.headline)}.</li>"
        "<li>Reachability, three answers kept apart: <em>by separate moves</em> (legal "
        "sequences of unilateral improvements from the status quo, no DM moving twice in a "
        "row); <em>with coalitions of interest</em> (also joint improvements, every member "
        f"better off, of {e(coal)}); <em>only by a joint deal of all</em> (reached only when "
        "every decision maker may move at once: an agreement, not an evolution).</li>"
        "<li>Coalition stability: CNash, CGMR and CSEQ for each single decision maker and each "
        "coalition of interest; outsiders sanction by unilateral moves.</li>"
        "<li>Paths: shortest evolution paths; at most a few equilibria per variant are shown, "
        "most robust first.</li>"
        + (
            f"<li>Run time of the analyses, per variant: <ul>{''.join(rows)}</ul>"
            + (
                f"One-time start-up (loading the compiled kernels, once per process; not "
                f"part of any variant's cost): {study.startup_seconds:.1f} s. "
                if study.startup_seconds >= 0.05
                else ""
            )
            + f"Wall time in all: {study.seconds:.1f} s.</li>"
        )
        + "</ul>"
    )


def render_html(study: Study, *, extra_sections: Sequence[tuple[str, str, str]] = ()) -> str:
    """The whole report as one self-contained HTML document.

    ``extra_sections``: ``(anchor, title, html)`` triples placed before the method section
    (for example the robustness section of a sweep, from
    :func:`detente.report.sweep_figures.sweep_section_html`)."""
    conflict = study.conflict
    src = conflict.source or {}
    citation = str(src.get("citation", "")).strip() if isinstance(src, dict) else ""
    summary = summary_lines(study)
    sum_html = []
    for q, paras in summary:
        cls = "summary fail" if q == FAILURES else "summary brief" if q == IN_BRIEF else "summary"
        block = (
            "<ul>" + "".join(f"<li>{p}</li>" for p in paras) + "</ul>"
            if q == FAILURES
            else "".join(p if p.startswith("<") else f"<p>{p}</p>" for p in paras)
        )
        sum_html.append(f'<div class="{cls}"><h3>{q}</h3>{block}</div>')
    nav = [
        ("summary", "Summary"),
        ("model", "The model"),
        ("variants", "Variants compared"),
        ("stability", "Stability and evolution, per variant"),
    ]
    if study.has_target and study.spec.levers:
        nav.append(("concessions", "Concessions"))
    if study.main_study.sensitivity is not None:
        nav.append(("sensitivity", "Sensitivity"))
    for anchor, section_title, _ in extra_sections:
        nav.append((anchor, section_title))
    nav.append(("method", "Method"))
    body = [
        f"<h1>{e(conflict.name)}</h1>",
        f"<p class='sub'>{e(conflict.description)}</p>" if conflict.description else "",
        f"<p class='note'>Source: {e(citation)}</p>" if citation else "",
        "<nav><ul>"
        + "".join(f"<li><a href='#{a}'>{e(t)}</a></li>" for a, t in nav)
        + "</ul></nav>",
        '<h2 id="summary">Summary</h2>',
        "<p class='note'>Generated from the analysis results. State numbers are the 1-based "
        "state ids (feasible states sorted by code, option 1 the least significant bit).</p>",
        "".join(sum_html),
        _model_section(study),
        _variants_section(study),
        '<h2 id="stability">Stability and evolution, per variant</h2>',
        "".join(_variant_section(study, v) for v in study.variants),
        _concession_section(study),
        _sensitivity_section(study),
        *(f'<div id="{e(anchor)}">{html_text}</div>' for anchor, _, html_text in extra_sections),
        _method_section(study),
        "<p class='note'>Report generated by Détente.</p>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{e(conflict.name)} — Détente report</title><style>{CSS}</style></head>"
        "<body><main>" + "\n".join(body) + "</main></body></html>\n"
    )
