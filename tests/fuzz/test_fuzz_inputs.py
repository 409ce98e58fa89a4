"""Fuzzing the file readers (issue 10): no input may crash ``detente``.

Scenario YAML and GMCR+ ``.gmcr`` files are mutated at random, in their text (characters
inserted, deleted or replaced; hostile snippets such as ``[[[[``, aliases, 4,301-digit
numbers, ``²``, lone surrogates, deep statements) and in their data (a value anywhere
replaced by a hostile one, a key removed). Each mutant is given to ``detente validate`` in
this process (no subprocess per example), and:

* a rejected file gives exit status 2 and exactly one line on stderr, ``detente: error:
  FILE...``, never a traceback;
* an accepted file is analysed (``detente analyze``) with exit status 0.

The attack files of the issue run as explicit examples. The example counts are bounded
(``max_examples``) so that the suite adds seconds, not minutes, to the default run; the
deadline only catches runaway examples (an unbounded input would take minutes), and the
numba kernels are compiled before the first example so that their one-off compilation
does not count against it.
"""

from __future__ import annotations

import copy
import json
import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

import detente
from detente.io import load_scenario_text
from detente.io.gmcr import loads_gmcr
from tests.fuzz.attacks import BASE, BASE_GMCR, BIG, attacks, run_cli

DATA = Path(__file__).parent.parent / "io" / "data"

FUZZ = settings(
    max_examples=40,
    deadline=timedelta(seconds=60),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=True,
)

YAML_SEEDS = [
    BASE,
    (DATA / "prisoners.yaml").read_text(encoding="utf-8"),
    BASE + "misperceptions:\n  one:\n    - two.defect and one.defect\n    - {states: [NY]}\n",
]
GMCR_SEEDS = [json.dumps(BASE_GMCR, indent=1)] + [
    (DATA / name).read_text(encoding="utf-8-sig")
    for name in ("prisoners.gmcr", "syria_iraq.gmcr", "cuban.gmcr")
]

SNIPPETS = [
    "[" * 70,
    "{" * 70,
    "&a [1, 2]",
    "{x: &a 1, y: &a 2, z: *a}",
    "*a",
    "*nope",
    BIG,
    "-" + BIG,
    "1e999",
    ".inf",
    ".nan",
    "²",
    "\\ud800",
    '"\\ud800"',
    "\t",
    ": ",
    "- ",
    "#",
    "\x00",
    "not " * 70,
    "(" * 70,
    "if a then " * 70,
    "null",
    "~",
    "!!python/object:os.system",
    "\n",
    "\ufeff",
    "ᛝ",
    "—",
]

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    int("9" * 200),
    1.5,
    float("inf"),
    float("nan"),
    "",
    "x" * 300,
    "²",
    "YNNY",
    "not not not x",
    "(" * 80 + "a" + ")" * 80,
    [],
    [[]],
    {},
    {"a": 1},
    ["Y", "N"],
    [[0, "Y"]],
    {"compound": True, "members": []},
]


VALUES = st.one_of(
    st.sampled_from(HOSTILE_VALUES).map(copy.deepcopy),
    st.integers(-3, 20),
    st.text(alphabet="()&|!-~ YNyn12.", max_size=16),
    st.sampled_from(["one.defect", "two.defect", "one", "if", "then", "iff", "->", "Y", "N"]),
    st.lists(st.integers(-1, 5), max_size=4),
)


def _mutate_text(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        if op == "truncate":
            text = text[:pos]
            continue
        piece = draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)))
        if op == "insert":
            text = text[:pos] + piece + text[pos:]
        elif op == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 20)) :]
        else:
            text = text[:pos] + piece + text[pos + len(piece) :]
    return text


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _paths(v, (*prefix, i))
    return out


def _mutate_data(draw: st.DrawFn, data: Any) -> Any:
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            return draw(VALUES)
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(VALUES)
    return data


def _yaml_text(data: Any) -> str:
    out = StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


@st.composite
def yaml_mutants(draw: st.DrawFn) -> str:
    seed = draw(st.sampled_from(YAML_SEEDS))
    if draw(st.booleans()):
        return _mutate_text(draw, seed)
    data = YAML(typ="safe", pure=True).load(seed)
    return _yaml_text(_mutate_data(draw, data))


@st.composite
def gmcr_mutants(draw: st.DrawFn) -> str:
    seed = draw(st.sampled_from(GMCR_SEEDS))
    if draw(st.booleans()):
        return _mutate_text(draw, seed)
    data = json.loads(seed)
    if draw(st.booleans()):  # misperceptions: the GMCR+ per-DM list of state patterns
        dms = data.get("decisionMakers") or []
        for dm in dms:
            dm["misperceptions"] = draw(
                st.sampled_from(
                    [[], [[[0, "Y"]]], [[[0, "Y"], [1, "N"]]], [[[0, "N"]], [[0, "Y"]]]]
                )
            )
    return json.dumps(_mutate_data(draw, data), allow_nan=True)


@pytest.fixture(scope="module", autouse=True)
def _compiled_kernels() -> None:
    """Analyse every seed once before the examples run: the first analysis in a process
    compiles the numba kernels (tens of seconds on a cold cache), which must not count
    against the deadline of one example."""
    for i, text in enumerate(YAML_SEEDS):
        detente.analyze(load_scenario_text(text, f"seed{i}.yaml"))
    for i, text in enumerate(GMCR_SEEDS):
        detente.analyze(loads_gmcr(text, file=f"seed{i}.gmcr"))


def check_file(name: str, text: str) -> None:
    """The contract: exit 2 with one line, or exit 0 and an analysis that succeeds."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        code, out, err = run_cli("validate", path)
        assert "Traceback" not in err, err
        if code == 0:
            assert err == "", err
            code, out, err = run_cli("analyze", path, "--no-progress")
            assert (code, err) == (0, ""), err
            assert out
        else:
            assert code == 2, (code, err)
            assert err.startswith(f"detente: error: {path}"), err
            assert err.endswith("\n") and err.count("\n") == 1, err


ATTACK_YAML = [a.text for a in attacks() if a.file.endswith(".yaml")]
ATTACK_GMCR = [a.text for a in attacks() if a.file.endswith(".gmcr")]


def _with_examples(texts: list[str]) -> Any:
    def deco(fn: Any) -> Any:
        for t in texts:
            fn = example(t)(fn)
        return fn

    return deco


@FUZZ
@_with_examples(ATTACK_YAML)
@given(yaml_mutants())
def test_yaml_scenarios_never_crash(text: str) -> None:
    check_file("fuzz.yaml", text)


@FUZZ
@_with_examples(ATTACK_GMCR)
@given(gmcr_mutants())
def test_gmcr_files_never_crash(text: str) -> None:
    check_file("fuzz.gmcr", text)
