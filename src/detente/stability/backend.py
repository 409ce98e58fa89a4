"""Which implementation runs: the numpy kernels or the compiled (numba) ones.

Every hot loop of the engine has two implementations with identical results: a vectorised
numpy one, always available, and a compiled one (``pip install 'detente[fast]'``, modules
``*_numba.py``). This module is the only place that decides between them:

* **numba is optional and imported lazily.** Nothing imports numba until a compiled kernel
  is about to run (:func:`compiled`). Importing numba and loading its cached machine code
  costs about half a second in a fresh process, and the first run on a new machine also
  compiles (tens of seconds), so
* **small models never pay for it.** Below :attr:`Backend.compiled_min_states` states the
  numpy kernels serve and numba is not even imported, unless the process has already
  spent :attr:`Backend.numpy_seconds` of CPU in numpy analyses (a sweep, a study, a web
  server): from then on (a "ski rental" rule, never worse than about twice the better
  choice) the compiled kernels are loaded and serve every size, since their one-time cost
  is then repaid. Both defaults are measured with ``python bench/bench_startup.py
  --break-even`` (4 DMs, all six concepts, CPU time): a fresh process pays 0.6 s to import
  numba and load the cached kernels; one analysis on the numpy kernels costs 0.47 of
  (compiled + that one-time cost) at 25,600 states and 1.42 at 51,200, so the break-even is
  about 40,000 states. The seed's 8,192 states take 0.1-0.25 s on numpy.
* **the size limits of individual compiled paths** (stacked copies, precomputed tables,
  threads) are fields of :class:`Backend` too, so that tests can force every path on small
  conflicts.

Forcing a path (tests, benchmarks, a user who wants to compare)::

    >>> from detente.stability import backend
    >>> with backend.use(compiled="never"):      # numpy kernels only, numba never imported
    ...     backend.settings().compiled
    'never'
    >>> backend.settings().compiled
    'auto'

``backend.use(compiled="always")`` runs the compiled kernels at every size (an error if
numba is missing); keyword arguments set any other field, e.g.
``backend.use(compiled="always", sim_parallel_states=1)`` forces the multi-threaded SIM
search. :func:`configure` changes the settings for the rest of the process.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from types import ModuleType
from typing import Any, Literal

__all__ = [
    "Backend",
    "CompiledMode",
    "charge",
    "compiled",
    "configure",
    "loaded",
    "numba_available",
    "settings",
    "use",
]

CompiledMode = Literal["auto", "never", "always"]
"""``"auto"``: compiled kernels from :attr:`Backend.compiled_min_states` up when numba is
installed; ``"never"``: numpy only; ``"always"``: compiled at every size (numba required)."""


@dataclass(frozen=True)
class Backend:
    """Backend settings. Sizes count the elements a kernel works on: states for the
    per-state kernels, codes (``2**options``) for the passes over the code space."""

    compiled: CompiledMode = "auto"
    compiled_min_states: int = 40_000
    """Below this size the numpy kernels serve and numba is not imported (``"auto"``,
    until :attr:`numpy_seconds` or another kernel has loaded it). Measured break-even, see
    the module docstring."""
    numpy_seconds: float = 0.6
    """After this much CPU time in numpy analyses (reported with :func:`charge`), the
    process switches to the compiled kernels at every size (``"auto"``)."""
    sos_compiled_max: int = 1 << 14
    """Code-space passes up to this size run the compiled loop bit by bit (per-call
    overhead dominates the numpy pass there); larger ones the compiled blocked loop (all
    of a DM's bits applied to one cache-sized group of codes at a time, see
    :attr:`sos_chunk_bits`), or numpy's strided operations without numba."""
    sos_chunk_bits: int = 12
    """Blocked code-space passes: groups are chunks of ``2**sos_chunk_bits`` consecutive
    codes with their partners across the DM's higher bits (at most ``2**6`` chunks for a
    DM with six options above the chunk: 1 MB of ``int32``)."""
    seq_stack_max_states: int = 1 << 16
    """SEQ: up to this many states, all rounds in one compiled call on stacked copies of
    the improvement indexes; above, one compiled call on the DMs' own index arrays (the
    copies cost memory)."""
    seq_full_pass_above: float = 0.3
    """SEQ above :attr:`seq_stack_max_states`: a mover's pass runs over all states (in
    state order) while more than this fraction of its fibres changed since its last pass,
    and over the changed fibres only below (measured at 22 options: 1.2-1.6 times faster
    than full passes throughout; 0.1 and 0.6 do slightly worse)."""
    sim_table_max_states: int = 1 << 16
    """SIM: up to this many states the compiled search reads a precomputed table of every
    DM's improvements; above, it gathers them per state (the table would take hundreds of
    MB at 20 options)."""
    dm_threads: int = 2
    """Threads over the DMs (Nash, GMR, SMR, SEQ and the improvement indexes, one DM per
    thread; each DM's result is computed exactly as alone) from
    :attr:`dm_threads_min_states` states up, when the compiled kernels serve (they release
    the GIL). SIM spreads its states over the cores itself."""
    dm_threads_min_states: int = 1 << 20
    """From this many states, :attr:`dm_threads` threads (below, a thread costs more than
    it saves)."""
    sim_parallel_states: int = 1 << 14
    """SIM: from this many states with improvements, the multi-threaded search; below,
    serial (a thread launch costs more than the work)."""


_settings = Backend()
_loaded: dict[str, ModuleType | None] = {}
_available: bool | None = None
_numpy_seconds = 0.0


def settings() -> Backend:
    """The settings in force."""
    return _settings


def configure(**changes: Any) -> Backend:
    """Change the settings for the rest of the process; returns the previous ones."""
    global _settings
    previous = _settings
    _settings = _checked(replace(_settings, **changes))
    return previous


@contextmanager
def use(**changes: Any) -> Iterator[Backend]:
    """Temporarily change the settings (see :class:`Backend` for the fields)."""
    previous = configure(**changes)
    try:
        yield _settings
    finally:
        configure(**vars(previous))


def numba_available() -> bool:
    """Whether numba is installed (checked without importing it)."""
    global _available
    if _available is None:
        _available = importlib.util.find_spec("numba") is not None
    return _available


def loaded() -> bool:
    """Whether this process has loaded a compiled kernel module (so numba is imported)."""
    return any(mod is not None for mod in _loaded.values())


def charge(seconds: float) -> None:
    """Report CPU time spent in an analysis that ran on the numpy kernels (see
    :attr:`Backend.numpy_seconds`). Called by :func:`detente.stability.analyze_model`."""
    global _numpy_seconds
    if not loaded():
        _numpy_seconds += seconds


def compiled(module: str, size: int) -> Any:
    """The compiled kernel module ``module`` (imported on first use), or ``None`` when the
    numpy kernels should serve a problem of ``size`` elements.

    ``None`` when numba is missing, in mode ``"never"``, or in mode ``"auto"`` below
    :attr:`Backend.compiled_min_states` while no compiled kernel is loaded and less than
    :attr:`Backend.numpy_seconds` were spent in numpy. Callers test the result and fall
    back to numpy.
    """
    s = _settings
    if s.compiled == "never":
        return None
    if (
        s.compiled == "auto"
        and size < s.compiled_min_states
        and _numpy_seconds < s.numpy_seconds
        and not loaded()
    ):
        return None
    if module not in _loaded:
        mod: ModuleType | None = None
        if numba_available():
            try:
                mod = importlib.import_module(module)
            except ImportError:  # pragma: no cover - a broken numba installation
                mod = None
        _loaded[module] = mod
    return _loaded[module]


def _checked(s: Backend) -> Backend:
    if s.compiled not in ("auto", "never", "always"):
        raise ValueError(f"compiled must be 'auto', 'never' or 'always', not {s.compiled!r}")
    if s.compiled == "always" and not numba_available():
        raise ValueError("compiled='always' needs numba: pip install 'detente[fast]'")
    return s
