"""Reading mock values: outputs, ``$error``, ``$attempts`` and ``$output``."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.testing._mockspec import MockError, MockShapeError, parse_mock

BUSY = MockError(type="http.status", message="busy", retryable=True, status=503)


@pytest.mark.parametrize(
    ("value", "answers"),
    [
        ([1, 2], ([1, 2],)),
        (None, (None,)),
        ({"error": "x"}, ({"error": "x"},)),
        ({"$output": {"$error": "x"}}, ({"$error": "x"},)),
        ({"$error": " boom "}, (MockError(type="boom", message="mocked boom error"),)),
        (
            {
                "$error": {
                    "type": "http.status",
                    "message": "busy",
                    "retryable": True,
                    "status": 503,
                }
            },
            (BUSY,),
        ),
        (
            {"$error": {"type": "t", "retryAfter": None, "details": {"a": 1}}},
            (MockError(type="t", message="mocked t error", retry_after=None, details={"a": 1}),),
        ),
        (
            {"$attempts": [{"$error": "t"}, {"$output": {"$attempts": 1}}, 3]},
            (MockError(type="t", message="mocked t error"), {"$attempts": 1}, 3),
        ),
    ],
    ids=[
        "list",
        "null",
        "error-key",
        "escaped",
        "type-only",
        "full",
        "retry-after-null",
        "attempts",
    ],
)
def test_mock_values(value: Any, answers: tuple[Any, ...]) -> None:
    assert parse_mock(value).answers == answers


def test_the_last_attempt_repeats() -> None:
    mock = parse_mock({"$attempts": [{"$error": "t"}, "ok"]})
    assert [mock.answer(n) for n in (1, 2, 3, 9)] == [
        MockError(type="t", message="mocked t error"),
        "ok",
        "ok",
        "ok",
    ]
    assert mock.fails


def test_a_mocked_error_becomes_a_node_error() -> None:
    error = BUSY.exception()
    assert (error.type, error.message, error.retryable, error.status, error.retry_after) == (
        "http.status",
        "busy",
        True,
        503,
        0.0,
    )
    assert error.node is None
    assert BUSY.exception() is not error


@pytest.mark.parametrize(
    ("value", "message", "hints"),
    [
        ({"$error": 5}, "`$error` must be an error type or a mapping with `type` (and "
         "`message`, `retryable`, `status`, `retry-after`, `details`)", ()),
        ({"$error": {"type": "t", "tpye": 1}}, "`$error` has an unknown key `tpye`",
         ("did you mean `type`?",)),
        ({"$error": {"type": "t", "status": True}}, "`$error` `status` must be an integer, "
         "not True", ()),
        ({"$error": {"type": "t", "retry-after": -1}}, "`$error` `retry-after` must be seconds "
         "(>= 0) or null, not -1", ()),
        ({"$error": {"type": "t", "details": [1]}}, "`$error` `details` must be a mapping, "
         "not [1]", ()),
        ({"$error": {"type": "t", "message": 3}}, "`$error` `message` must be a string, "
         "not 3", ()),
        ({"$attempts": [{"$attempts": [1]}]}, "`$attempts` cannot be nested in `$attempts`", ()),
        ({"$attempts": "x"}, "`$attempts` must be a non-empty list: one output or `$error` per "
         "attempt", ("e.g. `{$attempts: [{$error: http.status}, [1, 2]]}`: fails once, then "
         "succeeds",)),
        ({"$output": 1, "$error": "t"}, "`$output` must be the only key of the mock, not one of "
         "`$output`, `$error`", ("to mock an output that has this key, write it under "
         "`$output`: `{$output: {$output: …}}`",)),
    ],
    ids=[
        "error-number",
        "unknown-key",
        "status-bool",
        "negative-retry-after",
        "details-list",
        "message-number",
        "nested-attempts",
        "attempts-string",
        "two-dollar-keys",
    ],
)  # fmt: skip
def test_malformed_mocks(value: Any, message: str, hints: tuple[str, ...]) -> None:
    with pytest.raises(MockShapeError) as raised:
        parse_mock(value)
    assert (str(raised.value), raised.value.hints) == (message, hints)
