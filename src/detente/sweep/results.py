"""Aggregated sweep results, read back from a :class:`~detente.sweep.store.SweepStore`.

* ``probability[c][code]``: the share of the stored variants in which the state with that
  code is a ``c`` equilibrium (``"reach"``: reachable from the status quo by legal
  sequences of unilateral improvements). A state infeasible in a variant counts as "no".
* :meth:`SweepResult.sensitivity`: for a state (default the target) and a concept, each
  factor level's effect: the probability of a "yes" among the variants with that level
  minus among the variants with another level of the same factor (for a continuous weight:
  upper half minus lower half of the drawn values). Sorted by size of the effect, this
  names the statements (and pairs, levers, variants) the answer is most sensitive to.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from detente.model.conflict import code_to_pattern

__all__ = ["Effect", "SweepResult", "load_result"]


@dataclass(frozen=True)
class Effect:
    factor: str
    level: str
    effect: float
    p_with: float
    p_without: float
    n_with: int


@dataclass(frozen=True, eq=False)
class SweepResult:
    sweep_id: str
    name: str
    n_variants: int
    n_planned: int
    concepts: tuple[str, ...]
    option_names: tuple[str, ...]
    target_code: int | None
    probability: dict[str, NDArray[np.float64]]
    factors: list[dict[str, Any]]
    levels: list[list[Any]] = field(repr=False)
    _flags: dict[tuple[int, str], NDArray[np.bool_]] = field(repr=False)

    @property
    def n_options(self) -> int:
        return len(self.option_names)

    def pattern(self, code: int) -> str:
        return code_to_pattern(code, self.n_options)

    def robust_equilibria(self, concept: str, top: int = 10) -> list[tuple[int, float]]:
        """``(code, probability)`` of the states most often a ``concept`` equilibrium."""
        p = self.probability[concept]
        order = np.argsort(-p, kind="stable")[:top]
        return [(int(c), float(p[c])) for c in order if p[c] > 0]

    def flags(self, code: int, concept: str) -> NDArray[np.bool_]:
        """Per stored variant (in vid order): is ``code`` a yes under ``concept``?"""
        key = (code, concept)
        if key not in self._flags:
            raise KeyError(
                f"per-variant answers for state {self.pattern(code)} under {concept!r} were "
                "not loaded; pass flag_codes to load_result"
            )
        return self._flags[key]

    def sensitivity(self, concept: str, code: int | None = None) -> list[Effect]:
        code = self.target_code if code is None else code
        if code is None:
            return []
        y = self.flags(code, concept).astype(float)
        out: list[Effect] = []
        lv = self.levels
        for k, f in enumerate(self.factors):
            col = [row[k] for row in lv]
            if f["bounds"]:
                vals = np.array(col, dtype=float)
                hi = vals >= np.median(vals)
                groups = [("upper half", hi)]
            else:
                arr = np.array(col, dtype=int)
                groups = [(f["labels"][i], arr == i) for i in range(len(f["labels"]))]
            for label, mask in groups:
                n_with = int(mask.sum())
                if n_with == 0 or n_with == mask.size:
                    continue
                pw, po = float(y[mask].mean()), float(y[~mask].mean())
                out.append(Effect(f["name"], label, pw - po, pw, po, n_with))
        out.sort(key=lambda e: (-abs(e.effect), e.factor, e.level))
        return out

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        from detente.display import summary_text

        printer.text(summary_text(self))

    def _repr_html_(self) -> str:
        from detente.display import sweep_html

        return sweep_html(self)

    def to_frame(self, kind: str = "states") -> Any:
        """A pandas DataFrame; see :func:`detente.display.sweep_frame`."""
        from detente.display import sweep_frame

        return sweep_frame(self, kind)

    def state_table(self) -> dict[str, list[Any]]:
        """Columns ``code, pattern, p_<concept>..., p_reach`` for states with any "yes"."""
        keys = list(self.probability)
        any_yes = np.zeros_like(next(iter(self.probability.values())), dtype=bool)
        for k in keys:
            any_yes |= self.probability[k] > 0
        codes = np.flatnonzero(any_yes)
        out: dict[str, list[Any]] = {
            "code": [int(c) for c in codes],
            "pattern": [self.pattern(int(c)) for c in codes],
        }
        for k in keys:
            out[f"p_{k}"] = [float(self.probability[k][c]) for c in codes]
        return out


def load_result(store: Any, sweep_id: str, *, flag_codes: list[int] | None = None) -> SweepResult:
    """Aggregate a stored sweep. ``flag_codes``: states whose per-variant answers are kept
    for :meth:`SweepResult.sensitivity` (default: the target)."""
    info = store.sweep(sweep_id)
    if info is None:
        raise KeyError(f"no sweep {sweep_id!r} in {store.path}")
    size = 1 << info["n_options"]
    rows = list(store.variants(sweep_id))
    index = {vid: r for r, (vid, _, _) in enumerate(rows)}
    n = len(rows)
    keys = [*info["concepts"]]
    sums: dict[str, NDArray[np.int64]] = {}
    target = info["target_code"]
    wanted = (
        list(flag_codes) if flag_codes is not None else ([target] if target is not None else [])
    )
    flags: dict[tuple[int, str], NDArray[np.bool_]] = {}
    for vid, concept, blob in store.bits(sweep_id):
        raw = np.frombuffer(zlib.decompress(blob), dtype=np.uint8)
        bits = np.unpackbits(raw, bitorder="little")[:size]
        if concept not in sums:
            sums[concept] = np.zeros(size, dtype=np.int64)
            if concept not in keys:
                keys.append(concept)
        sums[concept] += bits
        for code in wanted:
            arr = flags.setdefault((code, concept), np.zeros(n, dtype=bool))
            arr[index[vid]] = bool(bits[code])
    prob = {k: (sums[k] / n if n else np.zeros(size)) for k in keys if k in sums}
    return SweepResult(
        sweep_id=sweep_id,
        name=info["name"],
        n_variants=n,
        n_planned=info["n_variants"],
        concepts=tuple(info["concepts"]),
        option_names=tuple(info["option_names"]),
        target_code=target,
        probability=prob,
        factors=info["factors"],
        levels=[lv for _, lv, _ in rows],
        _flags=flags,
    )
