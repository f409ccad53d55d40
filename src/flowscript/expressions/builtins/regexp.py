"""Regular-expression built-ins ``match``, ``test``, ``match_all`` (expressions.md §6, **Utility**).

Patterns use JavaScript syntax and are translated for the ``regex`` package:

* named groups ``(?<n>…)`` → ``(?P<n>…)``, backreferences ``\\k<n>`` → ``(?P=n)``;
* ``\\d \\w \\b`` keep their ASCII meaning, ``\\s`` its JavaScript whitespace set, ``.`` stops at
  all JavaScript line terminators, ``^``/``$`` are anchored to the whole text unless ``m``;
* ``[^]`` (any character), ``[]`` (nothing), ``\\cX``, ``\\0``, ``\\u{…}`` (with ``u``) and
  JavaScript's identity escapes (``\\e`` is ``e``).

Flags come from a ``"/pattern/flags"`` string (a string that starts with ``/`` and ends with
``/`` plus JavaScript flag letters) or a third argument: ``i`` (ignore case), ``m``
(multiline), ``s`` (dot matches newlines), ``u`` (unicode escapes), ``g`` (global, for
``match``). The sticky flag ``y`` and the ``d``/``v`` flags, and Python-only group syntax
(``(?P…)``, inline flags, atomic groups), are refused with a clear error.

Every match runs with the ``regex`` package's ``timeout`` set from
``sandbox.limits.regex_timeout``, so a catastrophic pattern fails with ``EXPR_LIMIT_EXCEEDED``
instead of hanging the engine.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.builtins._registry import Registry
from flowscript.expressions.builtins._support import JS_WHITESPACE, text
from flowscript.expressions.sandbox import Sandbox
from flowscript.expressions.values import UNDEFINED, MatchArray

if TYPE_CHECKING:
    import regex

__all__ = ["BUILTINS", "JSRegex", "compile_js_regex", "match_array", "match_groups"]

register = Registry("Utility")
BUILTINS: Final = register.builtins

_WORD: Final = "A-Za-z0-9_"
_NOT_DIGIT: Final = r"\x00-\x2f\x3a-\U0010ffff"
_NOT_WORD: Final = r"\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\U0010ffff"
_SPACE: Final = "".join(f"\\u{ord(c):04x}" for c in JS_WHITESPACE)
_TERMINATORS: Final = r"\n\r\u2028\u2029"
_OUTSIDE: Final = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_SPACE}]",
    "S": f"[^{_SPACE}]",
    "b": f"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))",
    "B": f"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))",
}
_INSIDE: Final = {
    "d": "0-9",
    "D": _NOT_DIGIT,
    "w": _WORD,
    "W": _NOT_WORD,
    "s": _SPACE,
    "b": r"\x08",
}
_KEPT_ESCAPES: Final = frozenset("nrtvfxuS123456789pP")
_FLAGS: Final = frozenset("gimsu")
_LITERAL_FORM: Final = re.compile(r"/(?P<body>.*)/(?P<flags>[dgimsuvy]*)", re.DOTALL)
_GROUP_NAME: Final = re.compile(r"<([A-Za-z_$][\w$]*)>")


@dataclass(frozen=True, slots=True)
class JSRegex:
    """A compiled JavaScript regular expression.

    Attributes:
        source: the pattern as written.
        flags: the JavaScript flags, sorted.
        compiled: the translated ``regex`` pattern.
    """

    source: str
    flags: str
    compiled: regex.Pattern[str]

    @property
    def is_global(self) -> bool:
        """Whether the ``g`` flag is set."""
        return "g" in self.flags


def _invalid(source: str, reason: str) -> ExpressionEvalError:
    return ExpressionEvalError(f"invalid regular expression /{source}/: {reason}")


class _Translator:
    """Rewrites a JavaScript pattern into ``regex`` syntax, one token at a time."""

    def __init__(self, source: str, flags: str) -> None:
        self.source = source
        self.flags = flags
        self.pos = 0
        self.out: list[str] = []
        self.in_class = False

    def run(self) -> str:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            self.pos += 1
            handler = self._HANDLERS.get(char)
            if handler is None:
                self.out.append(char)
            else:
                handler(self, char)
        if self.in_class:
            raise _invalid(self.source, "missing ] at the end of a character class")
        return "".join(self.out)

    def _escape(self, _: str) -> None:
        if self.pos >= len(self.source):
            raise _invalid(self.source, "\\ at end of pattern")
        char = self.source[self.pos]
        self.pos += 1
        table = _INSIDE if self.in_class else _OUTSIDE
        if char in table:
            self.out.append(table[char])
        elif char == "k" and not self.in_class:
            self._backreference()
        elif char == "c" and self.pos < len(self.source) and self.source[self.pos].isalpha():
            self.out.append(f"\\x{ord(self.source[self.pos]) % 32:02x}")
            self.pos += 1
        elif char == "0" and not self.source[self.pos : self.pos + 1].isdigit():
            self.out.append(r"\x00")
        elif char == "u" and "u" in self.flags and self.source[self.pos : self.pos + 1] == "{":
            self._code_point()
        elif char in _KEPT_ESCAPES:
            self.out.append("\\" + char)
        else:  # identity escape: \/ is "/", \e is "e"
            self.out.append(re.escape(char))

    def _backreference(self) -> None:
        name = _GROUP_NAME.match(self.source, self.pos)
        if name is None:
            raise _invalid(self.source, "\\k must be followed by <name>")
        self.out.append(f"(?P={name[1]})")
        self.pos = name.end()

    def _code_point(self) -> None:
        end = self.source.find("}", self.pos)
        digits = self.source[self.pos + 1 : end] if end > 0 else ""
        if not digits or len(digits) > 6 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _invalid(self.source, "invalid \\u{...} escape")
        self.out.append(f"\\U{int(digits, 16):08x}")
        self.pos = end + 1

    def _open_class(self, char: str) -> None:
        if self.in_class:
            self.out.append(r"\[")
            return
        rest = self.source[self.pos : self.pos + 2]
        if rest.startswith("]"):
            self.out.append("(?!)")
            self.pos += 1
        elif rest == "^]":
            self.out.append(r"[\s\S]")
            self.pos += 2
        else:
            self.in_class = True
            self.out.append("[")
            if rest.startswith("^"):
                self.out.append("^")
                self.pos += 1

    def _close_class(self, char: str) -> None:
        self.in_class = False
        self.out.append("]")

    def _group(self, char: str) -> None:
        if self.in_class:
            self.out.append(r"\(")
            return
        rest = self.source[self.pos : self.pos + 3]
        if not rest.startswith("?") or rest[:2] in ("?:", "?=", "?!") or rest in ("?<=", "?<!"):
            self.out.append("(")
        elif rest.startswith("?<"):
            self.out.append("(?P")
            self.pos += 1
        else:
            raise _invalid(self.source, f"unsupported group syntax ({rest}")

    def _dot(self, char: str) -> None:
        if self.in_class:
            self.out.append(".")
        else:
            self.out.append(r"[\s\S]" if "s" in self.flags else f"[^{_TERMINATORS}]")

    def _caret(self, char: str) -> None:
        if self.in_class or "m" not in self.flags:
            self.out.append("^")
        else:
            self.out.append(f"(?<![^{_TERMINATORS}])")

    def _dollar(self, char: str) -> None:
        if self.in_class:
            self.out.append("$")
        elif "m" in self.flags:
            self.out.append(f"(?![^{_TERMINATORS}])")
        else:
            self.out.append(r"(?![\s\S])")

    def _class_punctuation(self, char: str) -> None:
        self.out.append("\\" + char if self.in_class else char)

    _HANDLERS: Final[dict[str, Callable[[_Translator, str], None]]] = {
        "\\": _escape,
        "[": _open_class,
        "]": _close_class,
        "(": _group,
        ".": _dot,
        "^": _caret,
        "$": _dollar,
        "&": _class_punctuation,
        "~": _class_punctuation,
        "|": _class_punctuation,
    }


def _check_flags(source: str, flags: str) -> str:
    for flag in flags:
        if flag == "y":
            raise _invalid(source, "the sticky flag y is not supported")
        if flag not in _FLAGS:
            raise _invalid(source, f"unsupported flag {flag!r} (use g, i, m, s, u)")
    if len(set(flags)) != len(flags):
        raise _invalid(source, f"duplicate flags {flags!r}")
    return "".join(sorted(flags))


@functools.lru_cache(maxsize=256)
def compile_js_regex(pattern: str, flags: str = "") -> JSRegex:
    """Compile a JavaScript pattern (``"a+"`` or ``"/a+/gi"``) with extra ``flags``.

    Raises:
        ExpressionEvalError: invalid or unsupported pattern or flags.
    """
    import regex

    literal = _LITERAL_FORM.fullmatch(pattern) if pattern.startswith("/") else None
    source = literal["body"] if literal else pattern
    all_flags = _check_flags(source, (literal["flags"] if literal else "") + flags)
    translated = _Translator(source, all_flags).run()
    try:
        compiled = regex.compile(translated, regex.IGNORECASE if "i" in all_flags else 0)
    except regex.error as exc:
        raise _invalid(source, str(exc)) from exc
    return JSRegex(source, all_flags, compiled)


def _js_regex(function: str, pattern: Any, flags: Any) -> JSRegex:
    if not isinstance(pattern, str):
        raise ExpressionEvalError(f"{function}() expects the pattern as a string")
    return compile_js_regex(pattern, "" if flags is UNDEFINED else text(flags))


def _timed(sb: Sandbox, operation: Callable[[float], Any]) -> Any:
    try:
        return operation(sb.limits.regex_timeout)
    except TimeoutError as exc:
        raise LimitExceededError(
            f"regular expression took too long (more than {sb.limits.regex_timeout}s)"
        ) from exc


def match_groups(match: regex.Match[str]) -> list[Any]:
    """``[full match, group 1, …]``; groups that did not take part are ``undefined``."""
    return [match.group(0), *(UNDEFINED if g is None else g for g in match.groups())]


def match_array(match: regex.Match[str]) -> MatchArray:
    """:func:`match_groups` with JavaScript's ``index``, ``input`` and ``groups`` properties.

    ``groups`` maps each named group, in pattern order, to its text (``undefined`` when it did
    not take part); it is ``undefined`` when the pattern has no named group.
    """
    names = sorted(match.re.groupindex.items(), key=lambda item: item[1])
    groups: Any = (
        {name: _group_text(match, number) for name, number in names} if names else UNDEFINED
    )
    return MatchArray(match_groups(match), match.start(), match.string, groups)


def _group_text(match: regex.Match[str], number: int) -> Any:
    value = match.group(number)
    return UNDEFINED if value is None else value


def _all_matches(sb: Sandbox, js: JSRegex, subject: str) -> list[regex.Match[str]]:
    def run(timeout: float) -> list[regex.Match[str]]:
        found = []
        for match in js.compiled.finditer(subject, timeout=timeout):
            sb.tick()
            found.append(match)
        return found

    result: list[regex.Match[str]] = _timed(sb, run)
    return result


@register(
    "match(s, regex, [flags])",
    "First match as [full, ...groups] (with .index, .input, .groups) or null; g: all matches.",
)
def _match(sb: Sandbox, s: Any, pattern: Any, flags: Any = UNDEFINED) -> Any:
    """``String.prototype.match``: ``[full match, group 1, …]`` (unmatched groups are
    ``undefined``) with ``index``, ``input`` and ``groups``, or ``null``; with ``g``, the plain
    array of every full match, or ``null``."""
    js = _js_regex("match", pattern, flags)
    subject = text(s)
    if js.is_global:
        found = _all_matches(sb, js, subject)
        return [m.group(0) for m in found] if found else None
    match = _timed(sb, lambda timeout: js.compiled.search(subject, timeout=timeout))
    return None if match is None else match_array(match)


@register("test(s, regex, [flags])", "Whether the regular expression matches somewhere in s.")
def _test(sb: Sandbox, s: Any, pattern: Any, flags: Any = UNDEFINED) -> bool:
    js = _js_regex("test", pattern, flags)
    subject = text(s)
    return _timed(sb, lambda timeout: js.compiled.search(subject, timeout=timeout)) is not None


@register(
    "match_all(s, regex, [flags])",
    "Every match, each as [full, ...groups] with .index, .input and .groups.",
)
def _match_all(sb: Sandbox, s: Any, pattern: Any, flags: Any = UNDEFINED) -> list[Any]:
    js = _js_regex("match_all", pattern, flags)
    return [match_array(m) for m in _all_matches(sb, js, text(s))]
