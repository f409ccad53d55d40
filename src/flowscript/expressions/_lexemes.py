"""Numbers and text pieces of the expression lexer (split from :mod:`.lexer` for size).

:data:`MAX_SAFE_INTEGER` is defined here rather than imported from :mod:`.values`, so that
tokenising (and so ``flowscript validate``) does not load the value module.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "MAX_SAFE_INTEGER",
    "NUMBER_RE",
    "is_digit",
    "join_surrogates",
    "literal_value",
    "number_value",
]

MAX_SAFE_INTEGER: Final = 2**53 - 1
"""JavaScript's ``Number.MAX_SAFE_INTEGER`` (the same as ``values.MAX_SAFE_INTEGER``);
integer literals above it become floats."""

NUMBER_RE: Final = re.compile(
    r"0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
)


def is_digit(char: str) -> bool:
    """True for one ASCII digit."""
    return len(char) == 1 and "0" <= char <= "9"


def number_value(source: str) -> int | float | None:
    """The value of a numeric literal such as ``12``, ``1e3`` or ``0x1F``; None if invalid."""
    if not NUMBER_RE.fullmatch(source) or (
        len(source) > 1 and source[0] == "0" and is_digit(source[1])
    ):
        return None
    return literal_value(source)


def literal_value(source: str) -> int | float:
    """The value of a numeric literal already matched by :data:`NUMBER_RE`."""
    prefix = source[:2].lower()
    if prefix in ("0x", "0b", "0o"):
        value = int(source[2:], {"0x": 16, "0b": 2, "0o": 8}[prefix])
    elif "." in source or "e" in source or "E" in source:
        return float(source)
    else:
        value = int(source)
    return value if value <= MAX_SAFE_INTEGER else float(value)


def join_surrogates(text: str) -> str:
    """Combine UTF-16 surrogate pairs from ``\\uD83D\\uDE00``; lone halves become U+FFFD."""
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        pair = text[index + 1 : index + 2]
        if "\ud800" <= char <= "\udbff" and pair and "\udc00" <= pair <= "\udfff":
            out.append(chr(0x10000 + ((ord(char) - 0xD800) << 10) + (ord(pair) - 0xDC00)))
            index += 2
            continue
        out.append("\ufffd" if "\ud800" <= char <= "\udfff" else char)
        index += 1
    return "".join(out)
