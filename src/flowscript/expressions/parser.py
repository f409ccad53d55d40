"""Hand-written Pratt parser for FlowScript expressions (expressions.md §1).

Why a hand-written Pratt parser rather than a grammar library such as lark:

* **Precise errors.** Every :class:`~flowscript.errors.ExpressionSyntaxError` carries the exact
  1-based column and a message written for workflow authors ("assignment is not supported;
  did you mean `==`?", "regular expression literals are not supported; use match(…)").
* **Hyphenated names** (``fetch-joke`` vs ``a - b``, §2.3) depend on whitespace and need both
  readings kept in the tree with JavaScript precedence; that is custom tokenising and custom
  tree building, awkward in a generated parser.
* **No start-up cost.** There is no grammar to compile when the CLI starts.
* **Speed.** A 10,000-node workflow must parse and validate in under a second, i.e. tens of
  thousands of small expressions; a direct recursive-descent/Pratt loop over a flat token list
  is several times faster than a general parser.

Precedence, loosest first: arrow; ``?:``; ``??`` ``||``; ``&&``; ``== != === !==``;
``< > <= >= in``; ``+ -``; ``* / %``; ``**`` (right-associative); unary ``! - + typeof``;
postfix ``.`` ``?.`` ``[]`` calls.

Nesting deeper than :data:`MAX_NESTING` raises :class:`~flowscript.errors.LimitExceededError`
(never a ``RecursionError``), as does source longer than :data:`MAX_SOURCE_LENGTH`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from flowscript.errors import ExpressionError, ExpressionSyntaxError, LimitExceededError
from flowscript.expressions._hyphen import HyphenFolder, part_operand, rebase
from flowscript.expressions._literals import LiteralParser
from flowscript.expressions._words import (
    REFUSED_WORDS,
    RESERVED_WORDS,
    describe,
    literal,
    trailing_message,
)
from flowscript.expressions.lexer import Token, tokenize
from flowscript.expressions.syntax import (
    Conditional,
    Expr,
    HyphenName,
    Identifier,
    Member,
    make_binary,
    make_call,
    make_hyphen_name,
    make_identifier,
    make_index,
    make_member,
    make_number,
    make_string,
    make_unary,
)

__all__ = ["MAX_NESTING", "MAX_SOURCE_LENGTH", "parse_expression"]

MAX_NESTING: Final = 100
MAX_SOURCE_LENGTH: Final = 100_000
# Folded nodes one expression may create for hyphen runs (see _hyphen): realistic
# expressions use a handful; a product of k runs (``a-b * c-d * …``) needs about k²/2.
_HYPHEN_BUDGET: Final = 20_000

_TERNARY: Final = 2
_UNARY: Final = 10
_INFIX: Final[dict[object, int]] = {  # keyed by token values
    "??": 3, "||": 3, "&&": 4,
    "==": 5, "!=": 5, "===": 5, "!==": 5,
    "<": 6, ">": 6, "<=": 6, ">=": 6, "in": 6,
    "+": 7, "-": 7, "*": 8, "/": 8, "%": 8, "**": 9,
}  # fmt: skip
_UNARY_OPERATORS: Final = frozenset({"!", "-", "+"})
_UNARY_STARTS: Final[frozenset[object]] = frozenset({*_UNARY_OPERATORS, "typeof"})
# Punctuators that continue an operand (member, optional chain, index, call).
_POSTFIX: Final[frozenset[object]] = frozenset({".", "?.", "[", "("})
_TEMPLATE_STARTS: Final = frozenset({"template", "head"})


def _bare_unary(first: Token) -> bool:
    """True when an operand starting with ``first`` is a unary operation (``-x``, ``!x``)."""
    return first.value in _UNARY_STARTS and first.kind in ("punct", "name") and not first.parts


# Large enough for a 20,000-node flow: re-parsing at run time would double the per-node cost.
@lru_cache(maxsize=65_536)
def parse_expression(text: str) -> Expr:
    """Parse one expression into its AST (cached by source text).

    Args:
        text: the expression source, e.g. ``"items.filter(x => x.ok).length > 0"``.

    Returns:
        The root :class:`~flowscript.expressions.syntax.Expr`.

    Raises:
        ExpressionSyntaxError: with ``expression=text`` and the 1-based ``column``.
        LimitExceededError: nesting deeper than 100 or source over 100,000 characters.
    """
    if len(text) > MAX_SOURCE_LENGTH:
        raise LimitExceededError(
            f"expression is {len(text):,} characters long; the limit is {MAX_SOURCE_LENGTH:,}",
            expression=text[:200] + "…",
            column=MAX_SOURCE_LENGTH + 1,
        )
    try:
        tokens = tokenize(text)
    except ExpressionSyntaxError as lex_error:
        raise _earliest_error(text, lex_error) from None
    return _Parser(text, tokens).parse_all()


def _earliest_error(text: str, lex_error: ExpressionSyntaxError) -> ExpressionError:
    """Report a parse error before the lexer's error first (``let x = 1`` blames ``let``).

    The whole text is tokenised before parsing, so a bad character late in the text would
    otherwise hide a clearer problem earlier on; the text before the bad character is parsed
    to find out.
    """
    column = lex_error.column or 1
    try:
        _Parser(text, tokenize(text[: column - 1])).parse_all()
    except ExpressionError as earlier:
        if earlier.column is not None and earlier.column < column:
            earlier.expression = text
            return earlier
    return lex_error


class _Parser(LiteralParser):
    __slots__ = ("_depth", "_folder")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        super().__init__(text, tokens)
        self._depth = 0
        self._folder = HyphenFolder(_HYPHEN_BUDGET, self._too_many_hyphens)

    def _too_many_hyphens(self) -> LimitExceededError:
        return LimitExceededError(
            "expression too complex: too many hyphenated names combined by operators "
            "(write `a - b` with spaces for a subtraction)",
            expression=self._text,
            column=1,
        )

    # -- entry points --------------------------------------------------------------------

    def parse_all(self) -> Expr:
        if self._token.kind == "eof":
            raise ExpressionSyntaxError(
                "empty expression: expected a value", expression=self._text, column=1
            )
        expr = self._parse(0)
        if self._token.kind != "eof":
            raise self._error(trailing_message(self._token))
        return expr

    def _parse(self, min_power: int) -> Expr:
        # The hottest function of validation: one call per operand, so the name and number
        # cases of ``_prefix`` and the binary-node building are inlined here (measured).
        self._depth += 1
        if self._depth > MAX_NESTING:
            raise LimitExceededError(
                f"expression nested too deeply (more than {MAX_NESTING} levels)",
                expression=self._text,
                column=self._token.offset + 1,
            )
        tokens = self._tokens
        first = tokens[self._index]
        left = self._operand(first, min_power)
        operators = 0
        while True:
            token = tokens[self._index]
            kind = token.kind
            power = _INFIX.get(token.value) if kind == "punct" or kind == "name" else None
            if power is not None and power >= min_power and not token.parts:
                operator = str(token.value)
                if operator == "**" and not operators and _bare_unary(first):
                    raise self._error(
                        "a unary operator before `**` is ambiguous; write (-x) ** y or -(x ** y)",
                        token,
                    )
                self._index += 1
                right = self._parse(power if operator == "**" else power + 1)
                if type(left) is HyphenName or type(right) is HyphenName:
                    left = self._folder.binary(operator, left, right, token.offset)
                else:
                    left = make_binary(operator, left, right, token.offset)
            elif kind == "punct" and token.value == "?" and min_power <= _TERNARY:
                left = self._conditional(left)
            else:
                self._depth -= 1  # no ``finally``: after an error the parser is thrown away
                return left
            operators += 1

    def _operand(self, token: Token, min_power: int) -> Expr:
        """The operand starting at ``token`` (the current one), with its postfix chain."""
        kind = token.kind
        if kind == "name":
            name = token.value
            if not token.parts and name not in RESERVED_WORDS:  # the common case, first
                self._index += 1
                following = self._tokens[self._index]
                if following.kind == "punct":
                    if following.value == "=>" and min_power <= _TERNARY:
                        return self._arrow_body((str(name),), token)
                    if following.value in _POSTFIX:
                        return self._postfix(make_identifier(name, token.offset))
                elif following.kind in _TEMPLATE_STARTS:
                    return self._postfix(make_identifier(name, token.offset))
                return make_identifier(name, token.offset)
        elif kind == "num":
            self._index += 1
            following = self._tokens[self._index]
            number = make_number(token.value, token.offset)
            if following.kind == "punct" and following.value not in _POSTFIX:
                return number
            return self._postfix(number)
        return self._prefix(min_power)

    def _conditional(self, test: Expr) -> Expr:
        question = self._advance()
        consequent = self._parse(0)
        if not self._is(":"):
            raise self._error(
                f"expected `:` in the conditional `? :`, found {describe(self._token)}"
            )
        self._advance()
        alternate = self._parse(_TERNARY)
        return Conditional(
            test=test, consequent=consequent, alternate=alternate, offset=question.offset
        )

    # -- prefix positions ----------------------------------------------------------------

    def _prefix(self, min_power: int) -> Expr:
        token = self._token
        kind = token.kind
        if kind == "name":
            return self._name(token, min_power)
        if kind == "num":
            self._advance()
            assert isinstance(token.value, int | float)
            return self._postfix(make_number(token.value, token.offset))
        if kind == "str":
            self._advance()
            return self._postfix(make_string(str(token.value), token.offset))
        if kind in ("template", "head"):
            return self._postfix(self._template_literal())
        if kind == "punct":
            return self._punctuation(token, min_power)
        if kind == "eof":
            raise self._error("unexpected end of expression: expected a value")
        raise self._error(f"unexpected {describe(token)}")

    def _punctuation(self, token: Token, min_power: int) -> Expr:
        value = token.value
        if value == "(":
            if min_power <= _TERNARY and self._arrow_ahead():
                return self._arrow_with_parens()
            return self._postfix(self._parenthesised())
        if value == "[":
            return self._postfix(self._array())
        if value == "{":
            return self._postfix(self._object())
        if value in _UNARY_OPERATORS:
            self._advance()
            operand = self._parse(_UNARY)
            if type(operand) is HyphenName:
                return self._folder.unary(str(value), operand, token.offset)
            return make_unary(str(value), operand, token.offset)
        if value == "/":
            raise self._error(
                "regular expression literals are not supported; "
                "use match(s, 'pattern') or test(s, 'pattern')"
            )
        if value == "...":
            raise self._error("spread `...` is only allowed in arrays, objects and call arguments")
        raise self._error(f"unexpected {describe(token)}: expected a value")

    def _name(self, token: Token, min_power: int) -> Expr:
        name = str(token.value)
        if not token.parts and name not in RESERVED_WORDS:
            self._index += 1
            following = self._tokens[self._index]
            if following.value == "=>" and following.kind == "punct" and min_power <= _TERNARY:
                return self._arrow_body((name,), token)
            return self._postfix(make_identifier(name, token.offset))
        if token.parts:
            self._advance()
            return self._hyphen_name(token)
        constant = literal(name, token.offset)
        if constant is not None:
            self._advance()
            return self._postfix(constant)
        if name == "typeof":
            self._advance()
            return self._folder.unary("typeof", self._parse(_UNARY), token.offset)
        if name == "delete" and self._is("(", self._peek()):
            pass  # the delete(obj, key) built-in, not the operator
        elif name in REFUSED_WORDS:
            raise self._error(REFUSED_WORDS[name])
        elif name == "in":
            raise self._error("unexpected `in`: expected a value before it")
        self._advance()
        if self._is("=>") and min_power <= _TERNARY:
            return self._arrow_body((name,), token)
        return self._postfix(make_identifier(name, token.offset))

    def _hyphen_name(self, token: Token) -> Expr:
        name = str(token.value)
        root = make_identifier(name, token.offset)
        chain = self._postfix(root)
        operands = [part_operand(text, offset, RESERVED_WORDS) for text, offset in token.parts]
        if any(operand is None for operand in operands):
            return chain  # e.g. ``check-in``: only the whole-name reading exists
        parts = [operand for operand in operands if operand is not None]
        parts[-1] = rebase(chain, root, parts[-1])
        return make_hyphen_name(name, chain, tuple(parts), token.offset)

    def _parenthesised(self) -> Expr:
        opener = self._advance()
        if self._is(")"):
            raise self._error("empty parentheses `()`: expected a value (or `() => …`)")
        expr = self._parse(0)
        if self._is(","):
            raise self._error(
                "unexpected `,`: sequences `(a, b)` are not supported "
                "(arrow parameters need `=>` after the parenthesis)"
            )
        self._expect(")", opener, "`(`")
        return self._folder.group(expr)

    # -- postfix ---------------------------------------------------------------------------

    def _postfix(self, expr: Expr) -> Expr:
        tokens = self._tokens
        while True:
            token = tokens[self._index]
            if token.kind == "punct":
                value = token.value
                if value == ".":
                    self._index += 1
                    expr = self._member(expr, optional=False)
                    continue
                if value == "?.":
                    self._index += 1
                    expr = self._optional_link(expr)
                    continue
                if value == "[":
                    expr = self._subscript(expr, optional=False)
                    continue
                if value == "(":
                    expr = self._call(expr, optional=False)
                    continue
            elif token.kind in ("template", "head"):
                raise self._error("tagged templates are not supported")
            return expr

    def _member(self, expr: Expr, *, optional: bool) -> Expr:
        name = self._token
        if name.kind != "name":
            raise self._error(f"expected a property name after `.`, found {describe(name)}")
        self._advance()
        return make_member(expr, str(name.value), optional, name.offset)

    def _optional_link(self, expr: Expr) -> Expr:
        if self._is("("):
            return self._call(expr, optional=True)
        if self._is("["):
            return self._subscript(expr, optional=True)
        return self._member(expr, optional=True)

    def _subscript(self, expr: Expr, *, optional: bool) -> Expr:
        opener = self._advance()
        if self._is("]"):
            raise self._error("empty index `[]`: expected a value")
        index = self._parse(0)
        self._expect("]", opener, "`[`")
        return make_index(expr, index, optional, opener.offset)

    def _call(self, callee: Expr, *, optional: bool) -> Expr:
        opener = self._token
        arguments = self._list(")", "the argument list")
        offset = callee.offset if isinstance(callee, Identifier | Member) else opener.offset
        return make_call(callee, arguments, optional, offset)
