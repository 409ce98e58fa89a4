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

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from detente.report.text import describe_move

if TYPE_CHECKING:
    from detente.analysis.status_quo import EvolutionPath
    from detente.analysis.study import Study, VariantStudy
    from detente.model.conflict import Conflict, GraphModel

__all__ = ["render_html", "summary_lines"]

CHECK = "✓"
CROSS = "✗"
MAX_TABLEAU_COLUMNS = 12
MAX_LISTED = 12

_TITLES = {
    "nash": "Nash",
    "gmr": "GMR",
    "smr": "SMR",
    "seq": "SEQ",
    "sim": "SIM",
    "seq_sim": "SEQ+SIM",
    "cnash": "CNash",
    "cgmr": "CGMR",
    "cseq": "CSEQ",
    "csmr": "CSMR",
    "reach": "reachable",
    "reach_coalition": "reachable with coalitions",
}

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
td.q{font-style:italic;color:#434b59;max-width:34rem}
th.sq,td.sq{background:#eceff4}th.tg,td.tg{background:#fdf3d6}
th.arrow{background:#fff;color:#8e2c22;font-weight:600;text-align:center;white-space:nowrap}
tr.min td{background:#eaf7ef}
.summary{background:#fff;border:1px solid #dfe3ea;border-left:5px solid #3b6fb6;
padding:.6rem 1.2rem;border-radius:4px}
.summary h3{margin-top:1rem;font-size:1.05rem}
.fail{border-left-color:#b03a2e}
.figure{background:#fff;border:1px solid #dfe3ea;padding:.4rem;display:inline-block;
max-width:100%;overflow-x:auto}
.figure svg{max-width:100%;height:auto}
.scroll{overflow-x:auto}
details{margin:.5rem 0}summary{cursor:pointer;color:#3b6fb6}
nav ul{columns:2;font-size:.9rem}
code{background:#f1f3f7;padding:0 .2rem;border-radius:3px}
"""


# ------------------------------------------------------------------ helpers
def e(value: object) -> str:
    """HTML-escaped text."""
    return html.escape(str(value), quote=True)


def title(concept: str) -> str:
    if concept.endswith("+reach_coalition"):
        return f"{title(concept[: -len('+reach_coalition')])} and reachable with coalitions"
    return _TITLES.get(concept, concept.upper())


def _join(items: Sequence[str], word: str = "and") -> str:
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    cut = text.find(". ")
    return text if cut < 0 else text[: cut + 1]


def _sid(s: int) -> str:
    return f"state {s + 1}"


def _dm_names(conflict: Conflict) -> list[str]:
    return [d.title for d in conflict.decision_makers]


def _movers(conflict: Conflict, movers: Sequence[int]) -> str:
    names = _dm_names(conflict)
    return " + ".join(names[i] for i in movers)


def _option_label(conflict: Conflict, k: int) -> str:
    return conflict.options[k].title


def _changes(conflict: Conflict, model: GraphModel, a: int, b: int) -> list[str]:
    """``["label: Y→N", ...]`` for the options that differ between state indices a and b."""
    ca, cb = int(model.codes[a]), int(model.codes[b])
    out = []
    for k in range(model.n_options):
        if (ca ^ cb) >> k & 1:
            out.append(f"{_option_label(conflict, k)} ({'N→Y' if cb >> k & 1 else 'Y→N'})")
    return out


def _verdict_cell(value: bool | None) -> str:
    if value is None:
        return '<td class="c">–</td>'
    return f'<td class="ok">{CHECK}</td>' if value else f'<td class="no">{CROSS}</td>'


def _variant_label(vs: VariantStudy) -> str:
    return vs.name


def _state_tags(vs: VariantStudy, s: int) -> list[str]:
    tags = []
    if vs.model.status_quo == s:
        tags.append("status quo")
    if vs.target_state == s:
        tags.append("target")
    return tags


# --------------------------------------------------------------- summary
def _describe_target_answers(study: Study, vs: VariantStudy) -> str:
    name = study.spec.target_name
    s = vs.target_state
    if s is None:
        return f"The {name} is not a feasible state in {vs.name}."
    yes = [title(c) for c in vs.result.concepts if vs.target_stable(c)]
    no = [title(c) for c in vs.result.concepts if not vs.target_stable(c)]
    if yes and no:
        stab = f"is stable under {_join(yes)} but not under {_join(no)}"
    elif yes:
        stab = "is stable under every concept analysed"
    else:
        stab = "is not an equilibrium under any concept analysed"
    return f"The {e(name)} ({_sid(s)}) {stab}."


def _reach_sentence(study: Study, vs: VariantStudy) -> str:
    name = e(study.spec.target_name)
    s = vs.target_state
    if s is None or vs.status_quo is None:
        return ""
    if s == vs.status_quo.status_quo:
        return f"The {name} is the status quo itself."
    uni = vs.target_reachable()
    co = vs.target_reachable(coalitions=True)
    sq = vs.status_quo
    path = sq.path(s, coalitions=True) if not uni else None
    if path is not None:
        used = _join(
            sorted({e(_movers(vs.conflict, mv.movers)) for mv in path.steps if len(mv.movers) > 1})
        )
    else:
        used = ""
    if uni:
        return (
            f"It can be reached from the status quo by a legal sequence of unilateral "
            f"improvements in {_plural(int(sq.distance[s]), 'step')}."
        )
    coal = _join([e(n) for n in _coalition_names(vs, sq.coalitions)], "or")
    if co:
        return (
            "It cannot be reached from the status quo by unilateral improvements alone. "
            f"When the coalitions considered ({coal}) may also make joint improvements, it "
            f"can be reached in {_plural(int(sq.distance_coalition[s]), 'step')}"
            + (f", which need{'s' if int(sq.distance_coalition[s]) == 1 else ''} a joint move "
               f"of {used}." if used else ".")
        )
    return (
        "It cannot be reached from the status quo, neither by unilateral improvements nor "
        f"with the joint moves of the coalitions {coal}."
    )


def _selectivity_sentence(vs: VariantStudy) -> str:
    """Where the status quo stands in this variant, and how many states each concept
    accepts (a verdict that most states share says little on its own)."""
    res, n = vs.result, vs.model.n_states
    eq = {c: res.equilibria(c).tolist() for c in res.concepts}
    out = []
    sq = vs.model.status_quo
    if sq is not None:
        held = [title(c) for c in res.concepts if sq in eq[c]]
        standing = f"is still an equilibrium under {_join(held)}" if held else "is unstable"
        out.append(f"Under {e(vs.name)} the status quo ({_sid(sq)}) {standing}.")
        only = [title(c) for c in res.concepts if eq[c] == [sq]]
        if only:
            out.append(f"It is the only {_join(only)} equilibrium.")
    counts = ", ".join(f"{title(c)} {len(eq[c]):,}" for c in res.concepts)
    out.append(f"Equilibria out of {n:,} states: {counts}.")
    broad = [title(c) for c in res.concepts if len(eq[c]) > n // 2]
    if broad:
        out.append(
            f"Under {_join(broad)} most states are equilibria, so stability under "
            f"{'it' if len(broad) == 1 else 'them'} is weak evidence on its own."
        )
    return " ".join(out)


def _coalition_names(vs: VariantStudy, coalitions: Iterable[Sequence[int]]) -> list[str]:
    return [_movers(vs.conflict, c) for c in coalitions]


def _path_words(vs: VariantStudy, path: EvolutionPath, end_name: str) -> str:
    conflict, model = vs.conflict, vs.model
    parts = []
    names = _dm_names(conflict)
    for mv in path.steps:
        acts = [
            names[i]
            + " "
            + describe_move(conflict, model, mv.source, mv.target, mover=i, form="present")
            for i in mv.movers
        ]
        joint = "jointly: " if len(mv.movers) > 1 else ""
        parts.append(f"{joint}{e('; '.join(acts))} ({_sid(mv.source)} → {_sid(mv.target)})")
    text = "; then ".join(parts)
    return f"From the status quo, {text}, arriving at {end_name}."


def _equilibria_phrase(vs: VariantStudy, concept: str) -> str:
    eq = vs.result.equilibria(concept).tolist()
    n = len(eq)
    if n == 0:
        return f"{title(concept)}: none"
    shown = ", ".join(str(s + 1) for s in eq[:8])
    more = f" … ({n:,} in all)" if n > 8 else ""
    return f"{title(concept)}: {_plural(n, 'equilibrium', 'equilibria')} ({shown}{more})"


def _lever_text(vs: VariantStudy, k: int) -> str:
    """A lever as the change it makes: ``take 'label'`` or ``drop 'label'``."""
    t = vs.target
    label = _option_label(vs.conflict, k)
    if t is None:
        return f"‘{label}’"
    return f"{'take' if t.code >> k & 1 else 'drop'} ‘{label}’"


def _lever_names(vs: VariantStudy, levers: Sequence[int]) -> str:
    if not levers:
        return "no concession at all"
    return "{" + "; ".join(e(_lever_text(vs, k)) for k in levers) + "}"


def _possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def summary_lines(study: Study) -> list[tuple[str, list[str]]]:
    """The summary as ``(question, [paragraph html, ...])`` pairs; the last is the failures."""
    conflict = study.conflict
    base = study.baseline_study
    main = study.main_study
    hc = study.headline
    tname = e(study.spec.target_name)
    out: list[tuple[str, list[str]]] = []

    # 1. stable outcomes under the baseline
    desc = _first_sentence(base.description)
    q1 = (
        f"1. Under {e(base.name)}"
        + (f" ({e(desc)})" if desc else "")
        + ", which outcomes are stable?"
    )
    paras = []
    res = base.result
    paras.append(
        "Equilibria by concept: "
        + "; ".join(e(_equilibria_phrase(base, c)) for c in res.concepts)
        + "."
    )
    sqs = base.model.status_quo
    if sqs is not None:
        conc = base.equilibrium_concepts(sqs)
        if conc:
            paras.append(
                f"The status quo ({_sid(sqs)}) is itself stable under "
                f"{_join([title(c) for c in conc])}: "
                "no decision maker can improve on it by a move that is not deterred."
            )
        else:
            paras.append(f"The status quo ({_sid(sqs)}) is not an equilibrium under any concept.")
    heq = res.equilibria(hc).tolist()
    if heq and len(heq) <= 4:
        for s in heq:
            if s == sqs:
                continue
            ch = _changes(base.conflict, base.model, sqs, s) if sqs is not None else []
            what = (
                f"the status quo changed in {_join([e(c) for c in ch])}" if ch else "the status quo"
            )
            paras.append(f"{title(hc)} equilibrium {_sid(s)}: {what}.")
    if study.has_target:
        paras.append(_describe_target_answers(study, base))
    out.append((q1, paras))

    # 2. the main variant: target stable and reachable?
    if study.has_target:
        desc = _first_sentence(main.description)
        q2 = (
            f"2. Under {e(main.name)}"
            + (f" ({e(desc)})" if desc else "")
            + f", is the {tname} stable, and reachable from today?"
        )
        paras = [_describe_target_answers(study, main)]
        if main.target is not None and main.target.adjusted:
            paras.append(
                "In this variant the target had to be adjusted: "
                + _join([e(r) for r in main.target.adjusted])
                + " are held at one value."
            )
        r = _reach_sentence(study, main)
        if r:
            paras.append(r)
        paras.append(_selectivity_sentence(main))
        if main.coalition is not None and main.target_state is not None:
            t = main.target_state
            bad = []
            for ci, members in enumerate(main.coalition.coalitions):
                if len(members) < 2:
                    continue
                fails = [
                    title(c) for c in main.coalition.stable if not main.coalition.stable[c][ci, t]
                ]
                if fails:
                    bad.append(f"{e(_movers(main.conflict, members))} (not {_join(fails, 'or')})")
            if bad:
                paras.append(
                    f"Coalitions that could jointly leave the {tname}: " + "; ".join(bad) + "."
                )
            elif any(len(c) >= 2 for c in main.coalition.coalitions):
                paras.append(
                    f"None of the coalitions of interest can profitably leave the {tname} "
                    "together (coalition-stable for each)."
                )
        out.append((q2, paras))
    else:
        q2 = f"2. Under {e(main.name)}, which equilibria can be reached from the status quo?"
        paras = []
        reach = [p for p in main.paths if p.kind == "equilibrium"]
        if main.status_quo is None:
            paras.append("The scenario has no status quo, so reachability is not analysed.")
        elif reach:
            items = [
                f"{_sid(p.state)} in {_plural(len(p.path.steps), 'step')}"
                + (" (with coalition moves)" if p.coalitions else "")
                for p in reach
            ]
            paras.append("Reachable equilibria (shortest paths): " + "; ".join(items) + ".")
        else:
            paras.append("No equilibrium other than the status quo can be reached from it.")
        out.append((q2, paras))

    # 3. concessions
    if study.has_target and study.spec.levers:
        dm_id = study.spec.lever_dm or ""
        dm_title = conflict.dm(dm_id).title if dm_id in conflict.dm_ids else dm_id
        q3 = (
            f"3. Which of {e(_possessive(dm_title))} concessions are necessary for the {tname}, "
            "and which sets are sufficient?"
        )
        paras = []
        ca = main.concessions
        if ca is None:
            paras.append(
                f"The concession analysis could not be run under {e(main.name)} "
                "(no feasible target or no status quo)."
            )
        else:
            full = tuple(ca.levers)
            previous: list[tuple[int, ...]] | None = None
            for crit in (hc, f"{hc}+reach_coalition"):
                if crit not in ca.criteria:
                    continue
                mins = ca.minimal_sufficient(crit)
                label = (
                    f"{title(hc)}-stable"
                    if crit == hc
                    else f"{title(hc)}-stable and reachable (coalitions allowed)"
                )
                if not mins:
                    paras.append(
                        f"No set of concessions makes the {tname} {label} under {e(main.name)}."
                    )
                    continue
                if previous is not None and mins == previous:
                    paras.append(f"The same sets also make the {tname} {label}.")
                    continue
                previous = mins
                nec = ca.necessary(crit)
                shown = "; ".join(_lever_names(main, m) for m in mins[:MAX_LISTED])
                more = f" (and {len(mins) - MAX_LISTED} more)" if len(mins) > MAX_LISTED else ""
                text = (
                    f"For the {tname} to be {label}, "
                    f"{_plural(len(mins), 'minimal set suffices', 'minimal sets suffice')}: "
                    f"{shown}{more}."
                )
                if nec:
                    text += (
                        " Necessary in every sufficient set: "
                        + _join([e(_lever_text(main, k)) for k in nec])
                        + "."
                    )
                elif len(mins) > 1 or mins[0]:
                    text += " No single concession is necessary: different sets work."
                full_ok = any(ls.levers == full and ls.met[crit] for ls in ca.sets)
                if not full_ok:
                    text += " Making every concession does not suffice."
                elif mins and len(mins[0]) < len(full):
                    text += (
                        f" The full package ({len(full)} concessions) is more than the model needs."
                    )
                paras.append(text)
            if main.levers_left_out:
                paras.append(
                    "Left out in this variant (removed or held fixed): "
                    + _join([e(r) for r in main.levers_left_out])
                    + "."
                )
        out.append((q3, paras))

    # 4. robustness
    q4 = "4. How robust are these answers to the variants and to the uncertain preferences?"
    paras = []
    if study.has_target:
        stable_in = [v.name for v in study.variants if v.target_stable(hc)]
        not_in = [v.name for v in study.variants if not v.target_stable(hc)]
        paras.append(
            f"The {tname} is {title(hc)}-stable in {len(stable_in)} of {len(study.variants)} "
            f"variants compared"
            + (f" ({_join([e(n) for n in stable_in])})" if stable_in else "")
            + (f"; not in {_join([e(n) for n in not_in])}." if not_in else ".")
        )
    else:
        counts = [f"{e(v.name)}: {len(v.result.equilibria(hc)):,}" for v in study.variants]
        paras.append(f"{title(hc)} equilibria per variant: " + "; ".join(counts) + ".")
    sens = main.sensitivity
    if sens is not None:
        n = len(sens.perturbations)
        flips = sens.flips
        if not flips:
            paras.append(
                f"Under {e(main.name)}, none of the {n:,} single changes to the preference "
                "statements (dropping one, or swapping it with the next) changes whether the "
                f"{tname} is stable ({_join([title(c) for c in sens.concepts])}) or reachable."
            )
        else:
            unchanged = [title(c) for c in sens.concepts if not any(c in p.changed for p in flips)]
            verb = "changes" if len(flips) == 1 else "change"
            paras.append(
                f"Under {e(main.name)}, {len(flips)} of {n:,} single changes to the preference "
                f"statements {verb} an answer about the {tname}"
                + (f"; its {_join(unchanged)} stability never changes" if unchanged else "")
                + "."
            )
            for p in flips[:MAX_LISTED]:
                paras.append(_flip_sentence(study, main, p))
            if len(flips) > MAX_LISTED:
                paras.append(f"… and {len(flips) - MAX_LISTED} more (see the sensitivity section).")
    out.append((q4, paras))

    # 5. sequence of moves
    if study.has_target:
        q5 = f"5. By what sequence of moves could the {tname} come about?"
    else:
        q5 = "5. By what sequences of moves can the conflict evolve from the status quo?"
    paras = []
    tpaths = [p for p in main.paths if p.kind == "target"]
    if study.has_target:
        if not tpaths:
            if (
                main.target_state is not None
                and main.status_quo is not None
                and main.target_state == main.status_quo.status_quo
            ):
                paras.append(f"The {tname} is the status quo.")
            else:
                paras.append(
                    f"Under {e(main.name)} no evolution path leads from the status quo "
                    f"to the {tname}."
                )
        for tp in tpaths:
            kind = "with coalition moves" if tp.coalitions else "by unilateral improvements"
            paras.append(f"Shortest path {kind}: " + _path_words(main, tp.path, f"the {tname}"))
            if tp.coalitions and any(len(mv.movers) == main.model.n_dms for mv in tp.path.steps):
                paras.append(
                    "This path needs every decision maker to move together in one joint step, "
                    "which is a joint agreement rather than an evolution by separate moves."
                )
    else:
        for np_ in main.paths[:3]:
            paras.append(_path_words(main, np_.path, _sid(np_.state)))
        if not main.paths:
            paras.append("No evolution path from the status quo leads to another equilibrium.")
    out.append((q5, paras))

    # where the strategy fails
    failures: list[str] = []
    if study.has_target:
        for v in study.variants:
            reasons = []
            if v.target_state is None:
                reasons.append(f"the {tname} is not a feasible state")
            else:
                if not v.target_stable(hc):
                    by = [title(c) for c in v.result.concepts if v.target_stable(c)]
                    reasons.append(
                        f"the {tname} is not {title(hc)}-stable"
                        + (
                            f" (stable only under {_join(by)})"
                            if by
                            else " (nor stable under any concept)"
                        )
                    )
                if v.target_reachable() is False:
                    reasons.append(
                        "it cannot be reached by unilateral improvements"
                        + (
                            ""
                            if v.target_reachable(coalitions=True)
                            else ", nor with coalition moves"
                        )
                    )
                if v.target is not None and v.target.adjusted:
                    reasons.append(
                        "the target had to be adjusted ("
                        + _join([e(r) for r in v.target.adjusted])
                        + " held fixed)"
                    )
                unstable = _unstable_for(v, hc)
                if unstable:
                    reasons.append(
                        f"it is {title(hc)}-unstable for " + _join([e(x) for x in unstable])
                    )
            if reasons:
                d = _first_sentence(v.description)
                failures.append(
                    f"<strong>{e(v.name)}</strong>"
                    + (f" ({e(d)})" if d else "")
                    + ": "
                    + "; ".join(reasons)
                    + "."
                )
        if sens is not None:
            worse = [
                p
                for p in sens.flips
                if any(
                    (c == "reach" and not p.reachable) or (c != "reach" and not p.stable[c])
                    for c in p.changed
                )
            ]
            for p in worse[:MAX_LISTED]:
                failures.append(_flip_sentence(study, main, p))
        if main.concessions is not None and not main.concessions.sufficient(hc):
            failures.append(
                f"Under {e(main.name)} no set of concessions makes the {tname} {title(hc)}-stable."
            )
    if not study.has_target:
        failures.append(
            "The scenario names no target state (its analysis block has no target), so no "
            "strategy is tested; the equilibria and paths above describe the conflict as it is."
        )
    elif not failures:
        failures.append("No failure found among the variants and perturbations analysed.")
    out.append(("Where the strategy fails", failures))
    return out


def _unstable_for(v: VariantStudy, concept: str) -> list[str]:
    """DMs for whom the target is unstable under ``concept`` (the study's headline)."""
    s = v.target_state
    if s is None:
        return []
    col = v.result.stable[concept][:, s]
    return [v.conflict.decision_makers[i].title for i in range(v.model.n_dms) if not col[i]]


def _flip_sentence(study: Study, vs: VariantStudy, p: object) -> str:
    from detente.analysis.sensitivity import Perturbation

    assert isinstance(p, Perturbation)
    dm = vs.conflict.dm(p.dm).title if p.dm in vs.conflict.dm_ids else p.dm
    what = (
        f"dropping {e(dm)}'s statement {p.statement + 1} (<code>{e(p.text)}</code>)"
        if p.kind == "drop"
        else f"swapping {e(dm)}'s statements {p.statement + 1} and {p.statement + 2} "
        f"(<code>{e(p.text)}</code> moves down)"
    )
    changes = []
    for c in p.changed:
        if c == "reach":
            changes.append("reachable" if p.reachable else "no longer reachable")
        else:
            changes.append(f"{title(c)}-{'stable' if p.stable[c] else 'unstable'}")
    tname = e(study.spec.target_name)
    return f"{what[0].upper()}{what[1:]} makes the {tname} {_join(changes)}."


# --------------------------------------------------------------- sections
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
    prefs = []
    for d in conflict.decision_makers:
        pref = conflict.preferences.get(d.id)
        if pref is None:
            continue
        items = []
        if hasattr(pref, "statements"):
            for st in pref.statements:  # type: ignore[union-attr]
                w = f" (weight {st.weight})" if st.weight is not None else ""
                qq = f' <span class="q">“{e(st.quote)}”</span>' if st.quote else ""
                nn = f' <span class="note">{e(st.note)}</span>' if st.note else ""
                items.append(f"<li><code>{e(st.text)}</code>{w}{qq}{nn}</li>")
            kind = "most important first" if pref.kind == "prioritization" else "weighted"
            prefs.append(f"<h4>{e(d.title)} ({kind})</h4><ol>{''.join(items)}</ol>")
        else:
            prefs.append(f"<h4>{e(d.title)}</h4><p>An explicit ranking of the states.</p>")
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


def _variants_section(study: Study) -> str:
    concepts = study.variants[0].result.concepts
    head = "<tr><th>variant</th><th>description</th><th class='c'>states</th>"
    head += "".join(f"<th class='c'>{title(c)}</th>" for c in concepts)
    if study.has_target:
        head += f"<th class='c'>{e(study.spec.target_name)}: stable under</th>"
        head += "<th class='c'>reachable</th><th class='c'>with coalitions</th>"
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
            cells.append(f"<td class='c'>{len(v.result.equilibria(c)):,}</td>")
        if study.has_target:
            if v.target_state is None:
                cells.append("<td class='no'>infeasible</td>")
            else:
                ok = [title(c) for c in concepts if v.target_stable(c)]
                cls = "ok" if v.target_stable(study.headline) else "no"
                cells.append(f"<td class='{cls}'>{', '.join(ok) if ok else 'none'}</td>")
            cells.append(_verdict_cell(v.target_reachable()))
            cells.append(_verdict_cell(v.target_reachable(coalitions=True)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<h2 id="variants">Variants compared</h2>'
        "<p>Number of equilibria under each solution concept"
        + (f", and the verdicts on the {e(study.spec.target_name)}" if study.has_target else "")
        + ".</p>"
        f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'
    )


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
    for i, d in enumerate(conflict.decision_makers):
        rows.append(f'<tr class="dm"><td colspan="{len(states) + 1}">{e(d.title)}</td></tr>')
        for k in conflict.options_of(d.id):
            cells = [f"<td>{e(conflict.options[k].title)}</td>"]
            for s in states:
                on = int(model.codes[s]) >> k & 1
                cells.append(f'<td class="{"y" if on else "n"}">{"Y" if on else "N"}</td>')
            rows.append("<tr>" + "".join(cells) + "</tr>")
        _ = i
    for c in vs.result.concepts:
        cells = [f"<th>{title(c)}</th>"]
        for s in states:
            ok = bool(vs.result.stable[c][:, s].all())
            cells.append(f'<td class="ok">{CHECK}</td>' if ok else "<td></td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if vs.status_quo is not None:
        for label, dist in (
            ("steps from status quo", vs.status_quo.distance),
            ("… with coalitions", vs.status_quo.distance_coalition),
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
    names = co.coalition_names()
    labels = [_movers(vs.conflict, c) for c in co.coalitions]
    _ = names
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
        "DEFINITIONS §3.3). Coalition equilibria (stable for every coalition listed): "
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
        if vs.target is not None and vs.target.adjusted:
            parts.append(
                "<p class='note'>The target is infeasible as written in this variant; "
                + _join([e(r) for r in vs.target.adjusted])
                + " take the value the variant holds them at.</p>"
            )
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
        crit_cols = [c for c in ca.criteria if "+" not in c]
        head = "<tr>" + "".join(
            f"<th class='c' title='{e(conflict.options[k].title)}'>L{j + 1}</th>"
            for j, k in enumerate(ca.levers)
        )
        head += (
            "<th class='c'>state</th>"
            + "".join(f"<th class='c'>{title(c)}</th>" for c in crit_cols)
            + "</tr>"
        )
        legend = "; ".join(f"L{j + 1} = {e(_lever_text(main, k))}" for j, k in enumerate(ca.levers))
        minimal = {tuple(m) for m in ca.minimal_sufficient(study.headline)}
        rows = []
        for ls in ca.sets:
            cls = " class='min'" if tuple(sorted(ls.levers)) in minimal else ""
            cells = [f"<td class='c'>{'●' if k in ls.levers else ''}</td>" for k in ca.levers]
            cells.append(f"<td class='c'>{ls.state + 1 if ls.state >= 0 else 'infeasible'}</td>")
            cells += [_verdict_cell(ls.met[c]) for c in crit_cols]
            rows.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
        summary_rows = []
        for c in ca.criteria:
            mins = ca.minimal_sufficient(c)
            nec = ca.necessary(c)
            summary_rows.append(
                f"<tr><td>{e(title(c))}</td><td>{len(ca.sufficient(c)):,}</td><td>"
                + ("; ".join(_lever_names(main, m) for m in mins[:MAX_LISTED]) or "none")
                + (f" … ({len(mins)} in all)" if len(mins) > MAX_LISTED else "")
                + "</td><td>"
                + (_join([e(_lever_text(main, k)) for k in nec]) if nec else "none")
                + "</td></tr>"
            )
        parts.append(
            "<h3>Minimal sufficient sets and necessary levers</h3>"
            "<div class='scroll'><table><tr><th>criterion</th><th>sufficient sets</th>"
            "<th>minimal sufficient sets</th><th>necessary levers</th></tr>"
            + "".join(summary_rows)
            + "</table></div>"
        )
        if main.levers_left_out:
            parts.append(
                "<p class='note'>Left out in this variant: "
                + _join([e(r) for r in main.levers_left_out])
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
                "; ".join(_lever_names(v, m) for m in mins[:MAX_LISTED])
                if mins
                else f"no set makes the {tname} {title(study.headline)}-stable"
            )
            left = (
                f" (left out: {_join([e(r) for r in v.levers_left_out])})"
                if v.levers_left_out
                else ""
            )
            items.append(f"<li><strong>{e(v.name)}</strong>: {text}{left}.</li>")
        parts.append(
            f"<h3>Other variants: minimal sets for {title(study.headline)} stability</h3>"
            f"<ul>{''.join(items)}</ul>"
        )
    return "".join(parts)


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
            change = []
            for c in p.changed:
                if c == "reach":
                    change.append("reachable" if p.reachable else "not reachable")
                else:
                    change.append(f"{title(c)} → {'stable' if p.stable[c] else 'unstable'}")
            rows.append(
                f"<tr><td>{e(dm)}</td><td>{e(p.kind)}</td><td class='c'>{p.statement + 1}</td>"
                f"<td><code>{e(p.text)}</code></td><td>{e('; '.join(change))}</td></tr>"
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
    coal = "; ".join(" + ".join(c) for c in study.spec.coalitions) or "none"
    return (
        '<h2 id="method">Method</h2>'
        "<ul>"
        f"<li>Solution concepts: {_join([title(c) for c in study.spec.concepts])}. "
        f"Headline concept: {title(study.headline)}.</li>"
        "<li>Reachability: legal sequences of unilateral improvements from the status quo "
        "(no DM moves twice in a row); “with coalitions” also allows joint improvements "
        f"(every member better off) of the coalitions of interest ({e(coal)}) and of the grand "
        "coalition.</li>"
        "<li>Coalition stability: CNash, CGMR and CSEQ for each single decision maker and each "
        "coalition of interest; outsiders sanction by unilateral moves.</li>"
        "<li>Paths: shortest evolution paths; at most a few equilibria per variant are shown, "
        "most robust first.</li>"
        f"<li>Run time: {study.seconds:.1f} s in all.<ul>{''.join(rows)}</ul></li>"
        "</ul>"
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
        cls = "summary fail" if q == "Where the strategy fails" else "summary"
        block = (
            "<ul>" + "".join(f"<li>{p}</li>" for p in paras) + "</ul>"
            if q == "Where the strategy fails"
            else "".join(f"<p>{p}</p>" for p in paras)
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
