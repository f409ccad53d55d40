"""String built-ins (expressions.md §6, **String**).

``null``/``undefined`` read as ``""``; other values are converted with JavaScript ``String()``.
Lengths and indexes count Unicode code points (so an emoji is one character and ``truncate``
never cuts one in half).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import (
    JS_WHITESPACE,
    charge_text,
    is_nullish,
    same_value_zero,
    substring_bounds,
    text,
)
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import UNDEFINED, to_int, to_number, to_string

__all__ = ["BUILTINS", "pad", "repeat_text", "replace_all_literal"]

register = Registry("String")
BUILTINS: Final = register.builtins

_SLUG_SEPARATORS: Final = re.compile(r"[^a-z0-9]+")
_WORD: Final = re.compile(r"\S+")


@register("upper(s)", "Convert a string to upper case.")
def _upper(sb: Sandbox, s: Any) -> str:
    value = text(s)
    charge_text(sb, len(value))
    return value.upper()


@register("lower(s)", "Convert a string to lower case.")
def _lower(sb: Sandbox, s: Any) -> str:
    value = text(s)
    charge_text(sb, len(value))
    return value.lower()


@register("trim(s)", "Remove whitespace from both ends of a string.")
def _trim(sb: Sandbox, s: Any) -> str:
    return text(s).strip(JS_WHITESPACE)


def replace_all_literal(sb: Sandbox, value: str, old: str, new: str) -> str:
    """Replace every occurrence of ``old`` (an empty ``old`` matches between characters)."""
    count = value.count(old)
    sb.check_size(len(value) + count * (len(new) - len(old)), "replace() result")
    charge_text(sb, len(value) + count * len(new))
    return value.replace(old, new)


@register("replace(s, old, new)", "Replace every occurrence of old (literal text) with new.")
def _replace(sb: Sandbox, s: Any, old: Any, new: Any) -> str:
    if is_nullish(old):
        return text(s)
    return replace_all_literal(sb, text(s), to_string(old), text(new))


@register("split(s, sep)", 'Split a string into an array at each sep ("" splits characters).')
def _split(sb: Sandbox, s: Any, sep: Any) -> list[Any]:
    if is_nullish(s):
        return []
    value = to_string(s)
    charge_text(sb, len(value))
    if is_nullish(sep):
        return [value]
    separator = to_string(sep)
    return list(value) if separator == "" else value.split(separator)


@register('join(arr, [sep=","])', "Join array items into a string with sep between them.")
def _join(sb: Sandbox, arr: Any, sep: Any = UNDEFINED) -> str:
    if not isinstance(arr, list):
        return text(arr)
    separator = "," if sep is UNDEFINED else text(sep)
    sb.tick(len(arr))
    parts = [text(item) for item in arr]
    sb.check_size(sum(map(len, parts)) + len(separator) * max(len(parts) - 1, 0), "join() result")
    return separator.join(parts)


@register(
    'truncate(s, len, [suffix="..."])',
    "Shorten a string to at most len characters, ending with suffix when cut.",
)
def _truncate(sb: Sandbox, s: Any, length: Any, suffix: Any = UNDEFINED) -> str:
    value = text(s)
    limit = max(to_int(length), 0)
    if len(value) <= limit:
        return value
    tail = "..." if suffix is UNDEFINED else text(suffix)
    if len(tail) > limit:
        return value[:limit]
    return value[: limit - len(tail)] + tail


@register(
    "concat(...values)",
    "Concatenate: arrays into one array when every value is an array, else as strings.",
)
def _concat(sb: Sandbox, *values: Any) -> Any:
    if values and all(isinstance(v, list) for v in values):
        sb.check_size(sum(len(v) for v in values), "concat() result")
        sb.tick(len(values))
        return [item for v in values for item in v]
    parts = [text(v) for v in values]
    sb.check_size(sum(map(len, parts)), "concat() result")
    return "".join(parts)


@register("includes(s, sub)", "Whether a string contains sub (or an array contains the value).")
def _includes(sb: Sandbox, s: Any, sub: Any) -> bool:
    if isinstance(s, list):
        sb.tick(len(s))
        return any(same_value_zero(item, sub) for item in s)
    if is_nullish(s):
        return False
    return to_string(sub) in to_string(s)


@register("starts_with(s, p)", "Whether a string starts with p.")
def _starts_with(sb: Sandbox, s: Any, p: Any) -> bool:
    return not is_nullish(s) and to_string(s).startswith(to_string(p))


@register("ends_with(s, p)", "Whether a string ends with p.")
def _ends_with(sb: Sandbox, s: Any, p: Any) -> bool:
    return not is_nullish(s) and to_string(s).endswith(to_string(p))


@register(
    "substring(s, start, [end])",
    "The characters from start up to (not including) end; negatives count as 0.",
)
def _substring(sb: Sandbox, s: Any, start: Any, end: Any = UNDEFINED) -> str:
    value = text(s)
    low, high = substring_bounds(len(value), start, end)
    return value[low:high]


def pad(sb: Sandbox, value: str, length: Any, fill: Any, *, at_start: bool) -> str:
    """``padStart``/``padEnd``: repeat ``fill`` (default a space) up to ``length`` characters."""
    target = to_int(length)
    filler = " " if fill is UNDEFINED else to_string(fill)
    if target <= len(value) or filler == "":
        return value
    sb.check_size(target, "padded string")
    charge_text(sb, target)
    count = target - len(value)
    padding = (filler * (count // len(filler) + 1))[:count]
    return padding + value if at_start else value + padding


@register(
    'pad_start(s, len, [fill=" "])', "Pad the start of a string with fill up to len characters."
)
def _pad_start(sb: Sandbox, s: Any, length: Any, fill: Any = UNDEFINED) -> str:
    return pad(sb, text(s), length, fill, at_start=True)


@register('pad_end(s, len, [fill=" "])', "Pad the end of a string with fill up to len characters.")
def _pad_end(sb: Sandbox, s: Any, length: Any, fill: Any = UNDEFINED) -> str:
    return pad(sb, text(s), length, fill, at_start=False)


def repeat_text(sb: Sandbox, function: str, value: str, times: Any) -> str:
    """``value`` repeated ``times`` times; negative or infinite counts are an error."""
    count = to_number(times)
    if count != count:
        count = 0
    if count < 0 or count == float("inf"):
        raise ExpressionEvalError(f"{function}: invalid count {to_string(times)}")
    if value == "":
        return ""
    sb.check_size(len(value) * int(count), f"{function} result")
    charge_text(sb, len(value) * int(count))
    return value * int(count)


@register("repeat(s, n)", "The string repeated n times.")
def _repeat(sb: Sandbox, s: Any, n: Any) -> str:
    return repeat_text(sb, "repeat()", text(s), n)


@register("char_at(s, i)", 'The character at index i ("" when out of range).')
def _char_at(sb: Sandbox, s: Any, i: Any) -> str:
    value = text(s)
    index = to_int(i)
    return value[index] if 0 <= index < len(value) else ""


@register("len(s)", "Length of a string (also of an array, or the key count of an object).")
def _len(sb: Sandbox, s: Any) -> int:
    if isinstance(s, str | list | dict):
        return len(s)
    return len(text(s))


@register("slugify(s)", 'A URL slug: "Héllo, World!" → "hello-world".')
def _slugify(sb: Sandbox, s: Any) -> str:
    value = text(s)
    charge_text(sb, len(value))
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")
    return _SLUG_SEPARATORS.sub("-", ascii_text.lower()).strip("-")


@register("capitalize(s)", "Upper-case the first character; the rest is unchanged.")
def _capitalize(sb: Sandbox, s: Any) -> str:
    value = text(s)
    return value[:1].upper() + value[1:]


@register("title(s)", "Title Case: each word capitalized, the rest of each word lower case.")
def _title(sb: Sandbox, s: Any) -> str:
    value = text(s)
    charge_text(sb, len(value))
    return _WORD.sub(lambda m: m[0][:1].upper() + m[0][1:].lower(), value)
