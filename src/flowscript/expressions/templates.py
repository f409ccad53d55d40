"""Templates: strings with ``{{ expr }}`` interpolations (expressions.md §5).

* The closing ``}}`` is the first one outside string literals, template literals and object
  literals of the expression (found with the lexer); ``\\{{`` is a literal ``{{``.
* A template that is a single ``{{ expr }}`` (whitespace around allowed) renders to the value
  itself; otherwise to text: ``undefined``/``null`` → ``""``, strings as is, numbers and
  booleans as JavaScript prints them, arrays/objects as compact JSON.
* **JSON templates** — text starting with ``{`` or ``[`` (after leading whitespace, and not
  with ``{{``): an interpolation inside a JSON string literal of the surrounding text is
  JSON-escaped, so ``{"t": "{{ s }}"}`` stays valid JSON whatever ``s`` holds;
  :func:`render_json_template` then parses the result.

Columns in errors are 1-based character positions in the whole template text (newlines
count as one character); :func:`flowscript.expressions.analysis.line_and_column` converts
them to a line and a column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, NoReturn

from flowscript.errors import ExpressionError, ExpressionSyntaxError
from flowscript.expressions._runtime import Session
from flowscript.expressions.evaluator import compile_expression, run_compiled
from flowscript.expressions.lexer import find_interpolation_end
from flowscript.expressions.parser import parse_expression
from flowscript.expressions.sandbox import DEFAULT_LIMITS, Limits
from flowscript.expressions.scope import EvalScope, MapScope
from flowscript.expressions.syntax import Expr
from flowscript.expressions.values import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    number_to_string,
    to_json,
    to_string,
)

__all__ = [
    "Interpolation",
    "Template",
    "is_template",
    "parse_template",
    "render_json_template",
    "render_template",
]

_OPEN: Final = "{{"
_JSON_CONSTANT: Final = re.compile(r"-?(?:NaN|Infinity)")
_STRING_END: Final = re.compile(r'\\.|"', re.S)


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
        is_json: True for a JSON template (see the module docstring).
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


@lru_cache(maxsize=4096)
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
    if end < 0 or any(char in text[source_start:end] for char in "'\"`{"):
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
        _relocate(error, text, source, source_start, name_expression=False)
    interpolation = Interpolation(
        expr=expr, source=source, offset=source_start, in_json_string=in_json_string
    )
    return interpolation, end + 2


def _relocate(
    error: ExpressionError, text: str, source: str, offset: int, *, name_expression: bool
) -> NoReturn:
    """Re-raise ``error`` with its column in the template text (and the expression named)."""
    inner = error.column if error.expression in (None, source) and error.column else 1
    message = error.message
    if name_expression:
        message = f"{message} in `{{{{ {source.strip()} }}}}`"
    raise type(error)(message, expression=text, column=offset + inner) from error


def _text(value: Any) -> str:
    """How an interpolated value reads inside text."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if isinstance(value, list | dict):
        return to_json(value)
    return to_string(value)


def _as_scope(scope: EvalScope | Mapping[str, Any] | None) -> EvalScope:
    if scope is None:
        return MapScope()
    return MapScope(scope) if isinstance(scope, Mapping) else scope


def render_template(
    template: Template | str,
    scope: EvalScope | Mapping[str, Any] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> Any:
    """Render a template.

    Args:
        template: a parsed template or its text (parsed and cached).
        scope: the names visible to the expressions; a mapping is taken as variables.
        limits: sandbox limits, shared by all interpolations of this rendering.

    Returns:
        The value itself for a single-expression template, otherwise the text.

    Raises:
        ExpressionError: a subclass naming the failing expression, with ``column`` in the
            template text.
    """
    parsed = parse_template(template) if isinstance(template, str) else template
    resolved = _as_scope(scope)
    session = Session(limits, None)
    try:
        native = parsed.native
        if native is not None:
            return _value(parsed, native, resolved, session)
        return _render_text(parsed, resolved, session)
    finally:
        session.active = False


def _value(template: Template, part: Interpolation, scope: EvalScope, session: Session) -> Any:
    session.source = part.source
    try:
        return run_compiled(compile_expression(part.expr), scope, session)
    except ExpressionError as error:
        _relocate(error, template.text, part.source, part.offset, name_expression=True)


def _render_text(template: Template, scope: EvalScope, session: Session) -> str:
    out: list[str] = []
    size = 0
    for part in template.parts:
        if isinstance(part, str):
            piece = part
        else:
            piece = _text(_value(template, part, scope, session))
            if part.in_json_string:
                piece = json.dumps(piece, ensure_ascii=False)[1:-1]
        size += len(piece)
        session.check_size(size, "rendered template")
        out.append(piece)
    return "".join(out)


def render_json_template(
    template: Template | str,
    scope: EvalScope | Mapping[str, Any] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Any, str | None]:
    """Render a template and, for a JSON template, parse the result.

    Returns:
        ``(value, None)`` — the parsed JSON value for a JSON template that rendered to valid
        JSON, else exactly what :func:`render_template` returns; or ``(text, warning)`` when
        a JSON template rendered to invalid JSON, the warning reading
        ``"invalid JSON at line L column C: <reason>"``.
    """
    parsed = parse_template(template) if isinstance(template, str) else template
    rendered = render_template(parsed, scope, limits=limits)
    if not parsed.is_json or not isinstance(rendered, str):
        return rendered, None
    try:
        return _load_json(rendered), None
    except json.JSONDecodeError as error:
        return rendered, f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    except RecursionError:
        return rendered, "invalid JSON at line 1 column 1: nested too deeply"


def _load_json(text: str) -> Any:
    def reject_constant(name: str) -> NoReturn:
        found = _JSON_CONSTANT.search(text)
        position = found.start() if found else 0
        raise json.JSONDecodeError(f"{name} is not valid JSON", text, position)

    def integer(digits: str) -> int | float:
        value = int(digits)
        return value if abs(value) <= MAX_SAFE_INTEGER else float(digits)

    return json.loads(text, parse_constant=reject_constant, parse_int=integer)
