"""Planted bugs in the compiled sweep kernels (:mod:`detente.sweep._numba`).

:func:`mutant` compiles a copy of the module's source with one line changed, so that a
test can show that its comparison fails when that path is wrong. Each mutation names a
line that must occur exactly once (the copy is refused otherwise, so a mutation cannot
silently stop applying when the kernel is edited).
"""

from __future__ import annotations

import functools
import inspect
from types import SimpleNamespace

MUTATIONS = {
    # the dirty pass forgets the first state logged since the mover's last pass
    "dirty log skips one": (
        "    for e in range(first, last):\n",
        "    for e in range(first + 1, last):\n",
    ),
    # the dirty pass updates all but the last state of each revisited sub-fibre
    "dirty sub-fibre cut short": (
        "        for k in range(p0, p1):\n            x = perm[k]\n",
        "        for k in range(p0, p1 - 1):\n            x = perm[k]\n",
    ),
    # the overflow of the log is ignored: a mover may revisit too little after it
    "dirty epoch ignored": (
        "and epoch[j] == st[_EPOCH] and",
        "and",
    ),
    # changes made by a dirty pass are not logged for the other movers
    "dirty changes unlogged": (
        "_note(x, log, st, limit)  # for the other movers' next passes",
        "pass",
    ),
}


@functools.cache
def mutant(name: str) -> SimpleNamespace:
    """The kernel module with mutation ``name`` applied (compiled on first use, not in
    numba's cache; one copy per test process)."""
    from detente.sweep import _numba

    old, new = MUTATIONS[name]
    src = inspect.getsource(_numba)
    assert src.count(old) == 1, f"mutation {name!r} no longer applies"
    src = src.replace(old, new).replace("cache=True", "cache=False")
    namespace: dict[str, object] = {"__name__": f"detente_sweep_numba_mutant_{len(name)}"}
    exec(compile(src, f"<mutant {name}>", "exec"), namespace)
    return SimpleNamespace(**{k: v for k, v in namespace.items() if not k.startswith("__")})
