"""The seed scenario ``scenarios/korea-2015.yaml`` (Carpenter 2015).

Checks that the file loads and compiles, that every quote is verbatim from the essay, that
every variant applies, and the headline: is the *united front* (US concessions made, the
DPRK stops testing and pulls back, China and Russia press) an equilibrium under Carpenter's
proposal, and under which concepts?

The expected verdicts are derived by hand in the comments from the preference statements of
the file (DEFINITIONS.md §1.4: statements are lexicographic, so a DM compares two states by
the first statement on which they differ). Where a hand derivation is impractical the fast
engine is compared with the brute-force oracle on a restricted model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

import detente
from detente.model import Conflict, GraphModel, Prioritization, Weighted, pattern_to_code
from detente.model.variants import apply_variant, variant_names

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "korea-2015.yaml"
ESSAY_NAME = "carpenter-2015-north-korea-strategy.txt"


def _essay_path() -> Path | None:
    candidates = [
        os.environ.get("DETENTE_SEED_ESSAY", ""),
        str(ROOT / "scenarios" / "sources" / ESSAY_NAME),
        str(ROOT.parent / "shared" / "seed" / ESSAY_NAME),
    ]
    for c in candidates:
        if c and Path(c).is_file():
            return Path(c)
    return None


# option order (bit order) of the file, option 1 first
OPTIONS = (
    "us.dprk_sanctions", "us.peace_treaty", "us.relations", "us.un_relief",
    "us.scs_backing", "us.senkaku_backing", "us.russia_sanctions", "us.nato_open",
    "dprk.nuclear_test", "dprk.missile_test", "dprk.forward_forces",
    "china.press", "russia.press",
)  # fmt: skip
STATUS_QUO = "YNNNYYYYYYYNN"
UNITED_FRONT = "NYYYNNNNNNNYY"
VARIANTS = ("hard_line", "carpenter", "carpenter_no_russia_easing", "dprk_nuclear_first",
            "china_fears_collapse")  # fmt: skip
US, DPRK, CHINA, RUSSIA = 0, 1, 2, 3


@pytest.fixture(scope="module")
def korea() -> Conflict:
    return detente.load(SCENARIO)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with SCENARIO.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


_analyses: dict[str, detente.AnalysisResult] = {}


def analysis(korea: Conflict, variant: str) -> detente.AnalysisResult:
    if variant not in _analyses:
        _analyses[variant] = detente.analyze(apply_variant(korea, variant))
    return _analyses[variant]


def verdicts(result: detente.AnalysisResult, pattern: str) -> dict[str, list[bool]]:
    """Per concept, stability of the state ``pattern`` for each DM (us, dprk, china, russia)."""
    s = result.model.index_of(pattern_to_code(pattern))
    assert s >= 0, f"{pattern} is infeasible"
    return {c: [bool(x) for x in result.stable[c][:, s]] for c in result.concepts}


# ------------------------------------------------------------------ the file
def test_loads_and_compiles(korea: Conflict) -> None:
    assert korea.dm_ids == ("us", "dprk", "china", "russia")
    assert tuple(korea.option_ref(k) for k in range(korea.n_options)) == OPTIONS
    model = korea.compile()
    # 13 options, 2**13 = 8192 candidate states; the file has no feasibility rule
    assert korea.constraints == ()
    assert model.n_states == 8192
    assert model.status_quo is not None and model.pattern(model.status_quo) == STATUS_QUO


def test_variants_are_listed(korea: Conflict) -> None:
    assert tuple(variant_names(korea)) == VARIANTS


@pytest.mark.parametrize("name", VARIANTS)
def test_each_variant_applies_and_compiles(korea: Conflict, name: str) -> None:
    v = apply_variant(korea, name)
    model = v.compile()
    assert model.n_dms == 4
    # carpenter_no_russia_easing holds two options fixed: 2**11 states
    expected = 2048 if name == "carpenter_no_russia_easing" else 8192
    assert model.n_states == expected
    assert model.status_quo is not None and model.pattern(model.status_quo) == STATUS_QUO


def test_hard_line_is_the_base(korea: Conflict) -> None:
    np.testing.assert_array_equal(
        apply_variant(korea, "hard_line").compile().payoffs, korea.compile().payoffs
    )


def test_carpenter_changes_only_the_us(korea: Conflict) -> None:
    base = korea.compile().payoffs
    carp = apply_variant(korea, "carpenter").compile().payoffs
    assert not np.array_equal(base[US], carp[US])
    np.testing.assert_array_equal(base[1:], carp[1:])


# --------------------------------------------------------------------- quotes
def _normalise(text: str) -> str:
    """Whitespace and typographic quote marks only."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def _quotes(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "quote":
                yield path, value
            yield from _quotes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _quotes(value, (*path, i))


def test_every_quote_is_verbatim(raw: dict[str, Any]) -> None:
    essay_path = _essay_path()
    if essay_path is None:
        pytest.skip(f"the essay {ESSAY_NAME} is not available (set DETENTE_SEED_ESSAY)")
    essay = _normalise(essay_path.read_text(encoding="utf-8"))
    quotes = list(_quotes(raw))
    assert len(quotes) > 60  # every option, DM and statement, base and variants
    bad = [(p, q) for p, q in quotes if not isinstance(q, str) or _normalise(q) not in essay]
    assert not bad, "quotes not found verbatim in the essay:\n" + "\n".join(map(str, bad))


def _statements(conflict: Conflict) -> Iterator[tuple[str, int, Any]]:
    for dm, pref in conflict.preferences.items():
        assert isinstance(pref, Prioritization | Weighted), f"{dm}: expected statements"
        for t, s in enumerate(pref.statements):
            yield dm, t, s


@pytest.mark.parametrize("name", (None, *VARIANTS))
def test_every_option_and_statement_has_a_quote(korea: Conflict, name: str | None) -> None:
    conflict = korea if name is None else apply_variant(korea, name)
    assert all(o.quote.strip() for o in conflict.options)
    assert all(d.quote.strip() for d in conflict.decision_makers)
    missing = [(dm, t + 1, s.text) for dm, t, s in _statements(conflict) if not s.quote.strip()]
    assert not missing


def test_prioritizations_throughout(korea: Conflict) -> None:
    for name in VARIANTS:
        for pref in apply_variant(korea, name).preferences.values():
            assert isinstance(pref, Prioritization)


def test_assumptions_are_marked(raw: dict[str, Any]) -> None:
    # The DPRK's preferences are not in the essay: each is argued, or marked an assumption
    # (the two pressure statements restate the essay's "reduce its dependence" and "repair
    # ties" directly and need no assumption).
    for item in raw["preferences"]["dprk"]["prioritization"]:
        direct = item["statement"] in ("not china.press", "not russia.press")
        assert direct or "assumption" in item.get("note", ""), item["statement"]


# ------------------------------------------------------------------ headline
#
# The united front U = NYYYNNNN NNN Y Y. Under `carpenter` (file order of statements):
#
# US  1-3 no nuclear test, no missile test, forces pulled back: all true at U, and no US
#     move changes them. 4-5 China presses, Russia presses: true, unchanged by US moves.
#     6-9 each concession "iff" the DPRK restrains: restraint holds at U and each
#     concession is made, so all four are true. 10-13 each linked-issue easing "iff" the
#     partner presses: both partners press and all four are eased, so all true. Any US move
#     flips at least one US option and so falsifies its own statement among 6-13 while 1-5
#     stay: every US move is a strict loss. No UI: stable under every concept.
# China  its only move is to stop pressing. Statements 1-4 do not mention china.press;
#     statement 5 ("china.press iff conciliatory and both issues eased") has a true
#     condition at U, so pressing is required; stopping falsifies it. No UI: stable.
# Russia  likewise with statement 3 (condition: conciliatory, Russia sanctions lifted,
#     NATO closed: all true at U). No UI: stable.
# DPRK  statements 1-4 (the US package) are true at U and DPRK moves cannot change them.
#     Statement 5, "(no nuclear and no missile test) if China and Russia press", has a true
#     condition at U, so any move that starts a test falsifies it: a loss, whatever it
#     gains below. 6-7 are false at U and unchanged. The move that only puts forces forward
#     keeps 1-7 and gains statement 10: it is a UI, and the only one. So:
#     * Nash: unstable (that UI exists).
#     * GMR: stable. From U+forward, the US can reimpose DPRK sanctions; statement 2 of the
#       DPRK ("not us.dprk_sanctions") is then false while 1 is unchanged: worse than U.
#     * SMR: stable. From that sanction every DPRK counter-move leaves statement 1 true and 2
#       false (only the US controls them): still worse than U.
#     * SEQ: stable. Reimposing sanctions is a UI for the US at U+forward: restraint is
#       false there, so "not us.dprk_sanctions iff restraint" becomes true by reimposing,
#       and statements 1-5 do not involve US options.
#     * SIM: unstable. The other DMs have no UI at U (see above), so the only simultaneous
#       outcome is U+forward itself, which the DPRK prefers.
#     * SEQ+SIM: stable (SEQ-stable).
# Hence U is an equilibrium for GMR, SMR, SEQ and SEQ+SIM, and not for Nash and SIM.
HEADLINE = {
    "nash": [True, False, True, True],
    "gmr": [True, True, True, True],
    "smr": [True, True, True, True],
    "seq": [True, True, True, True],
    "sim": [True, False, True, True],
    "seq_sim": [True, True, True, True],
}


def test_united_front_under_carpenter(korea: Conflict) -> None:
    assert verdicts(analysis(korea, "carpenter"), UNITED_FRONT) == HEADLINE


def test_united_front_under_hard_line(korea: Conflict) -> None:
    # The hard-line US ranks its own stances first: from U it moves back to the full hard
    # line (statements 1-8 all become true). Every sanction leaves US options at the hard
    # line (others cannot move them), so the US keeps what it prefers most: unstable for
    # the US under every concept. China and Russia at U: unchanged statements, stable.
    v = verdicts(analysis(korea, "hard_line"), UNITED_FRONT)
    assert all(not v[c][US] for c in v)
    assert all(v[c][CHINA] and v[c][RUSSIA] for c in v)


def test_status_quo_is_nash_under_hard_line_and_carpenter(korea: Conflict) -> None:
    # At the status quo no one presses, so the DPRK's statement 5 holds vacuously and its
    # tests and forward forces (8-10) are all taken: no DPRK move gains. China's condition
    # is false (the US is not conciliatory), so "press iff ..." wants no pressing: no UI;
    # likewise Russia. Hard-line US: statements 1-8 all true at the status quo. Carpenter
    # US: the DPRK does not restrain, so each concession "iff restraint" wants the
    # concession withheld (true at the status quo); neither partner presses, so each
    # linked stance is kept (true). Every US move falsifies one of 6-13 and cannot change
    # 1-5. Nobody has a UI: the status quo is Nash (hence stable for every concept) in both.
    for name in ("hard_line", "carpenter"):
        v = verdicts(analysis(korea, name), STATUS_QUO)
        assert all(all(v[c]) for c in v), name


def test_critics_break_the_united_front(korea: Conflict) -> None:
    # dprk_nuclear_first: from U a nuclear test satisfies the DPRK's first statement; no
    # other DM can undo a DPRK option, so every sanction keeps the test and is better for
    # the DPRK than U. Unstable for the DPRK under every concept.
    v = verdicts(analysis(korea, "dprk_nuclear_first"), UNITED_FRONT)
    assert all(not v[c][DPRK] for c in v)
    # china_fears_collapse: China's first statement is "not china.press"; stopping gains it
    # and no one else can make China press again. Unstable for China under every concept.
    v = verdicts(analysis(korea, "china_fears_collapse"), UNITED_FRONT)
    assert all(not v[c][CHINA] for c in v)


def test_front_without_russia(korea: Conflict) -> None:
    # carpenter_no_russia_easing: U itself is infeasible (Russia sanctions and NATO held at
    # Y). The partial front W = NYYYNNYY NNN Y N: concessions to the DPRK and China, China
    # presses, Russia does not (its condition needs the sanctions lifted).
    # US at W: 1-4 true, 5 false; 6-9 true (restraint, concessions made); 10-11 true
    # (China presses, issues eased); 12-13 "not russia_sanctions iff russia.press" with
    # both false: true. Its Russia options are fixed, so every US move flips a concession or
    # a Chinese issue: a loss. China: condition true, pressing: no UI. Russia: condition
    # false, not pressing: no UI. DPRK: only China presses, so statement 5 holds vacuously
    # and testing gains statements 8-9: a UI (Nash-unstable). As for U, the US reimposing
    # sanctions is a UI for the US that leaves the DPRK worse (statement 2): GMR, SMR and
    # SEQ stable for the DPRK; SIM unstable (no one else has a UI at W).
    v = verdicts(analysis(korea, "carpenter_no_russia_easing"), "NYYYNNYYNNNYN")
    assert v == HEADLINE


# ----------------------------------------------------------- oracle comparison
def _restricted(korea: Conflict) -> GraphModel:
    """Carpenter with the four linked-issue options held at the united front's value (N).

    512 states: small enough for the brute-force oracle. Holding options fixed removes
    moves, so this is a different model from the full one; it serves to compare the fast
    engine with the oracle on the scenario's own preferences.
    """
    extra = {
        "restricted": {
            "extends": "carpenter",
            "fix": {
                "us.scs_backing": "N",
                "us.senkaku_backing": "N",
                "us.russia_sanctions": "N",
                "us.nato_open": "N",
            },
        }
    }
    conflict = replace(korea, variants={**korea.variants, **extra})
    return apply_variant(conflict, "restricted").compile()


def test_engine_agrees_with_oracle_on_restricted_carpenter(korea: Conflict) -> None:
    reference = pytest.importorskip(
        "detente.stability.reference", reason="brute-force oracle not available"
    )
    model = _restricted(korea)
    assert model.n_states == 512
    fast = detente.analyze(model)
    slow = reference.analyze_reference(model)
    for c in fast.concepts:
        np.testing.assert_array_equal(fast.stable[c], slow.stable[c], err_msg=c)
    # the hand derivation above carries over: the removed moves (linked issues) were
    # losses for the US anyway and were not used by any sanction
    s = model.index_of(pattern_to_code(UNITED_FRONT))
    assert {c: [bool(x) for x in slow.stable[c][:, s]] for c in slow.concepts} == HEADLINE


@pytest.mark.skipif(
    not os.environ.get("DETENTE_SLOW"), reason="full 8192-state oracle run takes minutes"
)
@pytest.mark.parametrize("name", ("hard_line", "carpenter"))
def test_engine_agrees_with_oracle_full(korea: Conflict, name: str) -> None:
    from detente.stability.reference import analyze_reference

    model = apply_variant(korea, name).compile()
    slow = analyze_reference(model)
    fast = analysis(korea, name)
    for c in fast.concepts:
        np.testing.assert_array_equal(fast.stable[c], slow.stable[c], err_msg=c)


def test_united_front_without_a_move_of_all_four(korea: Conflict) -> None:
    """Under carpenter the united front is not reached by separate moves; the study finds a
    route through the coalitions of interest (not only the one-step deal of all four).
    Each step of that path is checked here against the definitions, from the payoffs:
    the movers are one DM or a coalition of interest, only their options change, every
    mover is strictly better off, and no mover (or coalition) moves twice in a row."""
    from detente.analysis.study import run_study

    study = run_study(korea, variants=["carpenter"])
    v = study.variants[0]
    model = v.model
    t = v.target_state
    assert t is not None and v.route(t) == "coalition moves"
    assert v.target_reachable() is False
    paths = [p for p in v.paths if p.kind == "target"]
    assert any(len(m.movers) == 4 for p in paths for m in p.path.steps)  # the deal of all
    (route,) = [p for p in paths if all(len(m.movers) < 4 for m in p.path.steps)]
    ids = list(model.dm_names)
    allowed = {tuple(sorted(ids.index(d) for d in c)) for c in study.spec.coalitions}
    assert route.path.states[0] == model.status_quo and route.path.states[-1] == t
    previous: tuple[int, ...] | None = None
    for step in route.path.steps:
        movers = tuple(sorted(step.movers))
        assert len(movers) == 1 or movers in allowed
        assert movers != previous
        changed = int(model.codes[step.source]) ^ int(model.codes[step.target])
        mask = 0
        for i in movers:
            mask |= model.dm_masks[i]
        assert changed and changed & ~mask == 0
        for i in movers:
            assert model.payoffs[i][step.target] > model.payoffs[i][step.source]
        previous = movers
