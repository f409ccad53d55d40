"""What a mock does: the value written under a node id in a case's ``mocks``.

- any value: the node's output (every attempt, every iteration);
- ``{$error: {type, message, retryable, status, retry-after, details}}`` (or
  ``{$error: TYPE}``): the node fails with that error, at every attempt;
- ``{$attempts: [a, b, …]}``: attempt *n* answers with item *n* (an output, an ``$error``
  or an ``$output``); the last item answers every later attempt;
- ``{$output: VALUE}``: ``VALUE`` as the output, written explicitly — for an output that is
  itself a mapping with a ``$error``, ``$attempts`` or ``$output`` key.

The ``$`` keys are only read when they are the mapping's only key; a mapping that mixes one
with other keys is refused, so a mock is never read as a failure by accident.

A mocked error's ``retry-after`` defaults to 0: a retried node is retried at once instead of
waiting its backoff (a test checks how many attempts were made, not how long they took).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from flowscript.errors import NodeError

__all__ = ["ERROR_KEY", "MockError", "MockShapeError", "MockSpec", "parse_error", "parse_mock"]

ERROR_KEY: Final = "$error"
OUTPUT_KEY: Final = "$output"
ATTEMPTS_KEY: Final = "$attempts"
_RESERVED: Final = (ERROR_KEY, OUTPUT_KEY, ATTEMPTS_KEY)
_ERROR_FIELDS: Final = ("type", "message", "retryable", "status", "retry-after", "details")


class MockShapeError(ValueError):
    """A mock value that cannot be read; ``str()`` says why, ``hints`` how to fix it."""

    def __init__(self, message: str, *hints: str) -> None:
        super().__init__(message)
        self.hints = hints


@dataclass(frozen=True, slots=True, kw_only=True)
class MockError:
    """A mocked failure: the node fails with this error instead of running its runtime.

    Attributes:
        type: the error type (``http.status``, ``timeout.attempt`` …).
        message: the error message.
        retryable: whether ``<retry when="retryable">`` (the default) retries it.
        status: an HTTP-like status (``$error.status``), if any.
        retry_after: seconds before the next attempt (``None``: the node's backoff).
        details: extra data kept with the error.
    """

    type: str
    message: str
    retryable: bool = False
    status: int | None = None
    retry_after: float | None = 0.0
    details: Mapping[str, Any] = field(default_factory=dict)

    def exception(self) -> NodeError:
        """A fresh :class:`NodeError` for one attempt."""
        return NodeError(
            self.type,
            self.message,
            retryable=self.retryable,
            status=self.status,
            retry_after=self.retry_after,
            details=self.details,
        )


@dataclass(frozen=True, slots=True)
class MockSpec:
    """One node's mock: what each attempt answers (the last one repeats).

    Attributes:
        answers: an output or a :class:`MockError` per attempt (never empty).
    """

    answers: tuple[Any, ...]

    def answer(self, attempt: int) -> Any:
        """The output or :class:`MockError` of 1-based ``attempt``."""
        return self.answers[min(max(attempt, 1), len(self.answers)) - 1]

    @property
    def fails(self) -> bool:
        """Whether some attempt fails."""
        return any(isinstance(answer, MockError) for answer in self.answers)


def parse_mock(value: Any) -> MockSpec:
    """Read a mock value (see the module docstring).

    Raises:
        MockShapeError: a ``$`` form that is written wrongly.
    """
    key = _reserved_key(value)
    if key == ATTEMPTS_KEY:
        return MockSpec(_attempts(value[ATTEMPTS_KEY]))
    return MockSpec((_answer(value),))


def _reserved_key(value: Any) -> str | None:
    """The ``$`` key of a ``$`` form, ``None`` for a plain output."""
    if not isinstance(value, Mapping):
        return None
    reserved = [key for key in value if key in _RESERVED]
    if not reserved:
        return None
    if len(value) > 1:
        raise MockShapeError(
            f"`{reserved[0]}` must be the only key of the mock, not one of "
            + ", ".join(f"`{key}`" for key in value),
            "to mock an output that has this key, write it under `$output`: "
            f"`{{$output: {{{reserved[0]}: …}}}}`",
        )
    return str(reserved[0])


def _answer(value: Any) -> Any:
    """One attempt's answer: an output or a :class:`MockError`."""
    key = _reserved_key(value)
    if key == ERROR_KEY:
        return parse_error(value[ERROR_KEY])
    if key == OUTPUT_KEY:
        return value[OUTPUT_KEY]
    if key == ATTEMPTS_KEY:
        raise MockShapeError("`$attempts` cannot be nested in `$attempts`")
    return value


def _attempts(items: Any) -> tuple[Any, ...]:
    if not isinstance(items, list) or not items:
        raise MockShapeError(
            "`$attempts` must be a non-empty list: one output or `$error` per attempt",
            "e.g. `{$attempts: [{$error: http.status}, [1, 2]]}`: fails once, then succeeds",
        )
    return tuple(_answer(item) for item in items)


def _kebab(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", key).replace("_", "-").lower()


def parse_error(value: Any) -> MockError:
    """``$error``'s value: an error type, or ``{type, message, retryable, status,
    retry-after, details}`` (``type`` required).

    Raises:
        MockShapeError: anything else.
    """
    if isinstance(value, str) and value.strip():
        value = {"type": value.strip()}
    if not isinstance(value, Mapping):
        raise MockShapeError(
            "`$error` must be an error type or a mapping with `type` (and `message`, "
            "`retryable`, `status`, `retry-after`, `details`)"
        )
    fields = {_kebab(str(key)): item for key, item in value.items()}
    for key in fields:
        if key not in _ERROR_FIELDS:
            raise MockShapeError(f"`$error` has an unknown key `{key}`", _fields_hint(key))
    error_type = fields.get("type")
    if not isinstance(error_type, str) or not error_type.strip():
        raise MockShapeError("`$error` needs a `type` (a non-empty string)", _fields_hint())
    return MockError(
        type=error_type.strip(),
        message=_checked("message", fields, _is_str, "a string", f"mocked {error_type} error"),
        retryable=_checked("retryable", fields, _is_bool, "true or false", False),
        status=_checked("status", fields, _is_int, "an integer", None),
        retry_after=_checked("retry-after", fields, _is_seconds, "seconds (>= 0) or null", 0.0),
        details=_checked("details", fields, _is_mapping, "a mapping", {}),
    )


def _fields_hint(key: str = "") -> str:
    import difflib

    close = difflib.get_close_matches(key, _ERROR_FIELDS, n=1) if key else []
    return f"did you mean `{close[0]}`?" if close else "keys: " + ", ".join(_ERROR_FIELDS)


def _checked(
    key: str, fields: Mapping[str, Any], valid: Callable[[Any], bool], what: str, default: Any
) -> Any:
    if key not in fields:
        return default
    value = fields[key]
    if not valid(value):
        raise MockShapeError(f"`$error` `{key}` must be {what}, not {value!r}")
    return dict(value) if isinstance(value, Mapping) else value


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_seconds(value: Any) -> bool:
    return value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    )


def _is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)
