"""The hostile input files of issue 10 ("Hardening"), built as text, and an in-process CLI.

Each attack is ``(name, file name, text, expected field, words of the expected message)``.
The texts are small; what they would cost without limits (exponential alias expansion,
recursion, 4,301-digit integers) is what the limits in :mod:`detente.io.limits`,
:mod:`detente.model.expr` and :mod:`detente.io.scenario` refuse.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import NamedTuple

BASE = """\
format: detente/1
name: pd
decision_makers:
  - id: one
    options: [{id: defect}]
  - id: two
    options: [{id: defect}]
status_quo: NN
preferences:
  one:
    prioritization: [not two.defect, one.defect]
  two:
    prioritization: [not one.defect, two.defect]
"""

BASE_GMCR = {
    "program": "gmcr-py",
    "version": "0.3.12",
    "options": [
        {"name": "Defect one", "permittedDirection": "both"},
        {"name": "Defect two", "permittedDirection": "both"},
    ],
    "decisionMakers": [
        {"name": "One", "options": [0], "preferences": [[[1, "N"]], [[0, "Y"]]]},
        {"name": "Two", "options": [1], "preferences": [[[0, "N"]], [[1, "Y"]]]},
    ],
    "infeasibles": [],
}

BIG = "1" * 4301  # one digit more than Python converts to int by default


class Attack(NamedTuple):
    name: str
    file: str
    text: str
    field: str
    words: str


def billion_laughs() -> str:
    """A scenario whose description is nine levels of nine aliases: 9**9 strings expanded.

    About 840 bytes, like the file of the issue."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 9):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]")
    return BASE.replace("name: pd\n", "name: pd\nsource:\n  " + "\n  ".join(lines) + "\n")


def _gmcr(**changes: object) -> str:
    data = json.loads(json.dumps(BASE_GMCR))
    data.update(changes)
    return json.dumps(data, indent=1)


def attacks() -> list[Attack]:
    dm0 = dict(BASE_GMCR["decisionMakers"][0])  # type: ignore[index]
    ext = "variants:\n  v0: {status_quo: NN}\n" + "".join(
        f"  v{i}: {{extends: v{i - 1}}}\n" for i in range(1, 1000)
    )
    payoffs = _gmcr().replace('"options": [\n    0\n   ],', f'"options": [0], "payoffs": [{BIG}],')
    assert BIG in payoffs
    return [
        Attack(
            "billion laughs", "laughs.yaml", billion_laughs(), "source", "aliases expand this value"
        ),
        Attack(
            "recursive alias",
            "self.yaml",
            BASE.replace("name: pd\n", "name: pd\nsource: &s {a: [*s]}\n"),
            "source",
            "recursive alias",
        ),
        Attack(
            "300 nested [",
            "nest.yaml",
            BASE + "description: " + "[" * 300 + "]" * 300 + "\n",
            "description[1][1]",
            "nested more than 64 levels",
        ),
        Attack(
            "200 nested parentheses",
            "paren.yaml",
            BASE.replace("[not two.defect,", '["' + "(" * 200 + "two.defect" + ")" * 200 + '",'),
            "preferences.one.prioritization[1]",
            "nested more than 64 levels",
        ),
        Attack(
            "1,000 repeated not",
            "nots.yaml",
            BASE.replace("[not two.defect,", '["' + "not " * 1000 + 'two.defect",'),
            "preferences.one.prioritization[1]",
            "nested more than 64 levels",
        ),
        Attack(
            "extends chain of 1,000",
            "extends.yaml",
            BASE + ext,
            "variants",
            "1,000 variants is more than the limit of 200",
        ),
        Attack(
            "extends chain of 40",
            "extends40.yaml",
            BASE + "".join(ext.splitlines(keepends=True)[:41]),
            "variants.v32.extends",
            "chain of more than 32",
        ),
        Attack(
            "4,301-digit status quo",
            "sq.yaml",
            BASE.replace("status_quo: NN", f"status_quo: {BIG}"),
            "status_quo",
            "integer of 4,301 digits",
        ),
        Attack(
            "4,301-digit ranking entry",
            "rank.yaml",
            BASE.replace(
                "prioritization: [not one.defect, two.defect]", f"ranking: [{BIG}, 2, 3, 4]"
            ),
            "preferences.two.ranking[1]",
            "integer of 4,301 digits",
        ),
        Attack(
            "4,301-digit option number in a statement",
            "stmt.yaml",
            BASE.replace("one.defect]", f'"{BIG}"]', 1),
            "preferences.one.prioritization[2]",
            "option number of 4,301 digits",
        ),
        Attack(
            "4,301-digit weight fraction",
            "weight.yaml",
            BASE.replace(
                "prioritization: [not one.defect, two.defect]",
                f'weighted: [{{statement: one.defect, weight: "1/{BIG}"}}]',
            ),
            "preferences.two.weighted[1].weight",
            "weight of 4,302 digits",
        ),
        Attack(
            "4,301-digit format",
            "fmt.yaml",
            BASE.replace("format: detente/1", f'format: "detente/{BIG}"'),
            "format",
            "unknown format",
        ),
        Attack(
            "superscript format",
            "sup.yaml",
            BASE.replace("format: detente/1", 'format: "detente/²"'),
            "format",
            "unknown format 'detente/²'",
        ),
        Attack(
            "superscript option number",
            "supnum.yaml",
            BASE.replace("status_quo: NN", "status_quo: {'²': Y}"),
            "status_quo",
            "unknown option",
        ),
        Attack(
            "long text",
            "long.yaml",
            BASE + "description: " + "x" * 100_001 + "\n",
            "description",
            "longer than the limit of 100,000",
        ),
        Attack(
            "lone surrogate",
            "surrogate.yaml",
            BASE.replace("name: pd", 'name: "p\\ud800d"'),
            "name",
            "lone surrogate",
        ),
        Attack(
            "50k-deep .gmcr",
            "deep.gmcr",
            '{"options": ' + "[" * 50_000 + "]" * 50_000 + "}",
            "options[1][1]",
            "nested more than 64 levels",
        ),
        Attack(
            "4,301-digit .gmcr payoff",
            "payoff.gmcr",
            payoffs,
            "decisionMakers[1].payoffs[1]",
            "number of 4,301 digits",
        ),
        Attack(
            "4,301-digit .gmcr option index",
            "index.gmcr",
            _gmcr(decisionMakers=[{**dm0, "options": [int(BIG[:50])]}]).replace(BIG[:50], BIG),
            "decisionMakers[1].options[1]",
            "number of 4,301 digits",
        ),
        Attack(
            "superscript .gmcr version",
            "version.gmcr",
            _gmcr(version="0.²"),
            "version",
            "version must be text such as",
        ),
        Attack(
            "lone surrogate in a .gmcr name",
            "surrogate.gmcr",
            _gmcr().replace('"One"', '"O\\ud800"'),
            "decisionMakers[1].name",
            "lone surrogate",
        ),
    ]


def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """Run ``detente ARGS`` in this process; return (exit status, stdout, stderr)."""
    from detente.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()
