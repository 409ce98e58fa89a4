"""What the application layers (CLI, web) read from the machine; the core never does.

The memory guard of :meth:`detente.model.Conflict.compile` takes its limit as a
parameter; the commands and the server pass :func:`physical_memory`.
"""

from __future__ import annotations

import os

__all__ = ["physical_memory"]

FALLBACK_MEMORY = 16 * 2**30
"""Assumed when the system cannot say (non-POSIX)."""


def physical_memory() -> int:
    """Physical memory of the machine in bytes (a system call, not file I/O)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return FALLBACK_MEMORY
