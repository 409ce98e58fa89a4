"""Help text in the user's words: no internal type names (``<bool>``, ``<list[str]>``).

Typer prints each parameter's Python annotation as its type (``--json <bool>``,
``--concept <list[str]>``, ``{file}`` in the usage line). :class:`HumaneGroup`, the class of
the ``detente`` command group, rewrites every parameter of every command it hands out,
including commands registered later by other modules:

- a flag shows no value at all (``--json``);
- an option without a metavar gets one in capitals: ``N`` for integers, ``X`` for numbers,
  ``PATH`` for paths, else its own name (``--state STATE``, ``--variant VARIANT``);
- an argument shows its name in capitals (``FILE``), in the usage line and in the panel.
"""

from __future__ import annotations

import types
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from typer._click import Command, Context
from typer.core import TyperArgument, TyperGroup, TyperOption

__all__ = ["HumaneGroup", "humanise"]


class _HumaneArgument(TyperArgument):
    """An argument shown by its metavar only: ``FILE``, never ``{file} <path>``."""

    def display_type_rich(self, ctx: Context) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        name = self.display_name_raw
        if not self.required:
            name = f"[{name}]"
        return name + ("..." if self.nargs != 1 else "")


def _base_type(annotation: Any) -> Any:
    """``list[str] | None`` -> ``str``; ``Path | None`` -> ``Path``."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        return _base_type(members[0]) if len(members) == 1 else annotation
    if origin in (list, tuple):
        args = get_args(annotation)
        return _base_type(args[0]) if args else annotation
    return annotation


def _metavar(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    kind = _base_type(getattr(descriptor, "annotation", None))
    if kind is bool:
        return ""
    if kind is int:
        return "N"
    if kind is float:
        return "X"
    if isinstance(kind, type) and issubclass(kind, Path):
        return "PATH"
    return (param.name or "value").upper().replace("_", "-")


def humanise(command: Command) -> Command:
    """Give every parameter of ``command`` a metavar in words (idempotent)."""
    help_option = command.get_help_option(command.context_class(command))
    for param in [*command.params, *([help_option] if help_option is not None else [])]:
        if isinstance(param, TyperOption):
            if param.is_flag:
                param.metavar = ""
            elif param.metavar is None:
                param.metavar = _metavar(param)
        elif isinstance(param, TyperArgument) and not isinstance(param, _HumaneArgument):
            if param.metavar is None:
                param.metavar = (param.name or "value").upper()
            param.__class__ = _HumaneArgument
    return command


class HumaneGroup(TyperGroup):
    """The ``detente`` group: every command it resolves gets :func:`humanise`d."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        humanise(self)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        return None if command is None else humanise(command)
