"""``detente inverse`` with a vary range too wide to enumerate (issue 12).

``--vary us`` on the seed leaves the US's whole ranking of 8,192 states open: 8192! orders,
a number of some 28,000 digits that Python refuses to turn into text. The command must
stop before any work with one line that suggests ``--vary us:FROM-TO``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from detente.analysis.inverse import TooManyProfiles, bounded_profiles, inverse_analysis
from detente.cli import app
from detente.model.conflict import ModelError

KOREA = Path(__file__).resolve().parents[2] / "scenarios" / "korea-2015.yaml"


def test_vary_whole_ranking_is_one_line_with_a_suggestion() -> None:
    res = CliRunner().invoke(app, ["inverse", str(KOREA), "--state", "6159", "--vary", "us"])
    assert res.exit_code == 2
    assert res.stdout == ""
    err = res.stderr
    assert err.startswith("detente: error: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert "--vary DM:FROM-TO" in err
    # the largest span that fits the default limit of 2,000,000: 9! = 362,880 <= 2e6 < 10!
    assert "--vary us:1-9" in err
    assert "8,192 places" in err


def test_suggestion_accounts_for_the_other_varied_dms() -> None:
    # us has 8,192 places, china a span of 8 (8! = 40,320 orders): us may keep k places
    # with k! * 40,320 <= 2,000,000, i.e. k = 4 (4! * 8! = 967,680 fits;
    # 5! * 8! = 4,838,400 does not).
    res = CliRunner().invoke(
        app,
        ["inverse", str(KOREA), "-s", "6159", "--vary", "us", "--vary", "china:1-8"],
    )
    assert res.exit_code == 2
    assert "--vary us:1-4" in res.stderr


@pytest.mark.parametrize(
    ("places", "limit"), [([3, 2], 100), ([5], 120), ([5], 119), ([1, 1, 4], 24), ([6, 6], 10**6)]
)
def test_bounded_profiles_matches_the_product_of_factorials(places: list[int], limit: int) -> None:
    exact = math.prod(math.factorial(k) for k in places)
    assert bounded_profiles(places, limit) == (exact if exact <= limit else None)


def test_bounded_profiles_never_builds_huge_numbers() -> None:
    assert bounded_profiles([8192, 8192], 2_000_000) is None


def test_library_raises_a_model_error_with_the_spans() -> None:
    import detente

    model = detente.load(KOREA).compile()
    with pytest.raises(TooManyProfiles) as info:
        inverse_analysis(model, 6158, {"us": None})
    assert isinstance(info.value, ModelError)
    assert info.value.places == {"us": 8192} and info.value.limit == 2_000_000
    assert "8,192! orders" in str(info.value)
