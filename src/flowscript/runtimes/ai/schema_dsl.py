"""The output-schema DSL (runtimes.md §6) → JSON Schema.

Grammar (whitespace and newlines are free; inside ``{…}`` a newline separates fields like a
comma does)::

    schema  := type
    type    := postfix ("|" postfix)*            "a" | "b" is an enum; other unions are anyOf
    postfix := primary ("[]" | "?")*             T[] an array, T? optional / nullable
    primary := "string" | "number" | "integer" | "boolean" | "null"
             | STRING                            a literal: "a" or 'a'
             | "{" [field (sep field)* [sep]] "}"
             | "(" type ")"
    field   := (NAME | STRING) ["?"] ":" type    key?: T is an optional field

Objects become ``{"type": "object", "properties", "required", "additionalProperties": false}``.
An optional field (``key?: T`` or ``key: T?``) is left out of ``required`` and also accepts
``null`` (models often send ``null`` for a field they have nothing for). ``T?`` anywhere else
(an array item, the whole schema) means "T or null". Errors raise :class:`SchemaSyntaxError`
with the 1-based line and column of the offending character. Pure: no I/O.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["SchemaSyntaxError", "describe_schema", "nullable", "parse_schema_dsl"]

_PUNCTUATION: Final = frozenset("{}[]():,|?")
_NAME_START: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_PART: Final = _NAME_START | frozenset("0123456789-")
_PRIMITIVES: Final = {
    "string": {"type": "string"},
    "number": {"type": "number"},
    "integer": {"type": "integer"},
    "boolean": {"type": "boolean"},
    "null": {"type": "null"},
}
_EXPECTED_TYPE: Final = 'a type (string, number, integer, boolean, {…}, "literal" or (…))'


class SchemaSyntaxError(ValueError):
    """An output-schema DSL string that does not parse.

    Attributes:
        line: 1-based line of the problem inside the schema text.
        column: 1-based column of the problem on that line.
        reason: the message without the position.
    """

    def __init__(self, reason: str, text: str, offset: int) -> None:
        before = text[:offset]
        self.line = before.count("\n") + 1
        self.column = offset - (before.rfind("\n") + 1) + 1
        self.reason = reason
        super().__init__(f"{reason} (schema line {self.line}, column {self.column})")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "name", "string", "end" or the punctuation character itself
    text: str
    offset: int
    newline_before: bool


def _tokens(text: str) -> Iterator[_Token]:
    index, newline = 0, False
    while index < len(text):
        char = text[index]
        if char.isspace():
            newline = newline or char == "\n"
            index += 1
            continue
        if char in _PUNCTUATION:
            yield _Token(char, char, index, newline)
            index += 1
        elif char in _NAME_START:
            end = index + 1
            while end < len(text) and text[end] in _NAME_PART:
                end += 1
            yield _Token("name", text[index:end], index, newline)
            index = end
        elif char in "\"'":
            value, end = _string(text, index)
            yield _Token("string", value, index, newline)
            index = end
        else:
            raise SchemaSyntaxError(f"unexpected character {char!r}", text, index)
        newline = False
    yield _Token("end", "", len(text), newline)


def _string(text: str, start: int) -> tuple[str, int]:
    quote, index = text[start], start + 1
    chars: list[str] = []
    while index < len(text):
        char = text[index]
        if char == quote:
            return "".join(chars), index + 1
        if char == "\\" and index + 1 < len(text):
            index += 1
            char = text[index]
        elif char == "\n":
            break
        chars.append(char)
        index += 1
    raise SchemaSyntaxError("unterminated string literal", text, start)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = list(_tokens(text))
        self.index = 0

    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.current
        self.index += 1
        return token

    def fail(self, reason: str, token: _Token | None = None) -> SchemaSyntaxError:
        token = token or self.current
        found = "the end of the schema" if token.kind == "end" else repr(token.text)
        return SchemaSyntaxError(f"{reason}, found {found}", self.text, token.offset)

    def expect(self, kind: str, what: str) -> _Token:
        if self.current.kind != kind:
            raise self.fail(f"expected {what}")
        return self.advance()

    # -- grammar ------------------------------------------------------------------------------

    def schema(self) -> dict[str, Any]:
        if self.current.kind == "end":
            raise self.fail(f"expected {_EXPECTED_TYPE}")
        schema, optional = self.union()
        if self.current.kind != "end":
            raise self.fail("expected the end of the schema (or | to add an alternative)")
        return nullable(schema) if optional else schema

    def union(self) -> tuple[dict[str, Any], bool]:
        members = [self.postfix()]
        while self.current.kind == "|":
            self.advance()
            members.append(self.postfix())
        optional = any(member_optional for _, member_optional in members)
        schemas = [schema for schema, _ in members]
        if len(schemas) == 1:
            return schemas[0], optional
        return _union(schemas), optional

    def postfix(self) -> tuple[dict[str, Any], bool]:
        schema, optional = self.primary(), False
        while self.current.kind in ("[", "?"):
            if self.advance().kind == "?":
                optional = True
                continue
            self.expect("]", "] to close []")
            item = nullable(schema) if optional else schema
            schema, optional = {"type": "array", "items": item}, False
        return schema, optional

    def primary(self) -> dict[str, Any]:
        token = self.current
        handler = _PRIMARIES.get(token.kind)
        if handler is None:
            raise self.fail(f"expected {_EXPECTED_TYPE}")
        return handler(self)

    def named(self) -> dict[str, Any]:
        token = self.advance()
        if token.text not in _PRIMITIVES:
            known = ", ".join(_PRIMITIVES)
            raise SchemaSyntaxError(
                f"unknown type {token.text!r} (known types: {known})", self.text, token.offset
            )
        return dict(_PRIMITIVES[token.text])

    def literal(self) -> dict[str, Any]:
        return {"type": "string", "enum": [self.advance().text]}

    def group(self) -> dict[str, Any]:
        self.advance()
        schema, optional = self.union()
        self.expect(")", ") to close (")
        return nullable(schema) if optional else schema

    def obj(self) -> dict[str, Any]:
        self.advance()
        properties: dict[str, Any] = {}
        required: list[str] = []
        while self.current.kind != "}":
            self.field(properties, required)
            if self.current.kind == ",":
                self.advance()
            elif self.current.kind != "}" and not self.current.newline_before:
                raise self.fail("expected , or } after a field")
        self.advance()
        return {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }

    def field(self, properties: dict[str, Any], required: list[str]) -> None:
        token = self.current
        if token.kind not in ("name", "string"):
            raise self.fail("expected a field name or }")
        self.advance()
        if token.text in properties:
            raise SchemaSyntaxError(f"duplicate field {token.text!r}", self.text, token.offset)
        optional = self.current.kind == "?"
        if optional:
            self.advance()
        self.expect(":", f"':' after the field name {token.text!r}")
        schema, optional_type = self.union()
        if optional or optional_type:
            properties[token.text] = nullable(schema)
        else:
            properties[token.text] = schema
            required.append(token.text)


_PRIMARIES: Final = {
    "name": _Parser.named,
    "string": _Parser.literal,
    "(": _Parser.group,
    "{": _Parser.obj,
}


def _is_string_enum(schema: dict[str, Any]) -> bool:
    return set(schema) == {"type", "enum"} and schema["type"] == "string"


def _union(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    if all(_is_string_enum(schema) for schema in schemas):
        values: list[Any] = []
        for schema in schemas:
            values.extend(value for value in schema["enum"] if value not in values)
        return {"type": "string", "enum": values}
    return {"anyOf": schemas}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of ``schema`` or ``null``."""
    kind = schema.get("type")
    if kind == "null":
        return schema
    if isinstance(kind, str) and "enum" not in schema:
        return {**schema, "type": [kind, "null"]}
    if "anyOf" in schema and len(schema) == 1:
        if {"type": "null"} in schema["anyOf"]:
            return schema
        return {"anyOf": [*schema["anyOf"], {"type": "null"}]}
    return {"anyOf": [schema, {"type": "null"}]}


def parse_schema_dsl(text: str) -> dict[str, Any]:
    """The JSON Schema for a schema DSL string.

    >>> parse_schema_dsl('{score: integer, tags?: string[]}')["required"]
    ['score']

    Raises:
        SchemaSyntaxError: the text is not a valid schema (with line and column).
    """
    return _Parser(text).schema()


def describe_schema(schema: dict[str, Any]) -> str:
    """Compact JSON of a schema (for prompts and messages)."""
    return json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
