"""Sweep figures and the HTML section (matplotlib, imported lazily)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from detente.sweep import SerialExecutor, SweepStore, load_result, load_sweep, run_sweep

pytest.importorskip("matplotlib")


def test_section_html(syria_spec, tmp_path) -> None:
    from detente.report.sweep_figures import (
        robust_equilibria_figure,
        sensitivity_figure,
        sweep_section_html,
    )

    sweep, text = load_sweep(syria_spec(samples=100))
    with SweepStore(tmp_path / "f.db") as store:
        run_sweep(sweep, store, SerialExecutor(), spec_text=text)
        res = load_result(store, sweep.id)
    html = sweep_section_html(res)
    assert html.startswith('<section class="sweep"') and html.endswith("</section>")
    assert html.count("<svg") >= 4  # one bar chart per concept, plus sensitivity charts
    assert "http://" not in html and "https://" not in html  # self-contained
    assert "YNN" in html
    fig = robust_equilibria_figure(res, "seq")
    assert fig.axes[0].get_title() == "Most robust SEQ equilibria"
    with SweepStore(tmp_path / "f.db") as store:
        res2 = load_result(store, sweep.id, flag_codes=[0b100])
    assert sensitivity_figure(res2, "nash", code=0b100) is not None  # NNY: iraq's pair matters
    with pytest.raises(KeyError, match="flag_codes"):
        res.sensitivity("nash", 0b100)


def test_module_import_does_not_load_matplotlib() -> None:
    code = (
        "import sys, detente.report.sweep_figures, detente.sweep; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
