"""Token helpers and the literal parts of the expression parser.

:class:`LiteralParser` holds the cursor over the token list and parses the bracketed forms —
argument lists, arrays, objects, template literals and arrow functions. The Pratt core in
:mod:`.parser` extends it and supplies :meth:`LiteralParser._parse`.
"""

from __future__ import annotations

from flowscript.errors import ExpressionSyntaxError
from flowscript.expressions._words import RESERVED_WORDS, describe
from flowscript.expressions.lexer import Token
from flowscript.expressions.syntax import (
    ArrayLiteral,
    Arrow,
    Expr,
    Identifier,
    ObjectLiteral,
    Property,
    Spread,
    StringLiteral,
    TemplateLiteral,
)

__all__ = ["LiteralParser"]


class LiteralParser:
    """A cursor over tokens plus the parsing of lists, literals and arrows."""

    __slots__ = ("_index", "_text", "_tokens")

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self._text = text
        self._tokens = tokens
        self._index = 0

    def _parse(self, min_power: int) -> Expr:  # pragma: no cover - provided by the subclass
        """Parse an expression whose operators bind at least ``min_power``."""
        raise NotImplementedError  # abstract

    # -- helpers -------------------------------------------------------------------------

    @property
    def _token(self) -> Token:
        return self._tokens[self._index]

    def _peek(self, ahead: int = 1) -> Token:
        return self._tokens[min(self._index + ahead, len(self._tokens) - 1)]

    def _advance(self) -> Token:
        token = self._tokens[self._index]
        if token.kind != "eof":
            self._index += 1
        return token

    def _is(self, value: str, token: Token | None = None) -> bool:
        token = self._token if token is None else token
        return token.kind == "punct" and token.value == value

    def _error(self, message: str, token: Token | None = None) -> ExpressionSyntaxError:
        offset = (self._token if token is None else token).offset
        return ExpressionSyntaxError(message, expression=self._text, column=offset + 1)

    def _expect(self, value: str, opener: Token, what: str) -> Token:
        if self._is(value):
            return self._advance()
        raise self._error(
            f"expected `{value}` to close {what} opened at column {opener.offset + 1}, "
            f"found {describe(self._token)}"
        )

    def _list(self, closer: str, what: str) -> tuple[Expr, ...]:
        """Comma-separated values (spread allowed) up to ``closer``; trailing comma allowed."""
        opener = self._advance()
        items: list[Expr] = []
        while not self._is(closer):
            if self._is(","):
                raise self._error(f"unexpected `,`: empty entries are not allowed in {what}")
            items.append(self._spread_or_value())
            if self._is(","):
                self._advance()
            elif not self._is(closer):
                self._expect(closer, opener, f"`{opener.value}`")
        self._advance()
        return tuple(items)

    def _spread_or_value(self) -> Expr:
        token = self._token
        if self._is("..."):
            self._advance()
            return Spread(argument=self._parse(0), offset=token.offset)
        return self._parse(0)

    # -- literals --------------------------------------------------------------------------

    def _array(self) -> Expr:
        offset = self._token.offset
        return ArrayLiteral(elements=self._list("]", "an array"), offset=offset)

    def _object(self) -> Expr:
        opener = self._advance()
        properties: list[Property | Spread] = []
        while not self._is("}"):
            properties.append(self._property())
            if self._is(","):
                self._advance()
            elif not self._is("}"):
                self._expect("}", opener, "`{`")
        self._advance()
        return ObjectLiteral(properties=tuple(properties), offset=opener.offset)

    def _property(self) -> Property | Spread:
        token = self._token
        if self._is("..."):
            self._advance()
            return Spread(argument=self._parse(0), offset=token.offset)
        if self._is("["):
            self._advance()
            key = self._parse(0)
            self._expect("]", token, "the computed key `[`")
            return Property(
                key=key, value=self._property_value(), computed=True, offset=token.offset
            )
        key_text = self._property_key(token)
        self._advance()
        key = StringLiteral(value=key_text, offset=token.offset)
        if token.kind == "name" and (self._is(",") or self._is("}")):
            if key_text in RESERVED_WORDS:
                raise self._error(f"`{key_text}` cannot be used as a shorthand property", token)
            value = Identifier(name=key_text, offset=token.offset)
            return Property(key=key, value=value, offset=token.offset)
        return Property(key=key, value=self._property_value(), offset=token.offset)

    def _property_key(self, token: Token) -> str:
        if token.kind == "name":
            if token.parts:
                raise self._error(f'quote hyphenated keys: {{"{token.value}": …}}')
            return str(token.value)
        if token.kind == "str":
            return str(token.value)
        if token.kind == "num":
            # Imported here: parsing (and so ``flowscript validate``) does not load the
            # value module, which only numeric keys need.
            from flowscript.expressions.values import number_to_string

            assert isinstance(token.value, int | float)
            return number_to_string(token.value)
        raise self._error(
            f"expected a property name in the object literal, found {describe(token)}"
        )

    def _property_value(self) -> Expr:
        if not self._is(":"):
            raise self._error(
                f"expected `:` after the property name, found {describe(self._token)}"
            )
        self._advance()
        return self._parse(0)

    def _template_literal(self) -> Expr:
        first = self._advance()
        quasis = [str(first.value)]
        expressions: list[Expr] = []
        if first.kind == "template":
            return TemplateLiteral(quasis=(quasis[0],), expressions=(), offset=first.offset)
        while True:
            expressions.append(self._parse(0))
            piece = self._token
            if piece.kind not in ("middle", "tail"):
                raise self._error(
                    f"expected `}}` to close `${{` in the template literal, found {describe(piece)}"
                )
            self._advance()
            quasis.append(str(piece.value))
            if piece.kind == "tail":
                return TemplateLiteral(
                    quasis=tuple(quasis), expressions=tuple(expressions), offset=first.offset
                )

    # -- arrows ----------------------------------------------------------------------------

    def _arrow_ahead(self) -> bool:
        """True when the ``(`` at the cursor starts an arrow parameter list."""
        position = self._index + 1
        tokens = self._tokens
        while True:
            token = tokens[position]
            if token.kind == "punct" and token.value == ")":
                following = tokens[position + 1]
                return following.kind == "punct" and following.value == "=>"
            if token.kind != "name" or token.parts:
                return False
            separator = tokens[position + 1]
            if separator.kind != "punct" or separator.value not in (",", ")"):
                return False
            position += 1 if separator.value == ")" else 2

    def _arrow_with_parens(self) -> Expr:
        opener = self._advance()
        params: list[str] = []
        while not self._is(")"):
            params.append(str(self._advance().value))
            if self._is(","):
                self._advance()
        self._advance()
        return self._arrow_body(tuple(params), opener)

    def _arrow_body(self, params: tuple[str, ...], start: Token) -> Expr:
        for name in params:
            if name in RESERVED_WORDS:
                raise self._error(f"`{name}` cannot be a parameter name", start)
        duplicates = sorted({name for name in params if params.count(name) > 1})
        if duplicates:
            raise self._error(f"duplicate parameter name `{duplicates[0]}`", start)
        self._advance()  # =>
        if self._is("{"):
            raise self._error(
                "arrow bodies are expressions, not blocks; to return an object literal "
                "wrap it in parentheses: x => ({ … })"
            )
        body = self._parse(0)
        return Arrow(params=params, body=body, offset=start.offset)
