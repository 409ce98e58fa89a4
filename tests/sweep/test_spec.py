"""Sweep specifications: validation before any work, factors, sampling."""

from __future__ import annotations

import pytest

from detente.sweep import SpecError, load_sweep
from detente.sweep.sampling import variant_levels
from tests.sweep.conftest import KOREA, case_path


def test_factors_and_exhaustive_space(syria_spec) -> None:
    sweep, _ = load_sweep(syria_spec())
    # syria: 4 statements -> 1 + 4 drops + 3 swaps = 8 levels, two slots; iraq: 1 + 4 swaps;
    # one uncertain pair (2 levels)
    assert [f.size for f in sweep.factors] == [8, 8, 5, 2]
    assert sweep.space == 640 and not sweep.exhaustive and sweep.n_variants == 500
    sweep2, _ = load_sweep(syria_spec(samples=640))
    assert sweep2.exhaustive and sweep2.n_variants == 640
    seen = {tuple(variant_levels(sweep2, v)) for v in range(640)}
    assert len(seen) == 640  # exhaustive enumeration covers the space once


def test_random_sampling_is_seeded_per_variant(syria_spec) -> None:
    sweep, _ = load_sweep(syria_spec())
    a = [variant_levels(sweep, v) for v in range(50)]
    b = [variant_levels(sweep, v) for v in reversed(range(50))][::-1]
    assert a == b  # independent of order
    assert len({tuple(x) for x in a}) > 30


def test_digest_ignores_formatting(syria_spec, write_spec) -> None:
    sweep, text = load_sweep(syria_spec())
    again, _ = load_sweep(write_spec("# a comment\n" + text, "other.yaml"))
    assert sweep.id == again.id


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("dm: syria", "dm: turkey"), "unknown decision maker 'turkey'"),
        (("kinds: [swap]", "kinds: [swap]\n    statements: [9]"), "statement 9 is out of range"),
        (
            ("kinds: [swap]", "kinds: [swap]\n    statements: ['attack now']"),
            "unknown statement 'attack now'",
        ),
        (("pairs: [[1, 3]]", "pairs: [[1, 9]]"), "state id 9 is out of range"),
        (("seed: 3", "seed: 3\nlevers: {options: [iraq.nuke]}"), "unknown lever 'iraq.nuke'"),
        (("seed: 3", "seed: 3\nvariants: [nope]"), "unknown variant 'nope'"),
        (("concepts: [nash, gmr, smr, seq]", "concepts: [nash, xyz]"), "unknown concept 'xyz'"),
        (("seed: 3", "seed: 3\ncolour: red"), "colour: Extra inputs are not permitted"),
        (("samples: 500", "samples: -1"), "samples"),
    ],
)
def test_invalid_specs_fail_with_one_line(syria_spec, write_spec, edit, message) -> None:
    text = syria_spec().read_text()
    assert edit[0] in text
    bad = write_spec(text.replace(edit[0], edit[1]), "bad.yaml")
    with pytest.raises(SpecError) as info:
        load_sweep(bad)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_files(write_spec, tmp_path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        load_sweep(tmp_path / "nope.yaml")
    with pytest.raises(SpecError, match="not found"):
        load_sweep(write_spec("scenario: nowhere.yaml\n"))
    with pytest.raises(SpecError, match="not valid YAML"):
        load_sweep(write_spec("scenario: [\n"))


def test_korea_variants_levers_and_weights(write_spec) -> None:
    spec = write_spec(
        f"""
scenario: {KOREA}
variant: carpenter
samples: 20
variants: [carpenter, dprk_nuclear_first]
statements:
  - dm: china
    changes: 1
    weights: [{{statement: 1, low: 1, high: 64}}]
levers: {{options: [us.nato_open], values: [free, N]}}
"""
    )
    sweep, _ = load_sweep(spec)
    kinds = [f.kind for f in sweep.factors]
    assert kinds == ["variant", "statement", "weight", "lever"]
    assert sweep.space is None and not sweep.exhaustive  # continuous weight -> random
    assert sweep.target_code is not None  # from the scenario's analysis.target
    bad = write_spec(
        f"scenario: {KOREA}\nvariants: [carpenter, carpenter_no_russia_easing]\n"
        "mode: exhaustive\nstatements: [{dm: china, weights: [{statement: 1, low: 1, high: 2}]}]\n",
        "bad.yaml",
    )
    with pytest.raises(SpecError, match="exhaustive needs"):
        load_sweep(bad)


def test_catalogue_helper() -> None:
    assert case_path("syria_iraq").is_file()
