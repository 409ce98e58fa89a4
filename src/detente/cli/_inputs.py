"""Reading the conflict a command names: the file, then the variant (shared by commands)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.cli._errors import CliError, user_errors

__all__ = ["check_variant", "load_file", "memory_limit", "variant"]


def memory_limit() -> int:
    """The memory guard's limit for :meth:`Conflict.compile`: the machine's memory."""
    from detente import system

    return system.physical_memory()


def load_file(file: Path) -> Any:
    """The conflict in ``file``; a missing file or a directory is one clear line."""
    import detente

    with user_errors(str(file)):
        if not file.exists():
            raise CliError(f"{file}: file not found")
        if file.is_dir():
            raise CliError(f"{file}: is a directory, not a scenario file")
        return detente.load(file)


def check_variant(file: Path, conflict: Any, name: str) -> None:
    """One clear line (with a suggestion) when the scenario has no variant ``name``."""
    from detente.model.analysis_spec import BASE
    from detente.model.variants import variant_names

    known = variant_names(conflict)
    if name != BASE and name not in known:
        from detente.io.schema import did_you_mean

        listed = ", ".join([BASE, *known])
        raise CliError(
            f"{file}: unknown variant {name!r}{did_you_mean(name, [BASE, *known])}; "
            f"the scenario has: {listed}"
        )


def variant(file: Path, conflict: Any, name: str) -> Any:
    """The conflict changed by variant ``name`` (``base``: unchanged)."""
    from detente.model.analysis_spec import BASE
    from detente.model.variants import apply_variant

    check_variant(file, conflict, name)
    if name == BASE:
        return conflict
    with user_errors(str(file)):
        return apply_variant(conflict, name)
