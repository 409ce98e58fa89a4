"""Shared sweep fixtures: small specs over catalogued cases and the seed scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.catalog import _resolve

ROOT = Path(__file__).resolve().parents[2]
KOREA = ROOT / "scenarios" / "korea-2015.yaml"


def case_path(name: str) -> Path:
    _, item = _resolve(name)
    return Path(str(item))


SYRIA_SPEC = """\
format: detente-sweep/1
name: syria test
scenario: {scenario}
seed: 3
samples: {samples}
mode: {mode}
concepts: [nash, gmr, smr, seq]
target: "YNN"
batch_size: {batch}
statements:
  - dm: syria
    changes: 2
  - dm: iraq
    changes: 1
    kinds: [swap]
uncertain:
  - dm: iraq
    pairs: [[1, 3]]
"""


@pytest.fixture
def write_spec(tmp_path: Path):
    def write(text: str, name: str = "spec.yaml") -> Path:
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        return p

    return write


@pytest.fixture
def syria_spec(write_spec):
    def make(samples: int = 500, mode: str = "auto", batch: int = 50) -> Path:
        return write_spec(
            SYRIA_SPEC.format(
                scenario=case_path("syria_iraq"), samples=samples, mode=mode, batch=batch
            )
        )

    return make
