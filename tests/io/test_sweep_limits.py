"""Sweep specifications within the input limits (issue 10): one located line, exit 2.

``high: .inf`` used to pass validation and fail the run; ``.nan`` was reported as "low must
not exceed high"; 5,000-digit and 3,000-deep specs raised tracebacks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.sweep.spec import SpecError, parse_spec_yaml
from tests.fuzz.attacks import BASE, run_cli

SPEC = """\
format: detente-sweep/1
scenario: pd.yaml
seed: 1
samples: 5
statements:
  - dm: one
    changes: 0
    weights: [{statement: 1, low: 1, high: HIGH}]
"""


@pytest.mark.parametrize(
    ("high", "shown"), [(".inf", "inf"), (".nan", "nan"), ("-.inf", "-inf"), (".NaN", "nan")]
)
def test_weight_bounds_must_be_finite(high: str, shown: str, tmp_path: Path) -> None:
    (tmp_path / "pd.yaml").write_text(BASE)
    spec = tmp_path / "sweep.yaml"
    spec.write_text(SPEC.replace("HIGH", high))
    code, _, err = run_cli("sweep", spec, "--workers", "0", "--no-progress")
    assert code == 2
    assert err == (
        f"detente: error: {spec}:8:44: statements.0.weights.0.high: "
        f"must be a finite number, not {shown}\n"
    )


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("scenario: pd.yaml\nseed: " + "9" * 5000 + "\n", "2:7: seed: integer of 5,000 digits"),
        ("scenario: pd.yaml\nx: " + "[" * 3000 + "]" * 3000 + "\n", "nested more than 64"),
        ("scenario: pd.yaml\nseed: -1\n", "2:7: seed: Input should be greater than or equal to 0"),
        ("scenario: pd.yaml\nsamples: .inf\n", "2:10: samples:"),
        ("scenario: [\n", "not valid YAML"),
        ("- a\n", "a sweep file must be a mapping"),
    ],
)
def test_hostile_specs_are_one_located_line(text: str, words: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_spec_yaml(text, "s.yaml")
    message = str(info.value)
    assert message.startswith("s.yaml")
    assert words in message
    assert "\n" not in message
