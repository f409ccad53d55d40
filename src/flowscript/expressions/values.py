"""JavaScript value semantics over plain Python values.

Representation (expressions.md §3):

=============  ==============================================
JavaScript     Python
=============  ==============================================
undefined      :data:`UNDEFINED` (a falsy singleton)
null           ``None``
boolean        ``bool``
number         ``int`` or ``float`` (``bool`` is never a number here)
string         ``str``
array          ``list`` (a regex match: :class:`MatchArray`, a ``list`` subclass)
object         ``dict`` with ``str`` keys
function       :class:`JSFunction`
=============  ==============================================

Integral numbers may be ``int`` or ``float``; every place that shows a number (strings, JSON)
formats it the way JavaScript does, so ``2.0`` prints as ``2`` and integers stay integral.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, ClassVar, Final

__all__ = [
    "MAX_SAFE_INTEGER",
    "UNDEFINED",
    "JSFunction",
    "MatchArray",
    "deep_equal",
    "is_array",
    "is_number",
    "is_object",
    "js_typeof",
    "json_bytes",
    "loose_equals",
    "number_to_string",
    "plain_json",
    "relational",
    "strict_equals",
    "to_int",
    "to_json",
    "to_number",
    "to_primitive",
    "to_string",
    "truthy",
]

MAX_SAFE_INTEGER: Final = 2**53 - 1


class _Undefined:
    """JavaScript ``undefined``: falsy, equal only to itself and (loosely) to ``null``."""

    __slots__ = ()
    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "undefined"

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED: Final = _Undefined()


class JSFunction:
    """A callable value: an arrow function or a built-in referenced as a value.

    Subclasses implement :meth:`call`; they run inside the evaluator's sandbox limits.
    """

    __slots__ = ()
    name: str = "anonymous"
    arity: int = 0

    def call(self, args: Sequence[Any]) -> Any:  # pragma: no cover - abstract
        """Call the function with JavaScript arguments."""
        raise NotImplementedError  # abstract

    def __repr__(self) -> str:
        return f"<function {self.name}>"


class MatchArray(list[Any]):
    """A regular-expression match: the array ``[full match, group 1, …]`` plus JavaScript's
    ``index``, ``input`` and ``groups`` properties (``match``/``match_all``, expressions.md §6).

    It is an array everywhere else (``typeof``, ``length``, indexing, methods, equality, spread)
    and serialises as the plain array, as ``JSON.stringify`` does; only member access reads the
    extra properties (:meth:`member`). Array operations that build a new array (``slice``,
    ``map``…) return plain lists, as JavaScript's do.

    Attributes:
        start: JavaScript ``index``: where the match starts in ``subject`` (in code points, like
            every string index here). Not named ``index``, which would hide ``list.index``.
        subject: JavaScript ``input``: the searched string.
        groups: named groups (name → text, ``undefined`` when the group did not take part), or
            ``undefined`` when the pattern has no named group.
    """

    __slots__ = ("groups", "start", "subject")
    _PROPERTIES: ClassVar[Mapping[str, str]] = {
        "index": "start",
        "input": "subject",
        "groups": "groups",
    }

    def __init__(
        self, items: Sequence[Any], start: int, subject: str, groups: dict[str, Any] | _Undefined
    ) -> None:
        super().__init__(items)
        self.start = start
        self.subject = subject
        self.groups = groups

    def has_member(self, name: str) -> bool:
        """``name in match``: true for ``index``, ``input`` and ``groups`` (even when
        ``groups`` is ``undefined``, as in JavaScript)."""
        return name in self._PROPERTIES

    def member(self, name: str) -> Any:
        """The JavaScript property ``index``, ``input`` or ``groups``; else ``undefined``."""
        attribute = self._PROPERTIES.get(name)
        return UNDEFINED if attribute is None else getattr(self, attribute)


def is_number(value: Any) -> bool:
    """True for ``int``/``float`` but not ``bool``."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_array(value: Any) -> bool:
    """True for lists."""
    return isinstance(value, list)


def is_object(value: Any) -> bool:
    """True for plain objects (dicts)."""
    return isinstance(value, dict)


def truthy(value: Any) -> bool:
    """JavaScript truthiness: ``[]`` and ``{}`` are truthy; ``0``, ``NaN``, ``""`` are not."""
    if value is None or value is UNDEFINED or value is False:
        return False
    if value is True:
        return True
    if isinstance(value, int | float):
        return not (value == 0 or value != value)
    if isinstance(value, str):
        return value != ""
    return True


def js_typeof(value: Any) -> str:
    """``typeof`` with ``"null"`` and ``"array"`` distinguished (expressions.md §1)."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, JSFunction):
        return "function"
    return "object"


def number_to_string(value: float) -> str:
    """Format a number exactly as JavaScript's ``Number.prototype.toString()`` does."""
    if isinstance(value, int):
        if abs(value) < 10**21:
            return str(value)
        value = float(value)
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    # repr() gives the shortest digits that round-trip, which is what ECMAScript asks for;
    # only the placement of the decimal point and the exponent syntax differ.
    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    k = len(digits)
    n = exponent + len(digit_tuple)  # position of the decimal point
    prefix = "-" if sign else ""
    if k <= n <= 21:
        return prefix + digits + "0" * (n - k)
    if 0 < n <= 21:
        return prefix + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return prefix + "0." + "0" * (-n) + digits
    e = n - 1
    exp = f"e{'+' if e >= 0 else '-'}{abs(e)}"
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return prefix + mantissa + exp


def to_primitive(value: Any) -> Any:
    """JavaScript ``ToPrimitive``: arrays and objects become their string form."""
    if isinstance(value, list | dict | JSFunction):
        return to_string(value)
    return value


def to_string(value: Any) -> str:
    """JavaScript ``String(value)`` (arrays join with ``,``; objects are ``[object Object]``)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else to_string(v) for v in value)
    if isinstance(value, JSFunction):
        return f"function {value.name}() {{ [native code] }}"
    return "[object Object]"


_DECIMAL_RE = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)")
_RADIX_RE = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_JS_WHITESPACE = " \t\n\r\v\f\u00a0\ufeff\u2028\u2029"


def to_number(value: Any) -> float:
    """JavaScript ``Number(value)``: ``null`` → 0, ``undefined`` → NaN, ``"12"`` → 12."""
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, int | float):
        return value
    if value is None:
        return 0
    if isinstance(value, str):
        text = value.strip(_JS_WHITESPACE)
        if text == "":
            return 0
        if _DECIMAL_RE.fullmatch(text):
            if "Infinity" in text:
                return -math.inf if text.startswith("-") else math.inf
            if text.lstrip("+-").isdigit():
                number = int(text)
                return number if abs(number) <= MAX_SAFE_INTEGER else float(number)
            return float(text)
        radix = _RADIX_RE.fullmatch(text)
        if radix:
            base = {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()]
            try:
                return int(radix.group(2), base)
            except ValueError:
                return math.nan
        return math.nan
    if isinstance(value, list | dict):
        return to_number(to_primitive(value))
    return math.nan


def to_int(value: Any, default: int = 0) -> int:
    """``ToIntegerOrInfinity`` clamped to a Python int (NaN → ``default``)."""
    number = to_number(value)
    if number != number:
        return default
    if number in (math.inf, -math.inf):
        return 2**63 if number > 0 else -(2**63)
    return int(number)


def strict_equals(left: Any, right: Any) -> bool:
    """JavaScript ``===``: same type and value; arrays/objects by identity; NaN ≠ NaN."""
    if isinstance(left, bool) or isinstance(right, bool):
        return left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return bool(left == right)
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list | dict | JSFunction) or isinstance(right, list | dict | JSFunction):
        return left is right
    return left is right  # null, undefined


def loose_equals(left: Any, right: Any) -> bool:
    """JavaScript ``==`` (the abstract equality algorithm)."""
    left_nullish = left is None or left is UNDEFINED
    right_nullish = right is None or right is UNDEFINED
    if left_nullish or right_nullish:
        return left_nullish and right_nullish
    if js_typeof(left) == js_typeof(right):
        return strict_equals(left, right)
    if isinstance(left, bool):
        return loose_equals(to_number(left), right)
    if isinstance(right, bool):
        return loose_equals(left, to_number(right))
    if is_number(left) and isinstance(right, str):
        return bool(left == to_number(right))
    if isinstance(left, str) and is_number(right):
        return bool(to_number(left) == right)
    if isinstance(left, list | dict) and not isinstance(right, list | dict):
        return loose_equals(to_primitive(left), right)
    if isinstance(right, list | dict) and not isinstance(left, list | dict):
        return loose_equals(left, to_primitive(right))
    return False


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def relational(op: str, left: Any, right: Any) -> bool:
    """JavaScript ``<``, ``>``, ``<=``, ``>=`` with their coercions."""
    left = to_primitive(left)
    right = to_primitive(right)
    if isinstance(left, str) and isinstance(right, str):
        if any(ord(c) > 0xFFFF for c in left + right):
            a: Any = _utf16(left)
            b: Any = _utf16(right)
        else:
            a, b = left, right
    else:
        a, b = to_number(left), to_number(right)
        if a != a or b != b:
            return False
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def deep_equal(left: Any, right: Any) -> bool:
    """Structural equality used by ``equals``, ``unique`` and ``contains``."""
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(deep_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(deep_equal(left[k], right[k]) for k in left)
    if is_number(left) and is_number(right):
        return bool(left == right) or (left != left and right != right)
    return strict_equals(left, right)


def plain_json(value: Any, js_numbers: list[bool] | None = None) -> Any:
    """Convert a value to plain JSON-compatible Python data, as ``JSON.stringify`` would.

    ``undefined`` and functions disappear from objects and become ``null`` in arrays;
    ``NaN``/``Infinity`` become ``null``; integral floats become ints. When ``js_numbers`` is
    given, ``True`` is appended to it for every number whose JavaScript text differs from
    Python's (see :func:`json_bytes` ``plain``).
    """
    return _plain(value, js_numbers)


# Python's float repr and JavaScript's number formatting agree on everything except where
# they switch to exponent notation: Python below 1e-4 and from 1e16, JavaScript below 1e-6 and
# from 1e21. Numbers in between can go through the C JSON encoder unchanged.
_SAME_FORMAT_LOW: Final = 1e-4
_SAME_FORMAT_HIGH: Final = 1e16


def _plain(value: Any, js_numbers: list[bool] | None) -> Any:
    """:func:`plain_json`; appends to ``js_numbers`` when a number needs JS formatting.

    Exact-type tests come first: they are what state values almost always are, and they cost a
    fraction of ``isinstance`` against a union or the ``Mapping`` ABC (measured: 6.2 → 3.9 µs
    for a journal record).
    """
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is dict:
        return {
            k if type(k) is str else str(k): _plain(v, js_numbers)
            for k, v in value.items()
            if v is not UNDEFINED and not isinstance(v, JSFunction)
        }
    if kind is list:
        return _plain_items(value, js_numbers)
    if kind is int:
        if js_numbers is not None and not -_JS_PLAIN_INT < value < _JS_PLAIN_INT:
            js_numbers.append(True)
        return value
    if kind is float:
        return _plain_float(value, js_numbers)
    return _plain_other(value, js_numbers)


_JS_PLAIN_INT: Final = 10**21


def _plain_float(value: float, js_numbers: list[bool] | None) -> Any:
    if value != value or value in (math.inf, -math.inf):
        return None
    if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER:
        return int(value)
    if js_numbers is not None and not _SAME_FORMAT_LOW <= abs(value) < _SAME_FORMAT_HIGH:
        js_numbers.append(True)
    return value


def _plain_items(value: Sequence[Any], js_numbers: list[bool] | None) -> list[Any]:
    return [
        None if v is UNDEFINED or isinstance(v, JSFunction) else _plain(v, js_numbers)
        for v in value
    ]


def _plain_other(value: Any, js_numbers: list[bool] | None) -> Any:
    """Subclasses of the JSON types, tuples and other mappings; anything else is ``null``."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return _plain(int(value), js_numbers)
    if isinstance(value, float):
        return _plain_float(float(value), js_numbers)
    if isinstance(value, list | tuple):
        return _plain_items(value, js_numbers)
    if isinstance(value, Mapping):
        return _plain(dict(value.items()), js_numbers)
    return None


def to_json(value: Any, indent: int | str | None = None) -> str:
    """``JSON.stringify(value, null, indent)``: compact by default, JS number formatting.

    Returns ``"null"`` for ``undefined`` (the CLI prints ``undefined`` as ``null``).
    """
    return json_bytes(value, indent).decode("utf-8", "surrogatepass")


def json_bytes(value: Any, indent: int | str | None = None, *, plain: bool = False) -> bytes:
    """:func:`to_json` as UTF-8 bytes (lone surrogates, which UTF-8 cannot hold, kept as is).

    ``plain=True`` promises that ``value`` is already :func:`plain_json` data in which no number
    needs JavaScript's formatting (or that the caller does not need it, as for data only ever
    read back by a JSON parser), which skips a walk over the data.

    Uses orjson (a C encoder, with 2-space indentation built in) unless a number needs
    JavaScript's formatting, an integer exceeds 64 bits or a string holds a lone surrogate;
    then the standard library's encoder or our own writer. Measured on journal records: 0.4 µs
    with orjson against 6 µs for ``json.dumps`` (benchmarks/NOTES.md).
    """
    js_numbers: list[bool] = []
    data = value if plain else _plain(value, js_numbers)
    if not js_numbers:
        fast = _orjson_dumps(data, indent)
        if fast is not None:
            return fast
        if indent is None or indent == "":
            text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        else:
            text = json.dumps(data, ensure_ascii=False, indent=indent)
        return text.encode("utf-8", "surrogatepass")
    parts: list[str] = []
    pad = " " * indent if isinstance(indent, int) else (indent or "")
    _write_json(data, parts, pad, "")
    return "".join(parts).encode("utf-8", "surrogatepass")


def _orjson_dumps(data: Any, indent: int | str | None) -> bytes | None:
    """orjson's encoding of plain data, or ``None`` when it cannot produce ours."""
    if indent not in (None, "", 2):
        return None
    import orjson  # late: 18 ms to import, and start-up paths never encode JSON

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 if indent == 2 else 0)
    except TypeError:  # an integer beyond 64 bits, or a lone surrogate
        return None


def _write_json(value: Any, out: list[str], pad: str, current: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, int | float):
        out.append(number_to_string(value))
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = current + pad
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            if pad:
                out.append("\n" + inner)
            _write_json(item, out, pad, inner)
        out.append(("\n" + current if pad else "") + "]")
    else:
        if not value:
            out.append("{}")
            return
        inner = current + pad
        out.append("{")
        for i, (key, item) in enumerate(value.items()):
            if i:
                out.append(",")
            if pad:
                out.append("\n" + inner)
            out.append(json.dumps(key, ensure_ascii=False) + (": " if pad else ":"))
            _write_json(item, out, pad, inner)
        out.append(("\n" + current if pad else "") + "}")
