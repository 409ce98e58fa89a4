"""Fuzzing sweep specifications (issue 10): every mistake is one :class:`SpecError` line.

Sweep YAML is mutated in its text and its data, as scenario files are in
``test_fuzz_inputs.py``, then read (:func:`~detente.sweep.spec.parse_spec_yaml`) and checked
against the Prisoner's Dilemma of the attack files (:func:`~detente.sweep.spec.resolve_spec`).
Either step may refuse the spec, with one line; no other exception may escape, and an
accepted spec has a finite, positive number of variants. Nothing is computed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from detente.io import load_scenario_text
from detente.sweep.spec import SpecError, parse_spec_yaml, resolve_spec
from tests.fuzz.attacks import BASE
from tests.fuzz.test_fuzz_inputs import _mutate_data, _mutate_text, _yaml_text

SPEC = """\
format: detente-sweep/1
scenario: pd.yaml
seed: 3
samples: 20
mode: auto
concepts: [nash, gmr]
target: "YY"
statements:
  - dm: one
    changes: 1
    kinds: [swap, drop]
    weights: [{statement: 1, low: 1, high: 4, steps: 3}]
uncertain:
  - dm: two
    pairs: [[1, 4]]
levers: {options: [one.defect], values: [free, Y]}
"""

CONFLICT = load_scenario_text(BASE, "pd.yaml")


@st.composite
def spec_mutants(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return _mutate_text(draw, SPEC)
    data = YAML(typ="safe", pure=True).load(SPEC)
    return _yaml_text(_mutate_data(draw, data))


@settings(
    max_examples=60,
    deadline=timedelta(seconds=30),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@example(SPEC.replace("high: 4", "high: .inf"))
@example(SPEC.replace("low: 1", "low: .nan"))
@example(SPEC.replace("seed: 3", "seed: " + "9" * 5000))
@example(SPEC + "x: " + "[" * 3000 + "]" * 3000 + "\n")
@given(spec_mutants())
def test_sweep_specs_never_crash(text: str) -> None:
    try:
        spec = parse_spec_yaml(text, "s.yaml")
        sweep = resolve_spec(spec, CONFLICT, BASE)
        n: Any = sweep.n_variants
    except SpecError as exc:
        message = str(exc)
        assert message and "\n" not in message, message
        return
    assert isinstance(n, int) and n >= 1
