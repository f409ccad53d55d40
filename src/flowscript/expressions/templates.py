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

Parsing lives in :mod:`._template_syntax` (re-exported here), so that parsing a template does
not load the evaluator; this module adds rendering.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final, NoReturn

from flowscript.errors import ExpressionError
from flowscript.expressions._runtime import Session
from flowscript.expressions._template_syntax import (
    Interpolation,
    Template,
    is_template,
    parse_template,
    relocate,
)
from flowscript.expressions.evaluator import compile_expression, run_compiled
from flowscript.expressions.sandbox import DEFAULT_LIMITS, Limits
from flowscript.expressions.scope import EvalScope, MapScope
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

_JSON_CONSTANT: Final = re.compile(r"-?(?:NaN|Infinity)")


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
        relocate(error, template.text, part.source, part.offset, name_expression=True)


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
