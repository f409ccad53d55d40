"""SQL text: a small tokenizer, and binding values as parameters (runtimes.md §4).

Values never become SQL text. A query's ``{{ expr }}`` interpolations and its ``?``, ``$1`` or
``:name`` placeholders (with ``params``) all turn into the driver's own placeholders — ``?``
for SQLite, ``$1, $2 …`` for PostgreSQL — with the values passed separately.

The tokenizer only needs to tell code from quoted text and comments, so that a ``?`` or
``:name`` inside a string literal, a quoted identifier or a comment is left alone. It knows
``'strings'`` (``''`` escapes), ``E'strings'`` (backslash escapes), ``"identifiers"``,
`` `identifiers` ``, ``$tag$ dollar-quoted $tag$`` text, ``-- line`` and ``/* block */``
comments. Limits: block comments do not nest; ``[bracketed]`` SQLite identifiers are read as
code; with a ``params`` list using ``?`` placeholders, the PostgreSQL ``jsonb`` operators
``?``, ``?|`` and ``?&`` cannot be used (use ``$1`` placeholders or ``jsonb_exists``).

An interpolation inside a string literal (``'%{{ q }}%'``) makes the whole literal one bound
text parameter (``'%' + text(q) + '%'``); inside a comment it is dropped without being
evaluated; inside a quoted identifier or dollar-quoted text it is refused (identifiers cannot
be bound).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import ExpressionError, NodeError
from flowscript.runtimes.database._values import bind_value, text_of

if TYPE_CHECKING:
    from flowscript.expressions.scope import EvalScope
    from flowscript.expressions.templates import Interpolation
    from flowscript.runtimes.database._target import Dialect

__all__ = ["BoundQuery", "bind_params", "bind_template", "first_line", "tokenize"]

_SENTINEL: Final = "\x00"
_TOKEN: Final = re.compile(
    r"""
      (?P<estring>(?<![\w$])[eE]'(?:[^'\\]|\\.|'')*(?:'|\Z))
    | (?P<string>'(?:[^']|'')*(?:'|\Z))
    | (?P<ident>"(?:[^"]|"")*(?:"|\Z))
    | (?P<backtick>`(?:[^`]|``)*(?:`|\Z))
    | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
    | (?P<dollar>(?<![\w$])\$(?P<tag>(?:[A-Za-z_][A-Za-z0-9_]*)?)\$.*?(?:\$(?P=tag)\$|\Z))
    | (?P<code>[^'"`$/eE-]+|.)
    """,
    re.S | re.X,
)
_QMARK: Final = re.compile(r"\?")
_NUMBERED: Final = re.compile(r"(?<![\w$])\$(\d+)")
_NAMED: Final = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_MAX_LINE: Final = 120


def tokenize(sql: str) -> list[tuple[str, str]]:
    """Split SQL into ``(kind, text)`` tokens; kinds: ``code``, ``string``, ``estring``,
    ``ident``, ``backtick``, ``comment``, ``dollar``. Adjacent code is merged."""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(sql):
        kind = match.lastgroup or "code"
        kind = "dollar" if kind == "tag" else kind
        text = match.group()
        if kind == "code" and tokens and tokens[-1][0] == "code":
            tokens[-1] = ("code", tokens[-1][1] + text)
        else:
            tokens.append((kind, text))
    return tokens


def first_line(sql: str) -> str:
    """The statement's first non-blank line, shortened, for error messages."""
    for line in sql.splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"
    return ""


@dataclass(frozen=True, slots=True)
class BoundQuery:
    """A statement in the driver's placeholder style, with its parameter values.

    Attributes:
        sql: the statement text (``?`` or ``$n`` placeholders).
        params: the values, in placeholder order (driver-ready: JSON-like values as text).
        bound: True when the statement has parameters (the driver must parse placeholders).
    """

    sql: str
    params: tuple[Any, ...] = ()
    bound: bool = False


@dataclass(slots=True)
class _Builder:
    dialect: Dialect
    pieces: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def text(self, sql: str) -> None:
        self.pieces.append(sql)

    def param(self, value: Any) -> str:
        self.params.append(bind_value(value))
        return "?" if self.dialect == "sqlite" else f"${len(self.params)}"

    def build(self) -> BoundQuery:
        return BoundQuery("".join(self.pieces), tuple(self.params), bound=True)


def _invalid(node_id: str, message: str) -> NodeError:
    return NodeError(
        "config.invalid", f"node {node_id}: {message}", retryable=False, details={"field": "query"}
    )


# ------------------------------------------------------------------ {{ }} interpolations


@dataclass(slots=True)
class _Interpolations:
    """The query's interpolations, consumed in order as the tokenizer meets them."""

    node_id: str
    parts: Sequence[Interpolation]
    scope: EvalScope
    position: int = 0

    def evaluate_next(self) -> Any:
        from flowscript.expressions import evaluate

        part = self.parts[self.position]
        self.position += 1
        try:
            return evaluate(part.expr, self.scope)
        except ExpressionError as exc:
            raise NodeError(
                "expression.eval",
                f"node {self.node_id}: query: {exc.message} in `{{{{ {part.source.strip()} }}}}`",
                retryable=False,
                details={"field": "query", "code": exc.code, "expression": part.source.strip()},
            ) from exc

    def skip(self, count: int) -> None:
        self.position += count


def _code(builder: _Builder, text: str, values: _Interpolations) -> None:
    pieces = text.split(_SENTINEL)
    builder.text(pieces[0])
    for piece in pieces[1:]:
        builder.text(builder.param(values.evaluate_next()))
        builder.text(piece)


def _literal(builder: _Builder, text: str, values: _Interpolations) -> None:
    body = text[text.index("'") + 1 :]
    body = body[:-1] if body.endswith("'") else body
    pieces = body.replace("''", "'").split(_SENTINEL)
    rendered = [pieces[0]]
    for piece in pieces[1:]:
        rendered.extend((text_of(values.evaluate_next()), piece))
    builder.text(builder.param("".join(rendered)))


def _comment(builder: _Builder, text: str, values: _Interpolations) -> None:
    values.skip(text.count(_SENTINEL))
    builder.text(text.replace(_SENTINEL, ""))


def _refused(builder: _Builder, text: str, values: _Interpolations) -> None:
    raise _invalid(
        values.node_id,
        "a {{ }} inside a quoted identifier or dollar-quoted text cannot be bound as a "
        "parameter; values are always bound, never pasted into SQL",
    )


_TEMPLATE_HANDLERS: Final[Mapping[str, Callable[[_Builder, str, _Interpolations], None]]] = {
    "code": _code,
    "string": _literal,
    "estring": _literal,
    "comment": _comment,
    "ident": _refused,
    "backtick": _refused,
    "dollar": _refused,
}


def bind_template(
    query: str, scope: EvalScope, dialect: Dialect, *, node_id: str
) -> BoundQuery | None:
    """Bind every ``{{ expr }}`` of ``query`` as a parameter.

    Returns:
        The bound statement, or ``None`` when the query has no interpolation.

    Raises:
        NodeError: ``expression.eval`` when an expression fails or the template does not
            parse; ``config.invalid`` for an interpolation that cannot be bound.
    """
    from flowscript.expressions.templates import Interpolation, parse_template

    try:
        parsed = parse_template(query)
    except ExpressionError as exc:
        raise NodeError(
            "expression.eval", f"node {node_id}: query: {exc}", retryable=False
        ) from exc
    parts = parsed.interpolations
    if not parts:
        return None
    literal = [part for part in parsed.parts if isinstance(part, str)]
    if any(_SENTINEL in text for text in literal):
        raise _invalid(node_id, "the query contains a NUL character")
    skeleton = "".join(_SENTINEL if isinstance(p, Interpolation) else p for p in parsed.parts)
    builder = _Builder(dialect)
    values = _Interpolations(node_id, parts, scope)
    for kind, text in tokenize(skeleton):
        if _SENTINEL in text:
            _TEMPLATE_HANDLERS[kind](builder, text, values)
        else:
            builder.text(text)
    return builder.build()


# ------------------------------------------------------------------ params placeholders


def _substitute(sql: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> str:
    """Apply ``replace`` to the placeholders found in code tokens only."""
    out: list[str] = []
    for kind, text in tokenize(sql):
        out.append(pattern.sub(replace, text) if kind == "code" else text)
    return "".join(out)


def _uses(sql: str, pattern: re.Pattern[str]) -> bool:
    return any(kind == "code" and pattern.search(text) for kind, text in tokenize(sql))


def _bind_list(sql: str, params: list[Any], builder: _Builder, node_id: str) -> str:
    numbered = _uses(sql, _NUMBERED)
    if numbered and _uses(sql, _QMARK):
        raise _invalid(node_id, "the query mixes ? and $1 placeholders; use one style")
    used: set[int] = set()

    def by_number(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if not 1 <= number <= len(params):
            raise _invalid(node_id, f"${number} has no value: params has {len(params)}")
        used.add(number)
        return builder.param(params[number - 1])

    def in_order(match: re.Match[str]) -> str:
        if len(builder.params) >= len(params):
            raise _invalid(
                node_id, f"the query has more ? placeholders than params ({len(params)})"
            )
        return builder.param(params[len(builder.params)])

    sql = _substitute(sql, _NUMBERED if numbered else _QMARK, by_number if numbered else in_order)
    count = len(used) if numbered else len(builder.params)
    if count != len(params):
        raise _invalid(node_id, f"params has {len(params)} values but the query uses {count}")
    return sql


def _bind_map(sql: str, params: Mapping[str, Any], builder: _Builder, node_id: str) -> str:
    def by_name(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            raise _invalid(node_id, f":{name} has no value in params")
        return builder.param(params[name])

    sql = _substitute(sql, _NAMED, by_name)
    if not builder.params:
        raise _invalid(node_id, "params is a map but the query has no :name placeholder")
    return sql


def bind_params(sql: str, params: Any, dialect: Dialect, *, node_id: str) -> BoundQuery:
    """Convert ``?``/``$1`` (``params`` list) or ``:name`` (``params`` map) placeholders.

    Raises:
        NodeError: ``config.invalid`` when ``params`` is neither a list nor a map, or when the
            placeholders and the values do not match.
    """
    builder = _Builder(dialect)
    if isinstance(params, Mapping):
        text = _bind_map(sql, params, builder, node_id)
    elif isinstance(params, list | tuple):
        text = _bind_list(sql, list(params), builder, node_id)
    else:
        raise _invalid(node_id, "field 'params': expected a list (for ? or $1) or a map (:name)")
    return BoundQuery(text, tuple(builder.params), bound=True)
