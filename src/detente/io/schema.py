"""The structure of a ``detente/1`` scenario file, as pydantic models and a JSON Schema.

These models check the *shape* of a scenario: which keys exist, which are required, and the
type of every value. They know nothing about a particular conflict; names of options in
statements, state numbers and feasibility are checked later by
:mod:`detente.io.scenario`, which also turns every pydantic error into a one-line
:class:`~detente.io.errors.ScenarioError` with a file line.

The JSON Schema generated from these models (:func:`scenario_json_schema`) is committed as
``scenario.schema.json`` next to this module, for editors and other tools;
:func:`write_schema` regenerates it and a test checks that the two agree.

The format itself is documented in ``docs/reference/scenario-format.md``.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)
from pydantic_core import PydanticCustomError

from detente.model.conflict import REVERSIBILITY_ALIASES  # re-exported

if TYPE_CHECKING:
    from detente.model.conflict import ConstraintKind

__all__ = [
    "FORMAT",
    "FORMAT_MAJOR",
    "KEYWORDS",
    "REVERSIBILITY_ALIASES",
    "AnalysisBlockSpec",
    "DecisionMakerSpec",
    "FeasibilitySpec",
    "OptionSpec",
    "PreferenceSpec",
    "ScenarioSpec",
    "StatementSpec",
    "WeightedStatementSpec",
    "did_you_mean",
    "parse_weight",
    "scenario_json_schema",
    "write_schema",
]

FORMAT = "detente/1"
"""The format version this module reads and writes."""

FORMAT_MAJOR = 1

SCHEMA_PATH = Path(__file__).with_name("scenario.schema.json")

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
_IDENTIFIER_RE = re.compile(IDENTIFIER)

KEYWORDS = frozenset({"and", "or", "not", "if", "then", "iff", "implies", "true", "false"})
"""Words of the statement language; they cannot be used as identifiers."""

FRACTION = r"^\s*[+-]?(\d+(\s*/\s*\d+)?|\d*\.\d+)\s*$"
_FRACTION_RE = re.compile(FRACTION)

# Tags of the tagged unions below; they appear in pydantic error locations and are removed
# from them before errors are reported.
UNION_TAGS = frozenset({"text", "mapping"})


# ----------------------------------------------------------------- helpers
def did_you_mean(word: object, choices: Any) -> str:
    """``" (did you mean 'x'?)"`` for the closest of ``choices``, or ``""``."""
    hits = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {hits[0]!r}?)" if hits else ""


def kind_of(value: object) -> str:
    """How a YAML value is called in messages: ``text``, ``a number``, ``a list`` ..."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return f"a {type(value).__name__} value"


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("detente", "{message}", {"message": message})


def parse_weight(value: int | float | str) -> Fraction:
    """An exact weight from an integer, a decimal number or a fraction text such as ``"1/3"``."""
    if isinstance(value, str):
        return Fraction(value.replace(" ", ""))
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_identifier(value: object) -> object:
    if not isinstance(value, str):
        raise _fail(f"expected an identifier, got {kind_of(value)}")
    if not _IDENTIFIER_RE.match(value):
        raise _fail(
            f"{value!r} is not an identifier: use letters, digits and '_', "
            "not starting with a digit"
        )
    if value.lower() in KEYWORDS:
        raise _fail(f"{value!r} is a word of the statement language and cannot be an id")
    return value


def _check_reversibility(value: object) -> object:
    if isinstance(value, str) and value in REVERSIBILITY_ALIASES:
        return value
    allowed = ", ".join(REVERSIBILITY_ALIASES)
    hint = did_you_mean(value, REVERSIBILITY_ALIASES) if isinstance(value, str) else ""
    raise _fail(f"reversibility must be one of {allowed}; got {kind_of(value)}{hint}")


def _check_option_ref(value: object) -> object:
    if _is_int(value) or isinstance(value, str):
        return value
    raise _fail(
        "expected an option reference (dm.option, a unique option id or a 1-based number), "
        f"got {kind_of(value)}"
    )


def _check_ref_text(value: object) -> object:
    if isinstance(value, str):
        return value
    raise _fail(f"expected an option reference 'dm.option', got {kind_of(value)}")


def _check_variant_name(value: object) -> object:
    if isinstance(value, str):
        return value
    raise _fail(f"expected a variant name, got {kind_of(value)}")


def _check_statement(value: object) -> object:
    if isinstance(value, bool):
        return str(value).lower()
    if _is_int(value) or isinstance(value, str):
        return value
    raise _fail(f"expected a statement, got {kind_of(value)}")


def _check_weight(value: object) -> object:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(f"a weight must be a finite number, got {value!r}")
        return value
    if _is_int(value):
        return value
    if isinstance(value, str) and _FRACTION_RE.match(value):
        if parse_weight_safe(value) is None:
            raise _fail(f"weight {value!r} divides by zero")
        return value
    raise _fail(f"expected a weight (a number or a fraction such as '1/3'), got {kind_of(value)}")


def parse_weight_safe(value: str) -> Fraction | None:
    try:
        return parse_weight(value)
    except (ValueError, ZeroDivisionError):
        return None


def _check_state(value: object) -> object:
    if _is_int(value) or isinstance(value, str):
        return value
    raise _fail(f"expected a state (a state id or a Y/N pattern), got {kind_of(value)}")


def _check_ranking_item(value: object) -> object:
    if isinstance(value, list):
        if not value:
            raise _fail("an empty group of tied states")
        return value
    if _is_int(value) or isinstance(value, str):
        return value
    raise _fail(
        "expected a state (a state id or a Y/N pattern) or a list of tied states, "
        f"got {kind_of(value)}"
    )


def _check_status_quo(value: object) -> object:
    if isinstance(value, str):
        if not value.strip():
            raise _fail("the status quo is empty; write one Y or N per option")
        bad = [ch for ch in value.strip() if ch not in "YyNn"]
        if bad:
            raise _fail(f"status quo {value!r} is not a Y/N pattern (found {bad[0]!r})")
        return value
    if isinstance(value, dict):
        value = {str(k): v for k, v in value.items()}
        for k, v in value.items():
            if not (isinstance(v, bool) or (isinstance(v, str) and v in ("Y", "N", "y", "n"))):
                raise PydanticCustomError(
                    "detente",
                    "{message}",
                    {"message": f"expected Y, N, true or false, got {kind_of(v)}", "subpath": k},
                )
        return value
    extra = (
        " (a pattern made of digits is read as a number: write Y and N, or quote it)"
        if _is_int(value)
        else ""
    )
    raise _fail(
        "expected a Y/N pattern such as 'NYNN' or a mapping {option: Y or N}, "
        f"got {kind_of(value)}{extra}"
    )


def _statement_form(value: object) -> str | None:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, int | str):
        return "text"
    return None


# ------------------------------------------------------------------ types
Identifier = Annotated[
    str,
    StringConstraints(pattern=IDENTIFIER),
    BeforeValidator(_check_identifier),
    Field(description="Letters, digits and '_', not starting with a digit."),
]
Text = Annotated[str, Field(description="Free text.")]
Reversibility = Annotated[
    Literal["both", "up", "down", "N->Y", "Y->N", "forward", "backward", "fwd", "back"],
    BeforeValidator(_check_reversibility),
    Field(
        description="both (default); up = N->Y only, cannot be undone; down = Y->N only.",
    ),
]
OptionRef = Annotated[
    str | int,
    BeforeValidator(_check_option_ref),
    Field(description="'dm.option', a unique option id, or a 1-based option number."),
]
StatementText = Annotated[
    str | int,
    BeforeValidator(_check_statement),
    Field(description="A statement of the statement language, e.g. 'US.treaty and not DPRK.test'."),
]
Weight = Annotated[
    int | float | Annotated[str, StringConstraints(pattern=FRACTION)],
    BeforeValidator(_check_weight),
    Field(description="A number or an exact fraction such as '1/3'."),
]
StateRef = Annotated[
    int | str,
    BeforeValidator(_check_state),
    Field(description="A state id (1-based, feasible states sorted by code) or a Y/N pattern."),
]
RankingItem = Annotated[
    int | str | list[StateRef],
    BeforeValidator(_check_ranking_item),
    Field(description="A state, or a list of states that tie."),
]
StatusQuo = Annotated[
    Annotated[str, StringConstraints(pattern=r"^\s*[YyNn]+\s*$")]
    | dict[str, bool | Literal["Y", "N", "y", "n"]],
    BeforeValidator(_check_status_quo),
    Field(
        description=(
            "A Y/N pattern in option order, or a mapping {option reference: Y/N}; "
            "unlisted options are N."
        )
    ),
]


class _Strict(BaseModel):
    """Rejects unknown keys with a 'did you mean' hint."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            allowed = list(cls.model_fields)
            for key in data:
                if key not in cls.model_fields:
                    hint = did_you_mean(key, allowed)
                    if not hint:
                        hint = "; expected one of: " + ", ".join(allowed)
                    raise PydanticCustomError(
                        "unknown_key",
                        "{message}",
                        {"message": f"unknown key {str(key)!r}{hint}", "key": key},
                    )
        return data


class OptionSpec(_Strict):
    """One option of a decision maker; its place in the file sets its bit."""

    id: Identifier
    label: Text = ""
    description: Text = ""
    quote: Text = Field("", description="A verbatim sentence from the source.")
    reversibility: Reversibility = "both"


class DecisionMakerSpec(_Strict):
    id: Identifier
    name: Text = Field("", description="Display name.")
    description: Text = ""
    quote: Text = ""
    options: list[OptionSpec]


_ONE_OF_CONSTRAINT = ("at_most_one", "exactly_one", "at_least_one", "infeasible", "require")


class FeasibilitySpec(_Strict):
    """One feasibility rule: exactly one of the five forms, plus an optional note."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [k]} for k in _ONE_OF_CONSTRAINT]}
    )

    at_most_one: list[OptionRef] | None = None
    exactly_one: list[OptionRef] | None = None
    at_least_one: list[OptionRef] | None = None
    infeasible: StatementText | None = Field(
        None, description="States where this holds are removed."
    )
    require: StatementText | None = Field(None, description="States where this fails are removed.")
    note: Text = ""

    @model_validator(mode="after")
    def _one_form(self) -> FeasibilitySpec:
        given = [k for k in _ONE_OF_CONSTRAINT if getattr(self, k) is not None]
        if len(given) != 1:
            found = "none" if not given else " and ".join(given)
            raise _fail(
                "a feasibility rule needs exactly one of "
                f"{', '.join(_ONE_OF_CONSTRAINT)}; found {found}"
            )
        return self

    @property
    def kind(self) -> ConstraintKind:
        """Which of the five forms this rule uses."""
        return cast(
            "ConstraintKind", next(k for k in _ONE_OF_CONSTRAINT if getattr(self, k) is not None)
        )


class StatementSpec(_Strict):
    """A preference statement with its provenance."""

    statement: StatementText
    quote: Text = ""
    note: Text = ""


class WeightedStatementSpec(_Strict):
    statement: StatementText
    weight: Weight
    quote: Text = ""
    note: Text = ""


PrioritizationItem = Annotated[
    Annotated[StatementText, Tag("text")] | Annotated[StatementSpec, Tag("mapping")],
    Discriminator(
        _statement_form,
        custom_error_type="statement_item",
        custom_error_message="expected a statement or a mapping {statement, quote, note}",
    ),
]

_ONE_OF_PREFERENCE = ("prioritization", "weighted", "ranking")


class PreferenceSpec(_Strict):
    """A DM's preferences: exactly one of the three forms."""

    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": [k]} for k in _ONE_OF_PREFERENCE]}
    )

    prioritization: list[PrioritizationItem] | None = Field(
        None, description="Statements, most important first (lexicographic)."
    )
    weighted: list[WeightedStatementSpec] | None = Field(
        None,
        description="A state's score is the sum of the weights of the statements it satisfies.",
    )
    ranking: list[RankingItem] | None = Field(None, description="States, best first.")

    @model_validator(mode="after")
    def _one_form(self) -> PreferenceSpec:
        given = [k for k in _ONE_OF_PREFERENCE if getattr(self, k) is not None]
        if len(given) != 1:
            found = "none" if not given else " and ".join(given)
            raise _fail(f"give exactly one of prioritization, weighted or ranking; found {found}")
        return self


ConceptName = Annotated[
    Literal["nash", "r", "gmr", "smr", "seq", "sim", "seq_sim", "seq+sim"],
    Field(description="A solution concept: nash, gmr, smr, seq, sim or seq_sim."),
]


class AnalysisBlockSpec(_Strict):
    """What a study of the conflict looks at (``detente report``); every key is optional.

    Names are checked against the conflict when the file is loaded
    (:func:`detente.model.analysis_spec.analysis_spec`).
    """

    target: StatusQuo | None = Field(
        None,
        description=(
            "The state of interest: a Y/N pattern in option order, or a mapping "
            "{option reference: Y/N}; unlisted options keep their status quo value."
        ),
    )
    target_name: Text | None = Field(None, description="A short name for the target state.")
    levers: list[OptionRef] | None = Field(
        None, description="Options of one DM (the concessions) to test for necessity/sufficiency."
    )
    coalitions: list[Annotated[list[Identifier], Field(min_length=1)]] | None = Field(
        None, description="Coalitions of interest, as lists of DM ids."
    )
    variants: list[Annotated[str, BeforeValidator(_check_variant_name)]] | None = Field(
        None,
        description="Variants to compare, in order ('base' is the unchanged model). "
        "Default: base and every variant.",
    )
    main_variant: Text | None = Field(None, description="The variant under study.")
    baseline: Text | None = Field(
        None, description="The variant standing for today's policy (question 1 of a report)."
    )
    concepts: Annotated[list[ConceptName], Field(min_length=1)] | None = Field(
        None, description="Solution concepts to compute (default: all six)."
    )


class ScenarioSpec(_Strict):
    """A Détente scenario file (format ``detente/1``)."""

    model_config = ConfigDict(
        title="Détente scenario (detente/1)",
        json_schema_extra={
            "$schema": "https://json-schema.org/draft/2020-12/schema",
        },
    )

    format: Annotated[str, StringConstraints(pattern=r"^detente/1(\.\d+)?$")] | None = Field(
        None, description="Format version, 'detente/1'."
    )
    name: Text | None = Field(None, description="Defaults to the file name.")
    description: Text = ""
    source: dict[str, Any] | None = Field(
        None, description="Free mapping, e.g. {citation, url, note}."
    )
    decision_makers: Annotated[list[DecisionMakerSpec], Field(min_length=1)]
    option_order: list[Annotated[str, BeforeValidator(_check_ref_text)]] | None = Field(
        None,
        description=(
            "Optional bit order of the options as 'dm.option' references, when it is not "
            "the order in which they appear."
        ),
    )
    feasibility: list[FeasibilitySpec] | None = None
    status_quo: StatusQuo | None = None
    preferences: dict[str, PreferenceSpec] = Field(
        description="Decision maker id -> its preferences."
    )
    published: dict[str, Any] | None = Field(
        None, description="Published results of a catalogued conflict (free mapping)."
    )
    variants: dict[str, Any] | None = Field(None, description="Named variants (free mapping).")
    analysis: AnalysisBlockSpec | None = Field(
        None,
        description="What a study of the conflict looks at: target state, levers, "
        "coalitions and variants to compare (see docs/reference/scenario-format.md).",
    )


# ------------------------------------------------------------ JSON Schema
def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of the scenario format, generated from :class:`ScenarioSpec`."""
    return ScenarioSpec.model_json_schema()


def schema_text() -> str:
    """The committed form of the schema: sorted keys, two-space indent, final newline."""
    return json.dumps(scenario_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schema(path: str | Path | None = None) -> Path:
    """Write the JSON Schema (default: ``scenario.schema.json`` beside this module)."""
    target = Path(path) if path is not None else SCHEMA_PATH
    target.write_text(schema_text(), encoding="utf-8")
    return target
