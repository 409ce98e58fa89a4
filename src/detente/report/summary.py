"""The report's summary: one function per question of the brief, each from the study only.

1. :func:`stable_today`: under the baseline (today's policy), which outcomes are stable?
2. :func:`target_question`: under the strategy, is the target stable if reached, reached by
   separate moves, or only by a joint deal of all the parties? (Without a target: which
   equilibria can be reached.)
3. :func:`concessions_question`: which concessions are necessary, which sets suffice, and
   which state each set produces.
4. :func:`robustness_question`: how robust the answers are to the variants and to the
   preference statements.
5. :func:`moves_question`: by what sequence of moves the target could come about.

:func:`failures` lists where the strategy fails. Every sentence that names a concept for
"the" answer uses the study's headline concept (:func:`detente.analysis.study.headline_concept`).
Each returns ``(heading, [paragraph html, ...])``; a paragraph that starts with ``<`` is a
block (a table or a list), the others are sentences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detente.report import commitment as _commit
from detente.report._prose import (
    MAX_LISTED,
    _adjusted,
    _changes,
    _describe_target_answers,
    _equilibria_phrase,
    _factor_sets,
    _first_sentence,
    _flip_sentence,
    _join,
    _lever_names,
    _lever_text,
    _movers,
    _path_words,
    _plural,
    _possessive,
    _reach_sentence,
    _refs,
    _route_phrase,
    _selectivity_sentence,
    _sid,
    _unstable_for,
    e,
    title,
)

if TYPE_CHECKING:
    from detente.analysis.concessions import ConcessionResult
    from detente.analysis.study import NamedPath, Study, VariantStudy

__all__ = [
    "FAILURES",
    "IN_BRIEF",
    "concessions_question",
    "failures",
    "in_brief",
    "moves_question",
    "robustness_question",
    "stable_today",
    "summary_lines",
    "target_question",
]

FAILURES = "Where the strategy fails"
Question = tuple[str, list[str]]


IN_BRIEF = "In brief"


def summary_lines(study: Study) -> list[Question]:
    """The summary as ``(question, [paragraph html, ...])`` pairs: :func:`in_brief`, the five
    questions, and last the failures."""
    out = [in_brief(study), stable_today(study), target_question(study)]
    q3 = concessions_question(study)
    if q3 is not None:
        out.append(q3)
    out += [robustness_question(study), moves_question(study), failures(study)]
    return out


# ------------------------------------------------------------------ in brief
def in_brief(study: Study) -> Question:
    """The answers in a few sentences: today's standing, the target under the strategy
    (stable if reached, and how it could come about), the concessions it needs, and in how
    many variants it holds. Every verdict uses the headline concept."""
    hc = study.headline
    base, main = study.baseline_study, study.main_study
    out: list[str] = []
    sq = base.model.status_quo
    if sq is not None:
        held = base.equilibrium_concepts(sq)
        n_eq = len(base.result.equilibrium_indices(hc))
        out.append(
            f"Under {e(base.name)} the status quo is "
            + (f"{title(hc)}-stable" if hc in held else f"not {title(hc)}-stable")
            + f" ({_plural(n_eq, f'{title(hc)} equilibrium', f'{title(hc)} equilibria')} in all)."
        )
    if not study.has_target:
        return IN_BRIEF, [" ".join(out)]
    tname = e(study.spec.target_name)
    t = main.target_state
    if t is None:
        out.append(f"Under {e(main.name)} the {tname} is not a feasible state.")
    else:
        ok = bool(main.target_stable(hc))
        out.append(
            f"Under {e(main.name)} the {tname} is "
            + (f"{title(hc)}-stable once reached" if ok else f"not {title(hc)}-stable")
            + (
                (
                    ", and "
                    if ok == (main.route(t) in ("separate moves", "status quo"))
                    else ", but "
                )
                + _route_phrase(main, t)
                + "."
                if main.status_quo is not None
                else "."
            )
        )
    ca = main.concessions
    if ca is not None:
        mins = ca.minimal_sufficient(hc)
        nec = ca.necessary(hc)
        if not mins:
            out.append(f"No set of the concessions makes it {title(hc)}-stable.")
        elif mins == [()]:
            out.append("No concession is needed for that.")
        else:
            groups = _factor_sets(mins)
            size = len(mins[0]) if all(len(m) == len(mins[0]) for m in mins) else None
            how = (
                " × ".join(
                    f"one of {len(g)}" if len(g) > 1 else e(_lever_text(main, g[0])) for g in groups
                )
                if groups is not None
                else f"{_plural(len(mins), 'minimal set')}"
            )
            out.append(
                "Its stability once reached needs "
                f"{size if size is not None else 'a few'} of the {len(ca.levers)} "
                f"concessions ({how}; see question 3)"
                + (f", always {_join([e(_lever_text(main, k)) for k in nec])}" if nec else "")
                + "."
            )
    ok_in = [v.name for v in study.variants if v.target_stable(hc)]
    out.append(
        f"It is {title(hc)}-stable in {len(ok_in)} of {_plural(len(study.variants), 'variant')}"
        + (
            f"; it fails in {_join([e(v.name) for v in study.variants if v.name not in ok_in])}"
            if len(ok_in) < len(study.variants)
            else ""
        )
        + "."
    )
    out += _commit.brief_sentences(study)
    return IN_BRIEF, [" ".join(out)]


def _variant_heading(vs: VariantStudy) -> str:
    desc = _first_sentence(vs.description)
    return e(vs.name) + (f" ({e(desc)})" if desc else "")


# ------------------------------------------------------------------ Q1
def stable_today(study: Study) -> Question:
    """Q1: the equilibria of the baseline variant (today's policy), where its status quo
    stands, and (with a target) how the target fares there."""
    base = study.baseline_study
    hc = study.headline
    which = (
        "the baseline"
        if study.spec.baseline
        else "taken as the baseline: the first variant compared after the strategy"
    )
    q1 = f"1. Under {_variant_heading(base)}, {which}, which outcomes are stable?"
    if study.baseline == study.main:
        q1 = f"1. Under {_variant_heading(base)}, which outcomes are stable?"
    res = base.result
    paras = [
        "Equilibria by concept: "
        + "; ".join(e(_equilibria_phrase(base, c)) for c in res.concepts)
        + "."
    ]
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
    heq = res.equilibrium_indices(hc).tolist()
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
    return q1, paras


# ------------------------------------------------------------------ Q2
def target_question(study: Study) -> Question:
    """Q2: under the strategy, the target kept apart as *stable if reached*, *reached by
    separate moves* and *needs a joint deal of all parties*; coalitions that could leave it.
    Without a target: the equilibria reachable from the status quo."""
    main = study.main_study
    if not study.has_target:
        q2 = f"2. Under {e(main.name)}, which equilibria can be reached from the status quo?"
        reach = [p for p in main.paths if p.kind == "equilibrium"]
        if main.status_quo is None:
            return q2, ["The scenario has no status quo, so reachability is not analysed."]
        if not reach:
            return q2, ["No equilibrium other than the status quo can be reached from it."]
        items = [
            f"{_sid(p.state)}: {_route_phrase(main, p.state)}"
            if not p.coalitions
            else f"{_sid(p.state)}: {_route_phrase(main, p.state)} "
            f"({_plural(len(p.path.steps), 'step')})"
            for p in reach
        ]
        return q2, ["Reachable equilibria (shortest paths): " + "; ".join(items) + "."]
    tname = e(study.spec.target_name)
    q2 = (
        f"2. Under {_variant_heading(main)}, is the {tname} stable if reached, and how could "
        "it be reached from today?"
    )
    t = main.target_state
    hc = study.headline
    paras = []
    if t is None:
        paras.append(_describe_target_answers(study, main))
    else:
        ok = main.target_stable(hc)
        paras.append(
            f"Stable if reached: {'yes' if ok else 'no'} under {title(hc)}. "
            + _describe_target_answers(study, main)
        )
    if _adjusted(main):
        paras.append(
            f"In this variant the target had to be adjusted: {_adjusted(main)} are held at "
            "one value."
        )
    r = _reach_sentence(study, main)
    if r:
        paras.append(r)
    paras.append(_selectivity_sentence(main))
    if main.coalition is not None and t is not None:
        bad = []
        for ci, members in enumerate(main.coalition.coalitions):
            if len(members) < 2:
                continue
            fails = [title(c) for c in main.coalition.stable if not main.coalition.stable[c][ci, t]]
            if fails:
                bad.append(f"{e(_movers(main.conflict, members))} (not {_join(fails, 'or')})")
        if bad:
            paras.append(
                f"Coalitions that could jointly leave the {tname}: " + "; ".join(bad) + "."
            )
        elif any(len(c) >= 2 for c in main.coalition.coalitions):
            paras.append(
                f"Once reached, none of the coalitions of interest can profitably leave the "
                f"{tname} together (coalition-stable for each)."
            )
    paras += _commit.package_paragraphs(study)
    return q2, paras


# ------------------------------------------------------------------ Q3
def concessions_question(study: Study) -> Question | None:
    """Q3: necessary levers, minimal sufficient sets (factored when they are every choice
    of one lever per group), the state each set produces and how it could be reached.
    ``None`` without a target and levers."""
    if not (study.has_target and study.spec.levers):
        return None
    conflict = study.conflict
    main = study.main_study
    hc = study.headline
    tname = e(study.spec.target_name)
    dm_id = study.spec.lever_dm or ""
    dm_title = conflict.dm(dm_id).title if dm_id in conflict.dm_ids else dm_id
    q3 = (
        f"3. Which of {e(_possessive(dm_title))} concessions are necessary for the {tname}, "
        "and which sets are sufficient?"
    )
    ca = main.concessions
    if ca is None:
        return q3, [
            f"The concession analysis could not be run under {e(main.name)} "
            "(no feasible target or no status quo)."
        ]
    mins = ca.minimal_sufficient(hc)
    if not mins:
        paras = [
            f"No set of concessions makes the {tname} {title(hc)}-stable under {e(main.name)}."
        ]
    else:
        paras = [_sufficient_sets_text(study, main, ca, mins), _sets_table(study, main, ca, mins)]
        paras.append(_sets_routes(study, main, ca, mins))
        paras += _commit.sufficient_sets_check(study, mins[:MAX_LISTED])
    paras += _commit.commitment_paragraphs(study)
    if main.levers_left_out:
        paras.append(
            "Left out in this variant (removed or held fixed): "
            + _refs(main.conflict, main.levers_left_out)
            + "."
        )
    return q3, paras


def _sufficient_sets_text(
    study: Study, vs: VariantStudy, ca: ConcessionResult, mins: list[tuple[int, ...]]
) -> str:
    hc = study.headline
    tname = e(study.spec.target_name)
    groups = _factor_sets(mins)
    if groups is not None:
        parts = []
        for g in groups:
            if len(g) == 1:
                parts.append(e(_lever_text(vs, g[0])))
            else:
                parts.append(
                    f"one of these {len(g)}: "
                    + "{"
                    + "; ".join(e(_lever_text(vs, k)) for k in g)
                    + "}"
                )
        shown = " <strong>×</strong> ".join(parts)
        text = (
            f"For the {tname} to be {title(hc)}-stable, "
            f"{_plural(len(mins), 'minimal set suffices', 'minimal sets suffice')}, every "
            f"choice of {shown}."
        )
    else:
        shown = "; ".join(_lever_names(vs, m) for m in mins[:MAX_LISTED])
        more = f" (and {len(mins) - MAX_LISTED} more)" if len(mins) > MAX_LISTED else ""
        text = (
            f"For the {tname} to be {title(hc)}-stable, "
            f"{_plural(len(mins), 'minimal set suffices', 'minimal sets suffice')}: "
            f"{shown}{more}."
        )
    nec = ca.necessary(hc)
    if nec:
        text += (
            " Necessary in every sufficient set: "
            + _join([e(_lever_text(vs, k)) for k in nec])
            + "."
        )
    elif len(mins) > 1 or mins[0]:
        text += " No single concession is necessary: different sets work."
    full = tuple(ca.levers)
    if not any(ls.levers == full and ls.met[hc] for ls in ca.sets):
        text += " Making every concession does not suffice."
    elif len(mins[0]) < len(full):
        text += (
            f" Stability once reached needs fewer than the full package's {len(full)}"
            " concessions; that says nothing yet about whether the conflict gets there."
        )
    return text


def _sets_table(
    study: Study, vs: VariantStudy, ca: ConcessionResult, mins: list[tuple[int, ...]]
) -> str:
    """Each minimal set, the state it produces and how that state could come about. A
    concession not made leaves its option as today, so the state differs from the target
    exactly in the shaded lever columns (named in the legend)."""
    tname = e(study.spec.target_name)
    state_of = {ls.levers: ls.state for ls in ca.sets}
    head = (
        "<tr>"
        + "".join(f"<th class='c'>L{j + 1}</th>" for j in range(len(ca.levers)))
        + "<th>state it produces</th><th>how it could come about</th></tr>"
    )
    rows = []
    for m in mins[:MAX_LISTED]:
        s = state_of.get(tuple(m), -1)
        cells = [
            "<td class='ok'>made</td>" if k in m else "<td class='chg c'>today</td>"
            for k in ca.levers
        ]
        n_diff = len(ca.levers) - len(m)
        what = f"{_sid(s)}" + (
            f" <span class='note'>({_plural(n_diff, 'option')} as today)</span>" if n_diff else ""
        )
        cells.append(f"<td>{what if s >= 0 else 'infeasible'}</td>")
        cells.append(f"<td>{e(_route_phrase(vs, s)) if s >= 0 else '–'}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    legend = "; ".join(f"L{j + 1} = {e(_lever_text(vs, k))}" for j, k in enumerate(ca.levers))
    more = f" First {MAX_LISTED} of {len(mins)} sets." if len(mins) > MAX_LISTED else ""
    return (
        f"<div class='scroll'><table>{head}{''.join(rows)}</table></div>"
        f"<p class='note'>Each state is the {tname} except the shaded options, which stay as "
        f"they are today; every other option is as in the {tname}. {legend}.{more}</p>"
    )


def _sets_routes(
    study: Study, vs: VariantStudy, ca: ConcessionResult, mins: list[tuple[int, ...]]
) -> str:
    """Whether the states of the sufficient sets are reached by separate moves, by the
    coalitions of interest, or only by a joint deal of all (never folded together)."""
    tname = e(study.spec.target_name)
    state_of = {ls.levers: ls.state for ls in ca.sets}
    routes = [vs.route(state_of[tuple(m)]) for m in mins if state_of.get(tuple(m), -1) >= 0]
    count = {r: routes.count(r) for r in dict.fromkeys(routes)}
    n = len(routes)
    if count.get("joint deal", 0) == n:
        return (
            f"Stable if reached, but none of these states is reached by separate moves or by "
            f"the coalitions of interest: each needs one joint deal of all "
            f"{vs.model.n_dms} parties. The concessions make the {tname} an equilibrium; "
            "they do not make it come about."
        )
    if count.get("separate moves", 0) == n:
        return "Each of these states can also be reached by separate moves from the status quo."
    parts = [f"{_plural(k, 'state')} {_words(r)}" for r, k in count.items()]
    return "Of these states: " + "; ".join(parts) + "."


def _words(route: str) -> str:
    return {
        "status quo": "is the status quo",
        "separate moves": "reached by separate moves",
        "coalition moves": "not reached by separate moves, only with the coalitions of interest",
        "joint deal": "reached only by a joint deal of all the parties",
        "unreachable": "not reachable at all",
    }[route]


# ------------------------------------------------------------------ Q4
def robustness_question(study: Study) -> Question:
    """Q4: the headline verdict on the target across the variants, and the preference
    statements whose change would flip an answer."""
    hc = study.headline
    main = study.main_study
    tname = e(study.spec.target_name)
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
        counts = [f"{e(v.name)}: {len(v.result.equilibrium_indices(hc)):,}" for v in study.variants]
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
    return q4, paras


# ------------------------------------------------------------------ Q5
def moves_question(study: Study) -> Question:
    """Q5: the shortest sequence of moves to the target (separate moves first; a path
    that needs every DM to move at once is called a joint deal), or, without a target,
    the paths from the status quo to equilibria."""
    main = study.main_study
    tname = e(study.spec.target_name)
    paras: list[str] = []
    if not study.has_target:
        q5 = "5. By what sequences of moves can the conflict evolve from the status quo?"
        for np_ in main.paths[:3]:
            paras.append(_path_words(main, np_.path, _sid(np_.state)))
        if not main.paths:
            paras.append("No evolution path from the status quo leads to another equilibrium.")
        return q5, paras
    q5 = f"5. By what sequence of moves could the {tname} come about?"
    tpaths = [p for p in main.paths if p.kind == "target"]
    if not tpaths:
        if main.target_route() == "status quo":
            paras.append(f"The {tname} is the status quo.")
        else:
            paras.append(
                f"Under {e(main.name)} no evolution path leads from the status quo to the {tname}."
            )
    n = main.model.n_dms

    def needs_all(tp: NamedPath) -> bool:
        return n > 1 and any(len(mv.movers) == n for mv in tp.path.steps)

    for tp in sorted(tpaths, key=lambda p: (p.coalitions, needs_all(p), len(p.path.steps))):
        everyone = needs_all(tp)
        if not tp.coalitions:
            kind = "By separate moves (unilateral improvements)"
        elif everyone:
            kind = "Only by a joint deal of all the parties"
        else:
            kind = "With joint moves of the coalitions of interest"
        paras.append(f"{kind}: " + _path_words(main, tp.path, f"the {tname}"))
        if tp.coalitions and everyone:
            paras.append(
                "This path needs every decision maker to move together in one joint step: "
                "a negotiated agreement of all the parties, not an evolution by separate moves."
                + (
                    " The longer path above gets there without such a step."
                    if len(tpaths) > 1 and not all(needs_all(p) for p in tpaths)
                    else ""
                )
            )
    paras += _commit.path_paragraphs(study)
    return q5, paras


# ------------------------------------------------------------------ failures
def failures(study: Study) -> Question:
    """Where the strategy fails: per variant, the headline verdict on the target, its route,
    the DMs for whom it is unstable (under the headline concept), and the preference
    changes that would make it worse."""
    hc = study.headline
    main = study.main_study
    tname = e(study.spec.target_name)
    out: list[str] = []
    if not study.has_target:
        out.append(
            "The scenario names no target state (its analysis block has no target), so no "
            "strategy is tested; the equilibria and paths above describe the conflict as it is."
        )
        return FAILURES, out
    for v in study.variants:
        reasons = _variant_failures(study, v)
        if v is main:
            reasons += _commit.failure_reasons(study)
        if reasons:
            out.append(
                f"<strong>{e(v.name)}</strong>"
                + (f" ({e(_first_sentence(v.description))})" if v.description.strip() else "")
                + ": "
                + "; ".join(reasons)
                + "."
            )
    sens = main.sensitivity
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
            out.append(_flip_sentence(study, main, p))
    if main.concessions is not None and not main.concessions.sufficient(hc):
        out.append(
            f"Under {e(main.name)} no set of concessions makes the {tname} {title(hc)}-stable."
        )
    if not out:
        out.append("No failure found among the variants and perturbations analysed.")
    return FAILURES, out


def _variant_failures(study: Study, v: VariantStudy) -> list[str]:
    hc = study.headline
    tname = e(study.spec.target_name)
    if v.target_state is None:
        return [f"the {tname} is not a feasible state"]
    reasons = []
    if not v.target_stable(hc):
        by = [title(c) for c in v.result.concepts if v.target_stable(c)]
        reasons.append(
            f"the {tname} is not {title(hc)}-stable"
            + (f" (stable only under {_join(by)})" if by else " (nor stable under any concept)")
        )
    route = v.target_route()
    if route == "joint deal":
        reasons.append(
            "it is not reached by separate moves, only by a joint deal of all the parties"
        )
    elif route == "coalition moves":
        reasons.append("it is not reached by separate moves, only with the coalitions of interest")
    elif route == "unreachable":
        reasons.append("it cannot be reached from the status quo, not even by a joint deal of all")
    if _adjusted(v):
        reasons.append(f"the target had to be adjusted ({_adjusted(v)} held fixed)")
    unstable = _unstable_for(v, hc)
    if unstable:
        reasons.append(f"it is {title(hc)}-unstable for " + _join([e(x) for x in unstable]))
    return reasons
