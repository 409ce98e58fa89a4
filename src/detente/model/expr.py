"""Preference and feasibility statements: a small, safe logical language.

The language follows the option-prioritization statements of GMCR II (Fang, Hipel,
Kilgour & Peng 2003a) in readable words. It is parsed by a hand-written recursive-descent
parser; nothing is ever passed to ``eval``.

Grammar (lowest precedence first)::

    statement := iff
    iff       := cond ( "iff" cond )*            # A iff B: same truth value
    cond      := "if" iff "then" iff             # material implication
               | disj ( ("if" | "implies" | "->") disj )?
                                                 # "A if B" == "if B then A" (GMCR+ "q if p")
                                                 # "A implies B" == "if A then B"
    disj      := conj ( ("or" | "|") conj )*
    conj      := neg ( ("and" | "&") neg )*
    neg       := ("not" | "-" | "!" | "~") neg | atom
    atom      := "(" statement ")" | "true" | "false" | NAME | NUMBER
    NAME      := IDENT ( "." IDENT )?            # "dm.option" or a unique option id
    NUMBER    := 1-based option number in file order (GMCR+ style)

Keywords are case-insensitive. Option names are resolved by a caller-supplied function,
so the parser knows nothing about any particular conflict.

Limits: a statement nests at most :data:`MAX_DEPTH` levels (each ``(``, ``if ... then`` and
``not`` is one level), and an option number has at most :data:`MAX_NUMBER_DIGITS` digits;
beyond that the parser raises :class:`StatementError` instead of exhausting the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "And",
    "Const",
    "Expr",
    "Iff",
    "Implies",
    "Not",
    "Or",
    "StatementError",
    "Var",
    "evaluate",
    "map_vars",
    "parse_statement",
    "variables",
]


MAX_DEPTH = 64
"""Deepest nesting of a statement: parentheses, ``if ... then`` and ``not`` each count one."""

MAX_NUMBER_DIGITS = 9
"""Most digits in an option number (no conflict has a billion options)."""


class StatementError(ValueError):
    """A statement that does not parse or names an unknown option.

    ``column`` is 1-based and points into the statement text.
    """

    def __init__(self, message: str, column: int, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.column = column
        self.text = text

    def __str__(self) -> str:
        return f"column {self.column}: {self.message}"


@dataclass(frozen=True)
class Var:
    """Option ``index`` (0-based, file order) is taken (Y)."""

    index: int


@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Implies:
    """``if antecedent then consequent`` (material implication)."""

    antecedent: Expr
    consequent: Expr


@dataclass(frozen=True)
class Iff:
    left: Expr
    right: Expr


Expr = Var | Const | Not | And | Or | Implies | Iff

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<arrow>->|=>)
  | (?P<amp>&&?)
  | (?P<bar>\|\|?)
  | (?P<neg>[-!~¬])
  | (?P<num>\d+(?![A-Za-z_]))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_0-9][A-Za-z0-9_]*)?)
    """,
    re.VERBOSE,
)

_KEYWORDS = {"and", "or", "not", "if", "then", "iff", "implies", "true", "false"}

Resolver = Callable[[str], int]
"""Maps an option reference (``dm.option``, an option id, or a 1-based number as text)
to a 0-based option index; raises ``KeyError`` with a helpful message if unknown."""


@dataclass(frozen=True)
class _Tok:
    kind: str  # keyword text, "lpar", "rpar", "arrow", "amp", "bar", "neg", "num", "name", "end"
    text: str
    col: int  # 1-based


def _tokenize(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            raise StatementError(f"unexpected character {text[pos]!r}", pos + 1, text)
        kind = m.lastgroup or ""
        if kind != "ws":
            tok_text = m.group()
            if kind == "name" and tok_text.lower() in _KEYWORDS:
                kind = tok_text.lower()
            if kind == "num" and len(tok_text) > MAX_NUMBER_DIGITS:
                raise StatementError(
                    f"option number of {len(tok_text):,} digits is too long "
                    f"(at most {MAX_NUMBER_DIGITS})",
                    pos + 1,
                    text,
                )
            toks.append(_Tok(kind, tok_text, pos + 1))
        pos = m.end()
    toks.append(_Tok("end", "", len(text) + 1))
    return toks


class _Parser:
    def __init__(self, text: str, resolve: Resolver) -> None:
        self.text = text
        self.toks = _tokenize(text)
        self.i = 0
        self.depth = 0
        self.resolve = resolve

    def enter(self, tok: _Tok) -> None:
        """One more level of nesting, opened by ``tok``; refuse beyond :data:`MAX_DEPTH`."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                f"the statement is nested more than {MAX_DEPTH} levels deep "
                "(parentheses, 'if ... then' and 'not' each count one)",
                tok,
            )

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok | None = None) -> StatementError:
        tok = tok or self.peek()
        return StatementError(message, tok.col, self.text)

    def expect(self, kind: str, what: str) -> _Tok:
        tok = self.peek()
        if tok.kind != kind:
            found = "end of statement" if tok.kind == "end" else repr(tok.text)
            raise self.error(f"expected {what}, found {found}")
        return self.take()

    def parse(self) -> Expr:
        if self.peek().kind == "end":
            raise self.error("empty statement")
        node = self.iff()
        tok = self.peek()
        if tok.kind != "end":
            raise self.error(f"unexpected {tok.text!r}")
        return node

    def iff(self) -> Expr:
        node = self.cond()
        while self.peek().kind == "iff":
            self.take()
            node = Iff(node, self.cond())
        return node

    def cond(self) -> Expr:
        if self.peek().kind == "if":
            self.enter(self.take())
            antecedent = self.iff()
            self.expect("then", "'then'")
            consequent = self.iff()
            self.depth -= 1
            return Implies(antecedent, consequent)
        node = self.disj()
        kind = self.peek().kind
        if kind == "if":
            self.take()
            return Implies(self.disj(), node)
        if kind in ("implies", "arrow"):
            self.take()
            return Implies(node, self.disj())
        return node

    def disj(self) -> Expr:
        items = [self.conj()]
        while self.peek().kind in ("or", "bar"):
            self.take()
            items.append(self.conj())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def conj(self) -> Expr:
        items = [self.neg()]
        while self.peek().kind in ("and", "amp"):
            self.take()
            items.append(self.neg())
        return items[0] if len(items) == 1 else And(tuple(items))

    def neg(self) -> Expr:
        if self.peek().kind in ("not", "neg"):
            self.enter(self.take())
            node = Not(self.neg())
            self.depth -= 1
            return node
        return self.atom()

    def atom(self) -> Expr:
        tok = self.peek()
        if tok.kind == "lpar":
            self.enter(self.take())
            node = self.iff()
            self.expect("rpar", "')'")
            self.depth -= 1
            return node
        if tok.kind in ("true", "false"):
            self.take()
            return Const(tok.kind == "true")
        if tok.kind in ("name", "num"):
            self.take()
            try:
                return Var(self.resolve(tok.text))
            except KeyError as exc:
                msg = exc.args[0] if exc.args else f"unknown option {tok.text!r}"
                raise StatementError(str(msg), tok.col, self.text) from None
        if tok.kind == "end":
            raise self.error("statement ends too early: expected an option")
        raise self.error(f"expected an option, 'not' or '(', found {tok.text!r}")


def parse_statement(text: str, resolve: Resolver) -> Expr:
    """Parse ``text`` into an expression tree.

    Parameters
    ----------
    text:
        The statement, e.g. ``"not DPRK.nuclear_test and (if US.treaty then China.press)"``.
    resolve:
        Maps an option reference to its 0-based index; raises ``KeyError`` when unknown.

    Raises
    ------
    StatementError
        With the 1-based column of the offending token.

    Examples
    --------
    >>> names = {"a": 0, "b": 1}
    >>> parse_statement("a and not b", names.__getitem__)
    And(operands=(Var(index=0), Not(operand=Var(index=1))))
    >>> parse_statement("b if a", names.__getitem__)
    Implies(antecedent=Var(index=0), consequent=Var(index=1))
    """
    if not isinstance(text, str):
        raise StatementError("a statement must be text", 1, str(text)[:40])
    return _Parser(text, resolve).parse()


def variables(node: Expr) -> set[int]:
    """The option indices that occur in ``node``."""
    if isinstance(node, Var):
        return {node.index}
    if isinstance(node, Const):
        return set()
    if isinstance(node, Not):
        return variables(node.operand)
    if isinstance(node, And | Or):
        out: set[int] = set()
        for item in node.operands:
            out |= variables(item)
        return out
    if isinstance(node, Implies):
        return variables(node.antecedent) | variables(node.consequent)
    return variables(node.left) | variables(node.right)


def map_vars(node: Expr, fn: Callable[[int], Expr]) -> Expr:
    """``node`` with every option ``Var(k)`` replaced by ``fn(k)`` (renumbering options,
    or fixing removed ones to a constant)."""
    if isinstance(node, Var):
        return fn(node.index)
    if isinstance(node, Const):
        return node
    if isinstance(node, Not):
        return Not(map_vars(node.operand, fn))
    if isinstance(node, And):
        return And(tuple(map_vars(x, fn) for x in node.operands))
    if isinstance(node, Or):
        return Or(tuple(map_vars(x, fn) for x in node.operands))
    if isinstance(node, Implies):
        return Implies(map_vars(node.antecedent, fn), map_vars(node.consequent, fn))
    return Iff(map_vars(node.left, fn), map_vars(node.right, fn))


def evaluate(node: Expr, codes: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Truth value of ``node`` at each state code (option ``k`` is bit ``k``).

    Every call returns a new array, so the operators combine their operands' results in
    place (one bit test per option, no further temporaries over the codes).
    """
    if isinstance(node, Var):
        bit: NDArray[np.bool_] = np.bitwise_and(codes, np.int64(1) << node.index) != 0
        return bit
    if isinstance(node, Const):
        return np.full(codes.shape, node.value, dtype=bool)
    if isinstance(node, Not):
        out = evaluate(node.operand, codes)
        return np.logical_not(out, out=out)
    if isinstance(node, And):
        out = evaluate(node.operands[0], codes)
        for item in node.operands[1:]:
            out &= evaluate(item, codes)
        return out
    if isinstance(node, Or):
        out = evaluate(node.operands[0], codes)
        for item in node.operands[1:]:
            out |= evaluate(item, codes)
        return out
    if isinstance(node, Implies):
        out = evaluate(node.antecedent, codes)
        np.logical_not(out, out=out)
        out |= evaluate(node.consequent, codes)
        return out
    out = evaluate(node.left, codes)
    return np.equal(out, evaluate(node.right, codes), out=out)


def to_text(node: Expr, names: Sequence[str]) -> str:
    """Render ``node`` back to the statement language, using ``names`` for options."""
    if isinstance(node, Var):
        return names[node.index]
    if isinstance(node, Const):
        return "true" if node.value else "false"
    if isinstance(node, Not):
        inner = to_text(node.operand, names)
        return f"not {inner}" if isinstance(node.operand, Var | Const | Not) else f"not ({inner})"
    if isinstance(node, And | Or):
        word = " and " if isinstance(node, And) else " or "
        parts = []
        for item in node.operands:
            text = to_text(item, names)
            simple = isinstance(item, Var | Const | Not) or (
                isinstance(node, Or) and isinstance(item, And)
            )
            parts.append(text if simple else f"({text})")
        return word.join(parts)
    if isinstance(node, Implies):
        ante = to_text(node.antecedent, names)
        if not isinstance(node.antecedent, Var | Const | Not | And | Or):
            ante = f"({ante})"
        return f"if {ante} then ({to_text(node.consequent, names)})"
    return f"({to_text(node.left, names)}) iff ({to_text(node.right, names)})"
