"""SEQ+SIM: sequentially or simultaneously sanctioned.

Definition, as decided for Détente (``shared/design/DEFINITIONS.md`` §3.1, matching the
classical conflict-analysis tableau of Fraser & Hipel 1984 and GMCR+): ``s`` is SEQ+SIM
stable for DM ``i`` iff it is SEQ stable **or** SIM stable for ``i`` (a per-DM "or", not
"and"). Hence SEQ ⊆ SEQ+SIM and SIM ⊆ SEQ+SIM.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["seq_sim_stable"]


def seq_sim_stable(seq: NDArray[np.bool_], sim: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Per-DM, per-state: ``seq | sim``."""
    out: NDArray[np.bool_] = seq | sim
    return out
