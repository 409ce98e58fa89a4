"""A hand-made concession conflict shared by the study and report tests.

Two DMs. The *conceder* ``a`` has two options, ``a1`` and ``a2`` (the levers); the
*partner* ``b`` has one, ``coop``. Codes: a1 = bit 0, a2 = bit 1, coop = bit 2; all eight
states are feasible, so state index == code.

Payoffs (prioritization, DEFINITIONS §1.4, lexicographic):
  A(s) = 4*coop + 2*(not a1) + (not a2)          B(s) = 1 if coop == (a1 or a2) else 0

  index  a1 a2 coop   A  B
    0    N  N  N      3  1   <- status quo
    1    Y  N  N      1  0
    2    N  Y  N      2  0
    3    Y  Y  N      0  0
    4    N  N  Y      7  0
    5    Y  N  Y      5  1
    6    N  Y  Y      6  1
    7    Y  Y  Y      4  1   <- target "deal"

Hand derivation for the target set of each lever set L (levers outside L stay at the
status quo value N):  {} -> 4, {a1} -> 5, {a2} -> 6, {a1, a2} -> 7.

* State 4: A is at its maximum. B improves 4 -> 0 (0 -> 1). GMR: A can answer with 1, 2
  or 3, where B gets 0 <= 0, so sanctioned. SEQ: from 0 A has no improvement (3 is
  A's best with coop N), so no credible sanction: GMR yes, SEQ no, Nash no.
* State 5: B at its maximum. A improves to 4 (7) and 6 (6). B answers 4 -> 0 (A gets 3)
  and 6 -> 2 (A gets 2): GMR yes. SEQ: 6 -> 2 is not an improvement for B (1 -> 0),
  so A's move to 6 is not credibly sanctioned: SEQ no.
* State 6: A's only improvement is to 4 (7 > 6); B's answer 4 -> 0 is an improvement for
  B and leaves A with 3 <= 6: SEQ yes (and GMR, SMR yes: A's counter-moves from 0 reach
  at most 3). B is at its maximum. Nash no.
* State 7: A improves to 4, 5 and 6; B's answers are 0, 1, 2 (A gets 3, 1, 2 <= 4): GMR
  and SMR yes (A's counter-moves reach at most 3); 5 -> 1 and 6 -> 2 are not improvements
  for B, so SEQ no.

So SEQ is sufficient only for {a2}: minimal sets [{a2}], a2 necessary, and the full
package does *not* suffice (sufficiency is not monotone). GMR is met by every set:
minimal [{}], nothing necessary. Nash by none.

Reachability from 0: A's moves from 0 lead to 1, 2, 3 (payoffs 1, 2, 0 < 3) and B's to 4
(0 < 1): no unilateral improvement, so only the status quo is reachable. With the grand
coalition a joint improvement needs B better off than 1, impossible: nothing reachable.
The status quo is a Nash equilibrium (nobody can improve).

Variant ``stubborn``: B prefers not to cooperate, whatever A does. At 7, B improves to 3
and any answer of A keeps coop N (B stays at its best), so the deal is unstable under
every concept.

Sensitivity of the base model at the target: dropping A's first statement ``b.coop``
leaves A(s) = 2*(not a1) + (not a2); then A improves 7 -> 4 (0 -> 3) and B's answer
4 -> 0 leaves A with 3 > 0: GMR flips to unstable. Statements: A has 3 (3 drops, 2
swaps), B has 1 (1 drop): 6 perturbations.
"""

from __future__ import annotations

TOY = """\
format: detente/1
name: Concession toy
description: A conceder and a partner. The partner cooperates when it gets something.
decision_makers:
  - id: a
    name: Conceder
    options:
      - {id: a1, label: First concession, quote: "we offer the first"}
      - {id: a2, label: Second concession}
  - id: b
    name: Partner <b>&
    options: [{id: coop, label: Cooperate}]
status_quo: NNN
preferences:
  a: {prioritization: [b.coop, not a.a1, not a.a2]}
  b: {prioritization: ["b.coop iff (a.a1 or a.a2)"]}
variants:
  stubborn:
    description: The partner never cooperates.
    preferences:
      b: {prioritization: [not b.coop]}
analysis:
  target: {a.a1: Y, a.a2: Y, b.coop: Y}
  target_name: deal
  levers: [a.a1, a.a2]
  main_variant: base
  concepts: [nash, gmr, smr, seq]
"""
