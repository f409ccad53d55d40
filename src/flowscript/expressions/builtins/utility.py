"""Utility built-ins (expressions.md §6, **Utility**): JSON, base64, URLs, ids, hashes, JMESPath.

The regular-expression functions of the same category live in
:mod:`flowscript.expressions.builtins.regexp`.
"""

from __future__ import annotations

import json
import math
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import charge_text, text
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import (
    MAX_SAFE_INTEGER,
    UNDEFINED,
    JSFunction,
    plain_json,
    to_int,
    to_json,
)

__all__ = ["BUILTINS", "djb2_xor", "js_json_indent", "parse_json"]

register = Registry("Utility")
BUILTINS: Final = register.builtins

_HASH_ALGORITHMS: Final = ("md5", "sha1", "sha256", "sha512")
_URI_UNRESERVED: Final = "-_.!~*'()"  # what encodeURIComponent leaves alone, besides A-Z a-z 0-9
_MAX_INDENT: Final = 10  # JSON.stringify clamps the indent to 10 (ECMA-262 §25.5.2)


def js_json_indent(indent: Any) -> int | str | None:
    """``JSON.stringify``'s ``space`` argument: a number (clamped to 10) or a string (≤ 10)."""
    if isinstance(indent, str):
        return indent[:_MAX_INDENT] or None
    if isinstance(indent, int | float) and not isinstance(indent, bool):
        count = min(max(to_int(indent), 0), _MAX_INDENT)
        return count or None
    return None


@register("json_encode(v, [indent])", "JSON text of a value (JSON.stringify), indented when asked.")
def _json_encode(sb: Sandbox, v: Any, indent: Any = UNDEFINED) -> Any:
    if v is UNDEFINED or isinstance(v, JSFunction):
        return UNDEFINED
    result = to_json(v, js_json_indent(indent))
    charge_text(sb, len(result))
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _js_int(literal: str) -> float:
    number = int(literal)
    return number if abs(number) <= MAX_SAFE_INTEGER else float(number)


def parse_json(source: str) -> Any:
    """Strict JSON (no ``NaN``/``Infinity``); big integers become floats as in JavaScript.

    Raises:
        ValueError: not valid JSON (including nesting too deep to parse).
    """
    try:
        return json.loads(source, parse_constant=_reject_constant, parse_int=_js_int)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


@register("json_decode(s)", "The value of a JSON text (null when it is not valid JSON).")
def _json_decode(sb: Sandbox, s: Any) -> Any:
    if isinstance(s, list | dict):
        return s
    source = text(s)
    charge_text(sb, len(source))
    try:
        return parse_json(source)
    except ValueError:
        return None


@register("base64_encode(s)", "Base64 of the UTF-8 bytes of a string.")
def _base64_encode(sb: Sandbox, s: Any) -> str:
    import base64

    data = _utf8("base64_encode", text(s))
    sb.check_size(4 * math.ceil(len(data) / 3), "base64_encode() result")
    charge_text(sb, len(data))
    return base64.b64encode(data).decode("ascii")


def _utf8(function: str, value: str) -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ExpressionEvalError(f"{function}(): the string has a lone surrogate") from exc


@register(
    "base64_decode(s)",
    "Decode base64 (standard or URL-safe, padding optional) to a UTF-8 string.",
)
def _base64_decode(sb: Sandbox, s: Any) -> str:
    import base64
    import binascii

    source = "".join(text(s).split()).replace("-", "+").replace("_", "/")
    charge_text(sb, len(source))
    try:
        data = base64.b64decode(source + "=" * (-len(source) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ExpressionEvalError(f"base64_decode(): invalid base64 ({exc})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # binary data: one character per byte, like atob()


@register("url_encode(s)", "Percent-encode a string for a URL component (encodeURIComponent).")
def _url_encode(sb: Sandbox, s: Any) -> str:
    from urllib.parse import quote

    value = text(s)
    _utf8("url_encode", value)
    sb.check_size(9 * len(value), "url_encode() result")
    charge_text(sb, len(value))
    return quote(value, safe=_URI_UNRESERVED)


@register("url_decode(s)", "Decode a percent-encoded string (decodeURIComponent).")
def _url_decode(sb: Sandbox, s: Any) -> str:
    from urllib.parse import unquote

    value = text(s)
    charge_text(sb, len(value))
    return unquote(value)


@register("uuid()", "A random UUID (version 4).")
def _uuid(sb: Sandbox) -> str:
    import uuid

    return str(uuid.uuid4())


def djb2_xor(value: str) -> int:
    """The 32-bit djb2-xor hash over UTF-16 code units: ``h = (h * 33) ^ unit``, from 5381."""
    digest = 5381
    data = value.encode("utf-16-be", "surrogatepass")
    for i in range(0, len(data), 2):
        digest = ((digest * 33) ^ (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return digest


@register(
    "hash(s, [alg])",
    "A 32-bit djb2-xor number, or the md5/sha1/sha256/sha512 hex digest of the UTF-8 bytes.",
)
def _hash(sb: Sandbox, s: Any, alg: Any = UNDEFINED) -> Any:
    value = text(s)
    if alg is UNDEFINED:
        sb.tick(1 + len(value) // 50)
        return djb2_xor(value)
    if alg not in _HASH_ALGORITHMS:
        raise ExpressionEvalError(
            f"hash(): unknown algorithm {text(alg)!r} (use {', '.join(_HASH_ALGORITHMS)})"
        )
    import hashlib

    charge_text(sb, len(value))
    return hashlib.new(alg, _utf8("hash", value)).hexdigest()


@register("pretty(v, [indent=2])", "Indented JSON text of a value, for humans.")
def _pretty(sb: Sandbox, v: Any, indent: Any = UNDEFINED) -> str:
    result = to_json(v, js_json_indent(2 if indent is UNDEFINED else indent))
    charge_text(sb, len(result))
    return result


@register("jmespath(value, expr)", "Query a value with a JMESPath expression.")
def _jmespath(sb: Sandbox, value: Any, expr: Any) -> Any:
    import jmespath
    from jmespath.exceptions import JMESPathError

    if not isinstance(expr, str):
        raise ExpressionEvalError("jmespath() expects the expression as a string")
    sb.tick(10)
    try:
        result = jmespath.search(expr, plain_json(value))
    except JMESPathError as exc:
        raise ExpressionEvalError(f"jmespath(): {exc}") from exc
    return plain_json(result)
