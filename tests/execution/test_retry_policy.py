"""Retry building blocks (execution.md §6.1, §6.2): RetryConfig, exact backoff waits with an
injected random source, error classification and the ``when`` forms."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.execution.retry import (
    RetryConfig,
    backoff_delay,
    error_data,
    exponential_delay,
    fixed_delay,
    is_retryable_error,
    linear_delay,
    should_retry,
)
from flowscript.expressions import MapScope


def test_retry_config_defaults_follow_the_format() -> None:
    config = RetryConfig()
    assert (config.max_retries, config.backoff, config.delay, config.max_delay) == (
        3,
        "exponential",
        1.0,
        32.0,
    )
    assert (config.when, config.timeout) == ("retryable", None)


@pytest.mark.parametrize(
    ("fields", "error", "match"),
    [
        ({"max_retries": -1}, ValueError, "max_retries must be >= 0"),
        ({"max_retries": 1.5}, TypeError, "max_retries must be an integer"),
        ({"max_retries": True}, TypeError, "max_retries must be an integer"),
        ({"backoff": "random"}, ValueError, "backoff must be exponential"),
        ({"delay": -1}, ValueError, "delay and max_delay must be >= 0"),
        ({"timeout": 0}, ValueError, "timeout must be positive"),
        ({"when": "  "}, ValueError, "when must be"),
    ],
    ids=[
        "negative-max",
        "float-max",
        "bool-max",
        "bad-backoff",
        "negative-delay",
        "zero-timeout",
        "blank-when",
    ],
)
def test_retry_config_rejects_bad_values(
    fields: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        RetryConfig(**fields)


@pytest.mark.parametrize(
    ("retry", "draw", "expected"),
    [
        (0, 0.5, 0.5),
        (1, 0.5, 1.0),
        (3, 0.25, 2.0),
        (5, 0.5, 10.0),
        (5000, 0.5, 10.0),
        (2, 0.0, 0.0),
    ],
    ids=["first", "second", "fourth", "capped", "huge-index", "zero-draw"],
)
def test_exponential_is_full_jitter_over_capped_doubling(
    retry: int, draw: float, expected: float
) -> None:
    assert exponential_delay(1.0, 20.0, retry, draw) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("retry", "draw", "expected"),
    [(0, 0.5, 2.0), (2, 0.0, 4.8), (2, 0.999999, 7.2), (9, 0.5, 10.0), (9, 0.0, 8.0)],
    ids=["first-middle", "third-low", "third-high", "capped-middle", "capped-low"],
)
def test_linear_steps_with_twenty_percent_jitter(retry: int, draw: float, expected: float) -> None:
    assert linear_delay(2.0, 10.0, retry, draw) == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize(
    ("draw", "expected"),
    [(0.0, 4.0), (0.5, 5.0), (0.999999, 5.5)],
    ids=["low", "middle", "high-capped"],
)
def test_fixed_is_base_with_jitter_under_the_cap(draw: float, expected: float) -> None:
    assert fixed_delay(5.0, 5.5, 7, draw) == pytest.approx(expected, rel=1e-5)


def test_backoff_delay_dispatches_on_the_policy() -> None:
    draw = lambda: 0.5  # noqa: E731
    assert backoff_delay(RetryConfig(delay=2, max_delay=100), 2, rng=draw) == 4.0
    assert backoff_delay(RetryConfig(backoff="linear", delay=2), 2, rng=draw) == 6.0
    assert backoff_delay(RetryConfig(backoff="fixed", delay=2), 2, rng=draw) == 2.0


def test_retry_after_overrides_the_computed_wait_but_not_the_cap() -> None:
    config = RetryConfig(delay=1, max_delay=30)
    assert backoff_delay(config, 0, rng=lambda: 0.0, retry_after=12) == 12
    assert backoff_delay(config, 0, rng=lambda: 0.0, retry_after=120) == 30
    assert backoff_delay(config, 0, rng=lambda: 0.0, retry_after=-5) == 0


def test_backoff_delay_rejects_a_negative_retry_index() -> None:
    with pytest.raises(ValueError, match="retry must be >= 0"):
        backoff_delay(RetryConfig(), -1)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (NodeError("http.status", "503", retryable=True), True),
        (NodeError("http.status", "404", retryable=False), False),
        (TimeoutError("slow"), True),
        (ConnectionResetError("reset"), True),
        (ValueError("bug"), False),
        (asyncio.CancelledError(), False),
    ],
    ids=["retryable-node-error", "final-node-error", "timeout", "connection", "bug", "cancel"],
)
def test_is_retryable_error(error: BaseException, expected: bool) -> None:
    assert is_retryable_error(error) is expected


def test_error_data_is_the_state_form_with_attempts_and_node() -> None:
    error = NodeError("http.status", "HTTP 503", retryable=True, status=503)
    assert error_data(error, attempts=2, node="fetch") == {
        "type": "http.status",
        "message": "HTTP 503",
        "retryable": True,
        "node": "fetch",
        "attempts": 2,
        "status": 503,
    }
    assert error_data(KeyError("k"), node="x") == {
        "type": "KeyError",
        "message": "'k'",
        "retryable": False,
        "node": "x",
        "attempts": 1,
    }


RETRYABLE = NodeError("http.status", "HTTP 503", retryable=True, status=503)
FINAL = NodeError("http.status", "HTTP 404", retryable=False, status=404)


@pytest.mark.parametrize(
    ("when", "error", "expected"),
    [
        ("retryable", RETRYABLE, True),
        ("retryable", FINAL, False),
        ("always", FINAL, True),
        ("always", ValueError("bug"), True),
        ("$error.status == 404", FINAL, True),
        ("$error.status == 404", RETRYABLE, False),
        ("{{ $error.attempts < 2 }}", FINAL, True),
        ("$error.type.startsWith('http.')", FINAL, True),
    ],
    ids=[
        "retryable-yes",
        "retryable-no",
        "always-final",
        "always-bug",
        "expression-true",
        "expression-false",
        "template",
        "method-call",
    ],
)
def test_when_forms(when: str, error: Exception, expected: bool) -> None:
    assert should_retry(RetryConfig(when=when), error, attempt=1) is expected


def test_always_never_retries_cancellation() -> None:
    assert should_retry(RetryConfig(when="always"), asyncio.CancelledError(), attempt=1) is False


def test_when_expression_sees_the_given_scope_under_error() -> None:
    scope = MapScope({"limit": 404})
    config = RetryConfig(when="$error.status == limit && $error.node == 'fetch'")
    assert should_retry(config, FINAL, attempt=1, scope=scope, node="fetch") is True


def test_a_failing_when_expression_means_no_retry_and_warns() -> None:
    warnings: list[str] = []
    config = RetryConfig(when="nope($error)")
    assert should_retry(config, FINAL, attempt=1, on_warning=warnings.append) is False
    assert len(warnings) == 1
    assert warnings[0].startswith("retry `when` could not be evaluated, not retrying")


def test_a_failing_when_expression_is_logged_without_a_warning_callback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="flowscript.execution"):
        assert should_retry(RetryConfig(when="nope("), FINAL, attempt=1) is False
    assert "retry `when` could not be evaluated" in caplog.text
