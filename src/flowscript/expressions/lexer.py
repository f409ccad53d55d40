"""Tokeniser for the FlowScript expression language (expressions.md §1, §2.3).

The lexer turns source text into a flat list of :class:`Token`. Two things make it more than
a regular-expression split:

* **Template literals** nest (`` `a ${ `b ${c}` } d` ``). The lexer keeps a stack of open
  ``{`` and ``${`` so that a ``}`` either closes an object/brace or resumes the enclosing
  template text. Template pieces come out as ``template`` (no substitution), ``head``
  (`` `…${ ``), ``middle`` (``}…${``) and ``tail`` (`` }…` ``) tokens, like ECMAScript's.
* **Hyphenated names**: a name directly followed by ``-`` and another run of name characters
  (``fetch-joke``, ``race-api-1``, ``x-1``) is one ``name`` token whose ``parts`` list the
  pieces; the parser builds both readings from it. No run starts right after ``.``/``?.``
  (member names), and a numeric piece that continues as a number (``x-1.5``, ``x-1e-3``)
  ends the run, so those stay plain subtractions.

The same machinery finds the end of a ``{{ expr }}`` interpolation in a template:
:func:`find_interpolation_end` lexes until the first ``}}`` outside string literals,
template literals and braces.

Constructs that are not part of the language (``=``, ``++``, ``;``, comments, bitwise
operators) are rejected here with a specific message.
"""

from __future__ import annotations

import re
from typing import Final

from flowscript.errors import ExpressionSyntaxError
from flowscript.expressions._lexemes import (
    MAX_SAFE_INTEGER,
    NUMBER_RE,
    is_digit,
    join_surrogates,
    literal_value,
    number_value,
)

__all__ = ["MAX_SAFE_INTEGER", "Token", "find_interpolation_end", "number_value", "tokenize"]

_WHITESPACE: Final = re.compile(r"[\s\ufeff]+")  # JavaScript also skips the BOM
_NAME: Final = re.compile(r"(?:[^\W\d]|\$)(?:\w|\$)*")
_NAME_PART: Final = re.compile(r"(?:\w|\$)+")
_QUOTES: Final = frozenset("'\"")
_STRING_BODY: Final = {
    "'": re.compile(r"(?:[^'\\\n\r]|\\(?:\r\n|[\s\S]))*"),
    '"': re.compile(r'(?:[^"\\\n\r]|\\(?:\r\n|[\s\S]))*'),
}
_TEMPLATE_BODY: Final = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
_HEX: Final = re.compile(r"[0-9a-fA-F]+")

_PUNCTUATORS: Final = frozenset(
    {
        "...", "===", "!==", "**", "==", "!=", "<=", ">=", "&&", "||", "??", "=>", "?.",
        "(", ")", "[", "]", "{", "}", ",", ":", "?", ".", "+", "-", "*", "/", "%", "<", ">", "!",
    }
)  # fmt: skip
_ASSIGN = "compound assignment is not supported; expressions cannot change variables"
_BITWISE = "bitwise operators are not supported (did you mean `&&` or `||`?)"
# Tokens of constructs the language refuses, each with its message.
_REFUSED: Final = {
    "//": "comments are not supported in expressions",
    "/*": "comments are not supported in expressions",
    "=": "assignment is not supported; did you mean `==`?",
    "++": "increment `++` is not supported; write `x + 1`",
    "--": "decrement `--` is not supported; write `x - 1` (or `a - -b` with a space)",
    ";": "statements are not supported: an expression is a single value (remove `;`)",
    **dict.fromkeys(
        ("+=", "-=", "*=", "/=", "%=", "**=", "&=", "|=", "^=", "&&=", "||=", "??=", "<<=",
         ">>=", ">>>="),
        _ASSIGN,
    ),
    **dict.fromkeys(("&", "|", "^", "~", "<<", ">>", ">>>"), _BITWISE),
}  # fmt: skip


def _by_first_character(tokens: set[str]) -> dict[str, tuple[str, ...]]:
    """Operator candidates per first character, longest first (``===`` before ``==``)."""
    table: dict[str, list[str]] = {}
    for token in sorted(tokens, key=len, reverse=True):
        table.setdefault(token[0], []).append(token)
    return {char: tuple(candidates) for char, candidates in table.items()}


# Dispatching on the first character is several times faster than one regex alternation.
_OPERATORS: Final = _by_first_character(set(_PUNCTUATORS) | set(_REFUSED))
_SPACE_CHARACTERS: Final = frozenset(" \t\n\r\f\v\u00a0\ufeff\u2028\u2029")
# First characters of operators with no rule beyond "longest match, refused or not": not
# ``.`` (numbers like ``.5``), ``?`` (``a?.5:1``) or braces (template literals).
_PLAIN_OPERATORS: Final = frozenset(_OPERATORS) - frozenset(".?{}")


def _simple_token_pattern() -> re.Pattern[str]:
    """Blanks, then one token that needs no rule beyond its own characters (see ``run``).

    Group 1: an ASCII name, or a hyphenated run of ASCII names and integers (``fetch-joke``,
    ``node-12``), not followed by ``-`` or another name character (runs with other pieces and
    non-ASCII names take the long way); group 2: a decimal integer not followed by
    a name character or ``.``; group 3: the longest operator starting with a character of
    :data:`_PLAIN_OPERATORS` (refused ones included: the caller sends those the long way), or
    a ``.`` that does not start a number or ``...``.
    """
    operators = sorted(
        (op for char in _PLAIN_OPERATORS for op in _OPERATORS[char]), key=len, reverse=True
    )
    alternation = "|".join(re.escape(op) for op in operators)
    return re.compile(
        r"[ \t\n\r]*(?:"
        r"([A-Za-z_$][A-Za-z0-9_$]*(?:-(?:[A-Za-z_$][A-Za-z0-9_$]*|[0-9]+(?![.\w$])))*)"
        r"(?![\w$-])"
        r"|(0|[1-9][0-9]*)(?![\w$.])"
        rf"|({alternation}|\.(?![0-9.]))"
        r")"
    )


_SIMPLE_TOKEN: Final = _simple_token_pattern()
_SINGLE_ESCAPES: Final = {
    "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
}  # fmt: skip
_LINE_CONTINUATIONS: Final = ("\r\n", "\n", "\r", "\u2028", "\u2029")


class Token:
    """One token.

    Attributes:
        kind: ``num``, ``str``, ``name``, ``punct``, ``template``, ``head``, ``middle``,
            ``tail`` or ``eof``.
        value: the number, the decoded string, the name, the punctuator, the decoded
            template text.
        offset: 0-based start in the source; ``end``: 0-based end (exclusive).
        parts: for a hyphenated name, its pieces as ``(text, offset)``; else empty.
    """

    __slots__ = ("end", "kind", "offset", "parts", "value")

    def __init__(
        self,
        kind: str,
        value: object,
        offset: int,
        end: int,
        parts: tuple[tuple[str, int], ...] = (),
    ) -> None:
        self.kind = kind
        self.value = value
        self.offset = offset
        self.end = end
        self.parts = parts

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.value!r}, {self.offset})"


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an ``eof`` token.

    Raises:
        ExpressionSyntaxError: on characters or constructs the language does not have.
    """
    return _Lexer(text, 0, stop_at_close=False).run()


def find_interpolation_end(text: str, start: int) -> int:
    """Offset of the ``}}`` that closes the interpolation whose expression starts at ``start``.

    The closing ``}}`` is the first one outside string literals, template literals and
    braces. Returns -1 when there is none.

    Raises:
        ExpressionSyntaxError: when the expression text cannot be tokenised (the column is
            the 1-based offset in ``text`` + 1).
    """
    tokens = _Lexer(text, start, stop_at_close=True).run()
    end = tokens[-1]
    return end.offset if end.value == "}}" else -1


class _Lexer:
    __slots__ = ("_braces", "_pos", "_stop_at_close", "_text", "_tokens")

    def __init__(self, text: str, start: int, *, stop_at_close: bool) -> None:
        self._text = text
        self._pos = start
        self._stop_at_close = stop_at_close
        self._braces: list[int] = []  # -1 for ``{``; the backtick offset for ``${``
        self._tokens: list[Token] = []

    def run(self) -> list[Token]:
        # Most tokens are plain names, integers and operators: one match of
        # ``_SIMPLE_TOKEN`` reads each of them with the blanks before it (~2× faster than
        # looking at characters one by one). Anything else takes the long way, ``_step``.
        text, tokens = self._text, self._tokens
        length = len(text)
        position = self._pos
        append = tokens.append
        simple = _SIMPLE_TOKEN.match
        while position < length:
            match = simple(text, position)
            if match is None:
                position = self._step(position)
                if position < 0:
                    return tokens  # the ``}}`` closing an interpolation
                continue
            group = match.lastindex
            start, position = match.span(group)  # type: ignore[arg-type]
            source = text[start:position]
            if group == 1:
                if "-" not in source:
                    append(Token("name", source, start, position))
                elif self._after_dot():  # ``a.b-c``: the member name ``b`` only
                    position = self._step(start)
                else:
                    append(_hyphen_run(source, start, position))
            elif group == 2:
                value = int(source)  # decimal digits: ``literal_value`` without its checks
                number = value if value <= MAX_SAFE_INTEGER else float(value)
                append(Token("num", number, start, position))
            elif source in _REFUSED:
                position = self._step(start)  # raises
            else:
                append(Token("punct", source, start, position))
        self._finish_eof()
        append(Token("eof", None, length, length))
        return tokens

    def _step(self, position: int) -> int:
        """Read blanks or one token at ``position`` the long way; return the next position.

        In ``find_interpolation_end`` mode, the closing ``}}`` ends the token list: -1 is
        returned.
        """
        text = self._text
        char = text[position]
        if char in _SPACE_CHARACTERS or char.isspace():
            space = _WHITESPACE.match(text, position)
            return space.end() if space else position + 1
        if self._stop_at_close and not self._braces and text.startswith("}}", position):
            self._tokens.append(Token("eof", "}}", position, position + 2))
            return -1
        token = self._token(char, position)
        self._tokens.append(token)
        return token.end

    def _token(self, char: str, position: int) -> Token:
        text, braces = self._text, self._braces
        if "0" <= char <= "9" or (char == "." and is_digit(text[position + 1 : position + 2])):
            return self._number(position)
        if char in _OPERATORS:
            if char == "}" and braces and braces[-1] >= 0:
                return self._template(braces.pop(), position, "tail", "middle")
            return self._punctuator(char, position)
        if char in _QUOTES:
            return self._string(position, char)
        if char == "`":
            return self._template(position, position, "template", "head")
        match = _NAME.match(text, position)
        if match is None:
            raise self._error(_unexpected_character(char), position)
        end = match.end()
        if end < len(text) and text[end] == "-" and not self._after_dot():
            return self._name(match)
        return Token("name", match.group(), position, end)

    def _error(self, message: str, offset: int) -> ExpressionSyntaxError:
        return ExpressionSyntaxError(message, expression=self._text, column=offset + 1)

    def _finish_eof(self) -> None:
        for opener in reversed(self._braces):
            if opener >= 0:
                raise self._error("unterminated template literal: missing `", opener)

    # -- names -------------------------------------------------------------------------

    def _name(self, match: re.Match[str]) -> Token:
        """A name followed by ``-``: maybe a hyphenated run (``fetch-joke``)."""
        start, end = match.span()
        parts = [(match.group(), start)]
        end = self._hyphen_parts(end, parts)
        if len(parts) > 1:
            return Token("name", self._text[start:end], start, end, tuple(parts))
        return Token("name", match.group(), start, end)

    def _after_dot(self) -> bool:
        previous = self._tokens[-1] if self._tokens else None
        return previous is not None and previous.kind == "punct" and previous.value in (".", "?.")

    def _hyphen_parts(self, end: int, parts: list[tuple[str, int]]) -> int:
        text = self._text
        while end + 1 < len(text) and text[end] == "-":
            part = _NAME_PART.match(text, end + 1)
            if part is None:
                break
            if is_digit(text[end + 1]):
                number = NUMBER_RE.match(text, end + 1)
                if number is not None and number.end() > part.end():
                    follower = text[number.end() : number.end() + 1]
                    if not (follower.isalnum() or follower in ("_", "$")) or not follower:
                        break  # ``x-1.5`` / ``x-1e-3``: a real number follows the minus
            parts.append((part.group(), end + 1))
            end = part.end()
        return end

    # -- numbers -----------------------------------------------------------------------

    def _number(self, start: int) -> Token:
        match = NUMBER_RE.match(self._text, start)
        assert match is not None  # the caller saw a digit
        end = match.end()
        source = match.group()
        follower = self._text[end : end + 1]
        if follower and (follower.isalnum() or follower in "_$"):
            tail = _NAME_PART.match(self._text, end)
            bad = source + (tail.group() if tail else follower)
            raise self._error(f"invalid number `{bad}`", start)
        if len(source) > 1 and source[0] == "0" and is_digit(source[1]):
            raise self._error(
                f"invalid number `{source}`: leading zeros are not allowed "
                "(octal literals are not supported; use 0o17)",
                start,
            )
        return Token("num", literal_value(source), start, end)

    # -- strings -----------------------------------------------------------------------

    def _string(self, start: int, quote: str) -> Token:
        body = _STRING_BODY[quote].match(self._text, start + 1)
        assert body is not None  # the pattern accepts the empty string
        end = body.end()
        if end >= len(self._text) or self._text[end] != quote:
            raise self._error("unterminated string literal", start)
        return Token("str", self._cook(body.group(), start + 1), start, end + 1)

    def _template(self, opener: int, start: int, closed_kind: str, open_kind: str) -> Token:
        """Template text from ``start`` (a backtick or the ``}`` closing a substitution)."""
        body = _TEMPLATE_BODY.match(self._text, start + 1)
        assert body is not None
        end = body.end()
        value = self._cook(body.group(), start + 1)
        if self._text.startswith("${", end):
            self._braces.append(opener)
            return Token(open_kind, value, start, end + 2)
        if end >= len(self._text):
            raise self._error("unterminated template literal: missing `", opener)
        return Token(closed_kind, value, start, end + 1)

    def _cook(self, raw: str, base: int) -> str:
        """Decode backslash escapes; ``base`` is the offset of ``raw`` in the source."""
        if "\\" not in raw:
            return raw
        units: list[str] = []
        index = 0
        while index < len(raw):
            slash = raw.find("\\", index)
            if slash < 0:
                units.append(raw[index:])
                break
            units.append(raw[index:slash])
            decoded, index = self._escape(raw, slash, base)
            units.append(decoded)
        return join_surrogates("".join(units))

    def _escape(self, raw: str, slash: int, base: int) -> tuple[str, int]:
        char = raw[slash + 1]
        if char in _SINGLE_ESCAPES and not (char == "0" and raw[slash + 2 : slash + 3].isdigit()):
            return _SINGLE_ESCAPES[char], slash + 2
        for newline in _LINE_CONTINUATIONS:
            if raw.startswith(newline, slash + 1):
                return "", slash + 1 + len(newline)
        if char == "x":
            digits = raw[slash + 2 : slash + 4]
            if len(digits) == 2 and _HEX.fullmatch(digits):
                return chr(int(digits, 16)), slash + 4
            raise self._error("invalid `\\x` escape: expected two hex digits", base + slash)
        if char == "u":
            return self._unicode_escape(raw, slash, base)
        if char.isdigit():
            raise self._error(
                "octal escapes are not supported; use \\u0000-style escapes", base + slash
            )
        return char, slash + 2

    def _unicode_escape(self, raw: str, slash: int, base: int) -> tuple[str, int]:
        if raw.startswith("{", slash + 2):
            close = raw.find("}", slash + 3)
            digits = raw[slash + 3 : close] if close > 0 else ""
            if digits and _HEX.fullmatch(digits) and int(digits, 16) <= 0x10FFFF:
                return chr(int(digits, 16)), close + 1
            raise self._error(
                "invalid `\\u{…}` escape: expected a hex code point up to 10FFFF", base + slash
            )
        digits = raw[slash + 2 : slash + 6]
        if len(digits) == 4 and _HEX.fullmatch(digits):
            return chr(int(digits, 16)), slash + 6
        raise self._error("invalid `\\u` escape: expected four hex digits", base + slash)

    # -- punctuators -------------------------------------------------------------------

    def _punctuator(self, char: str, start: int) -> Token:
        text = self._text
        for punct in _OPERATORS[char]:
            if text.startswith(punct, start):
                break
        if punct == "?." and is_digit(text[start + 2 : start + 3]):
            punct = "?"  # ``a?.5:1`` is a conditional
        if punct in _REFUSED:
            raise self._error(_REFUSED[punct], start)
        if punct == "{":
            self._braces.append(-1)
        elif punct == "}" and self._braces:
            self._braces.pop()
        return Token("punct", punct, start, start + len(punct))


def _hyphen_run(source: str, start: int, end: int) -> Token:
    """The ``name`` token of a hyphenated run matched by :data:`_SIMPLE_TOKEN`."""
    parts: list[tuple[str, int]] = []
    offset = start
    for piece in source.split("-"):
        parts.append((piece, offset))
        offset += len(piece) + 1
    return Token("name", source, start, end, tuple(parts))


def _unexpected_character(char: str) -> str:
    if char == "#":
        return "unexpected character '#' (comments are not supported in expressions)"
    return f"unexpected character {char!r}"
