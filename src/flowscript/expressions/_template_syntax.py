"""Template syntax: splitting ``{{ expr }}`` strings into text and parsed expressions.

This is the parsing half of :mod:`flowscript.expressions.templates` (which re-exports every
name here and adds rendering). It imports only the lexer and the parser, so the validator and
the dependency analysis can parse templates without loading the evaluator.

See :mod:`flowscript.expressions.templates` for the template rules (``\\{{`` escapes, JSON
templates, columns in errors).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, NoReturn

from flowscript.errors import ExpressionError, ExpressionSyntaxError
from flowscript.expressions.lexer import find_interpolation_end
from flowscript.expressions.parser import parse_expression
from flowscript.expressions.syntax import Expr

__all__ = ["Interpolation", "Template", "is_template", "parse_template", "relocate"]

_OPEN: Final = "{{"
_STRING_END: Final = re.compile(r'\\.|"', re.S)
_MAY_HIDE_CLOSE: Final = re.compile("['\"`{]")  # strings, template literals, braces


@dataclass(frozen=True, slots=True)
class Interpolation:
    """One ``{{ expr }}`` of a template.

    Attributes:
        expr: the parsed expression.
        source: the expression text between ``{{`` and ``}}`` (untrimmed).
        offset: 0-based offset of ``source`` in the template text.
        in_json_string: True when it sits inside a string literal of a JSON template.
    """

    expr: Expr
    source: str
    offset: int
    in_json_string: bool = False


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template.

    Attributes:
        text: the template source.
        parts: literal text (escapes resolved) and interpolations, in order.
        is_json: True for a JSON template (see :mod:`flowscript.expressions.templates`).
    """

    text: str
    parts: tuple[str | Interpolation, ...]
    is_json: bool = False

    @property
    def interpolations(self) -> tuple[Interpolation, ...]:
        """The interpolations, in order."""
        return tuple(part for part in self.parts if isinstance(part, Interpolation))

    @property
    def native(self) -> Interpolation | None:
        """The single interpolation when the template is just ``{{ expr }}``, else None."""
        found = self.interpolations
        if len(found) != 1:
            return None
        literals = (part for part in self.parts if isinstance(part, str))
        return found[0] if all(not text.strip() for text in literals) else None


def is_template(text: str) -> bool:
    """True when ``text`` contains ``{{`` (and so must be rendered)."""
    return _OPEN in text


@lru_cache(maxsize=65_536)  # see parse_expression: large flows must fit
def parse_template(text: str) -> Template:
    """Split a template into literal text and parsed interpolations (cached).

    Raises:
        ExpressionSyntaxError: an unterminated ``{{`` or an invalid expression, with
            ``expression`` = the template text and ``column`` = 1-based position in it.
        LimitExceededError: an interpolation exceeds the parser's limits.
    """
    stripped = text.lstrip()
    is_json = stripped[:1] in ("{", "[") and not stripped.startswith(_OPEN)
    parts: list[str | Interpolation] = []
    literal: list[str] = []
    in_string = False
    position = 0
    while True:
        start = text.find(_OPEN, position)
        if start < 0:
            literal.append(text[position:])
            break
        if start > 0 and text[start - 1] == "\\":
            literal.append(text[position : start - 1] + _OPEN)
            position = start + 2
            continue
        literal.append(text[position:start])
        in_string = _flush(parts, literal, in_string, is_json)
        interpolation, position = _interpolation(text, start, in_string and is_json)
        parts.append(interpolation)
    _flush(parts, literal, in_string, is_json)
    return Template(text=text, parts=tuple(parts), is_json=is_json)


def _flush(parts: list[str | Interpolation], literal: list[str], state: bool, json_: bool) -> bool:
    """Move pending literal text into ``parts``; return the JSON string state after it."""
    chunk = "".join(literal)
    literal.clear()
    if chunk:
        parts.append(chunk)
    return _json_string_state(chunk, state) if json_ else state


def _json_string_state(text: str, in_string: bool) -> bool:
    """Whether a JSON string literal is open after ``text``, starting in ``in_string``."""
    position = 0
    while True:
        if in_string:
            match = _STRING_END.search(text, position)
            if match is None:
                return True
            position = match.end()
            in_string = match.group() != '"'
        else:
            quote = text.find('"', position)
            if quote < 0:
                return False
            position, in_string = quote + 1, True


def _interpolation(text: str, start: int, in_json_string: bool) -> tuple[Interpolation, int]:
    source_start = start + len(_OPEN)
    end = text.find("}}", source_start)
    if end < 0 or _MAY_HIDE_CLOSE.search(text, source_start, end):
        # Strings, template literals or braces may hide a ``}}``: let the lexer decide.
        end = find_interpolation_end(text, source_start)
    if end < 0:
        raise ExpressionSyntaxError(
            "unterminated `{{`: missing the closing `}}`", expression=text, column=start + 1
        )
    source = text[source_start:end]
    try:
        expr = parse_expression(source)
    except ExpressionError as error:
        relocate(error, text, source, source_start, name_expression=False)
    interpolation = Interpolation(
        expr=expr, source=source, offset=source_start, in_json_string=in_json_string
    )
    return interpolation, end + 2


def relocate(
    error: ExpressionError, text: str, source: str, offset: int, *, name_expression: bool
) -> NoReturn:
    """Re-raise ``error`` with its column in the template text (and the expression named)."""
    inner = error.column if error.expression in (None, source) and error.column else 1
    message = error.message
    if name_expression:
        message = f"{message} in `{{{{ {source.strip()} }}}}`"
    raise type(error)(message, expression=text, column=offset + inner) from error
