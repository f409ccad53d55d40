"""Retry policy (execution.md §6.2, §6.3): :class:`RetryConfig`, backoff, error classification
and the reusable retry wrapper :func:`execute_with_retry`.

Backoff waits are pure functions of the policy, the retry index and a random number, so they
are tested exactly (and with Hypothesis) by injecting the random source. Time comes from an
injected :class:`~flowscript.execution.clock.Clock`: tests drive backoff sleeps and attempt
timeouts with :class:`~flowscript.execution.clock.ManualClock` and never sleep for real.

Where a node's policy comes from (``<retry>``, ``runtime.retry``, the caller's default) is
decided in one place, ``flowscript.execution._data.resolve_retry_config``.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from flowscript.errors import NodeError
from flowscript.execution.events import NodeRetrying

if TYPE_CHECKING:
    from flowscript.execution.clock import Clock
    from flowscript.expressions.scope import EvalScope

__all__ = [
    "JITTER",
    "Backoff",
    "RetryConfig",
    "attempt_deadline",
    "backoff_delay",
    "current_attempt_deadline",
    "error_data",
    "execute_with_retry",
    "exponential_delay",
    "fixed_delay",
    "is_retryable_error",
    "linear_delay",
    "should_retry",
]

_log = logging.getLogger("flowscript.execution")

Backoff = Literal["exponential", "linear", "fixed"]
T = TypeVar("T")

JITTER: Final = 0.2
"""execution.md §6.2: linear and fixed waits vary by ±20%."""

_MAX_DOUBLINGS: Final = 1023
"""``2.0 ** 1024`` overflows a float; past this many doublings the cap applies anyway."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryConfig:
    """How a node retries (format.md §3.6, execution.md §6.2).

    Attributes:
        max_retries: extra attempts after the first (default 3).
        backoff: ``exponential`` (full jitter), ``linear`` or ``fixed`` (±20% jitter).
        delay: base wait in seconds (default 1).
        max_delay: cap on any wait in seconds (default 32), ``Retry-After`` included.
        when: ``retryable`` (retry retryable errors), ``always`` (any error but
            cancellation), or an expression over ``$error``.
        timeout: per-attempt deadline in seconds (``None``: none).
    """

    max_retries: int = 3
    backoff: Backoff = "exponential"
    delay: float = 1.0
    max_delay: float = 32.0
    when: str = "retryable"
    timeout: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise TypeError("max_retries must be an integer")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.backoff not in ("exponential", "linear", "fixed"):
            raise ValueError(f"backoff must be exponential, linear or fixed, not {self.backoff!r}")
        if self.delay < 0 or self.max_delay < 0:
            raise ValueError("delay and max_delay must be >= 0")
        if self.timeout is not None and self.timeout <= 0:
            raise ValueError("timeout must be positive")
        if not isinstance(self.when, str) or not self.when.strip():
            raise ValueError("when must be 'retryable', 'always' or an expression")


# -- backoff (pure) ---------------------------------------------------------------------------


def exponential_delay(base: float, cap: float, retry: int, draw: float) -> float:
    """Full jitter: ``draw`` × ``min(cap, base × 2^retry)``, i.e. uniform in that range.

    Args:
        base: base wait in seconds.
        cap: the largest wait in seconds.
        retry: 0-based index of the retry about to happen.
        draw: a random number in ``[0, 1)``.
    """
    bound = min(cap, base * 2.0 ** min(retry, _MAX_DOUBLINGS))
    return draw * bound


def linear_delay(base: float, cap: float, retry: int, draw: float) -> float:
    """``min(cap, base × (retry + 1))`` with ±20% jitter, never above ``cap``."""
    return min(cap, min(cap, base * (retry + 1)) * _jitter(draw))


def fixed_delay(base: float, cap: float, retry: int, draw: float) -> float:
    """``base`` with ±20% jitter, never above ``cap`` (``retry`` is unused)."""
    return min(cap, base * _jitter(draw))


def _jitter(draw: float) -> float:
    """A factor in ``[1 - JITTER, 1 + JITTER)`` from ``draw`` in ``[0, 1)``."""
    return 1 - JITTER + 2 * JITTER * draw


_BACKOFFS: Final[Mapping[str, Callable[[float, float, int, float], float]]] = {
    "exponential": exponential_delay,
    "linear": linear_delay,
    "fixed": fixed_delay,
}


def backoff_delay(
    config: RetryConfig,
    retry: int,
    *,
    rng: Callable[[], float] = random.random,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before retry number ``retry`` (0-based) under ``config``.

    A ``Retry-After`` the server sent overrides the computed wait, still capped by
    ``config.max_delay`` (execution.md §6.2).

    Args:
        config: the policy.
        retry: 0-based index of the retry about to happen (0 before the second attempt).
        rng: the random source, returning numbers in ``[0, 1)``.
        retry_after: seconds the server asked to wait, if it did.
    """
    if retry < 0:
        raise ValueError("retry must be >= 0")
    if retry_after is not None:
        return min(config.max_delay, max(0.0, retry_after))
    return _BACKOFFS[config.backoff](config.delay, config.max_delay, retry, rng())


# -- classification ---------------------------------------------------------------------------


def is_retryable_error(error: BaseException) -> bool:
    """Whether ``when="retryable"`` retries ``error`` (execution.md §6.1).

    A :class:`~flowscript.errors.NodeError` carries the answer (``retryable``, decided by the
    runtime that raised it). Of foreign exceptions, only timeouts and connection errors are
    transient by nature; cancellation and everything else are not retryable.
    """
    if isinstance(error, NodeError):
        return error.retryable
    return isinstance(error, TimeoutError | ConnectionError)


def error_data(
    error: BaseException, *, attempts: int = 1, node: str | None = None
) -> dict[str, Any]:
    """The structured form of ``error`` that ``$error`` and events carry (execution.md §3.2).

    Args:
        error: the failure.
        attempts: attempts made so far.
        node: the node to name when the error does not name one.
    """
    from flowscript.execution.state import error_to_dict

    if isinstance(error, NodeError):
        data = error_to_dict(error, attempts=attempts)
    else:
        data = {
            "type": type(error).__name__,
            "message": str(error),
            "retryable": is_retryable_error(error),
            "node": None,
            "attempts": attempts,
        }
    if data["node"] is None:
        data["node"] = node
    return data


def should_retry(
    config: RetryConfig,
    error: BaseException,
    *,
    attempt: int,
    scope: EvalScope | None = None,
    node: str | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> bool:
    """Whether ``error`` (of attempt number ``attempt``, 1-based) may be retried under
    ``config.when``, ignoring the attempt budget.

    ``retryable`` retries retryable errors; ``always`` any error but cancellation; anything
    else is an expression evaluated against ``scope`` with ``$error`` bound. An expression
    that fails to evaluate means "do not retry" and is reported through ``on_warning``.
    """
    if isinstance(error, asyncio.CancelledError):
        return False
    when = config.when.strip()
    if when == "retryable":
        return is_retryable_error(error)
    if when == "always":
        return True
    return _when_expression(when, error_data(error, attempts=attempt, node=node), scope, on_warning)


def _when_expression(
    when: str,
    data: dict[str, Any],
    scope: EvalScope | None,
    on_warning: Callable[[str], None] | None,
) -> bool:
    from flowscript.errors import ExpressionError
    from flowscript.expressions import MapScope, evaluate, render_template
    from flowscript.expressions.values import truthy

    bound = MapScope({"$error": data}, parent=scope)
    try:
        value = render_template(when, bound) if "{{" in when else evaluate(when, bound)
    except ExpressionError as exc:
        message = f"retry `when` could not be evaluated, not retrying: {when}: {exc}"
        (on_warning or _log.warning)(message)
        return False
    return truthy(value)


# -- the wrapper ------------------------------------------------------------------------------


async def execute_with_retry(
    fn: Callable[[int], Awaitable[T]],
    config: RetryConfig | None = None,
    on_fallback: Callable[[Exception], T | Awaitable[T]] | None = None,
    *,
    clock: Clock | None = None,
    on_retry: Callable[[NodeRetrying], Any] | None = None,
    scope: EvalScope | None = None,
    on_warning: Callable[[str], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    rng: Callable[[], float] = random.random,
    node_id: str = "",
    run_id: str = "",
) -> T:
    """Call ``fn(attempt)`` until it succeeds or the policy gives up (execution.md §6.2, §11).

    Each attempt is bounded by ``config.timeout``: when it passes, the attempt is cancelled
    and fails with ``timeout.attempt`` (retryable). Between attempts the wrapper waits the
    backoff of :func:`backoff_delay` on ``clock``. Cancellation always propagates at once.

    Args:
        fn: one attempt; receives the 1-based attempt number.
        config: the policy (default ``RetryConfig()``: 3 retries, exponential backoff).
        on_fallback: called with the final error when every attempt failed; its result
            (awaited when awaitable) is returned instead of raising.
        clock: time source for backoff and attempt timeouts (default: the system clock).
        on_retry: receives a :class:`~flowscript.execution.events.NodeRetrying` event before
            each backoff wait.
        scope: the scope ``when`` expressions are evaluated in (``$error`` is bound on top).
        on_warning: receives warnings (a ``when`` expression that failed); default: logging.
        sleep: how to wait between attempts (default ``clock.sleep``); the executor releases
            the node's concurrency slot around it.
        rng: random source in ``[0, 1)`` for jitter.
        node_id / run_id: named in the events and in ``$error``.

    Returns:
        The first successful result, or ``on_fallback``'s.

    Raises:
        Exception: the last attempt's error, unchanged, when there is no ``on_fallback``.
    """
    from flowscript.execution.clock import SystemClock

    policy = config if config is not None else RetryConfig()
    time_source = clock if clock is not None else SystemClock()
    wait = sleep if sleep is not None else time_source.sleep
    attempt = 0
    while True:
        attempt += 1
        try:
            return await _bounded(fn, attempt, policy.timeout, time_source)
        # The retry boundary of the public wrapper: ``fn`` is arbitrary caller code, so any
        # Exception is a failed attempt; CancelledError is a BaseException and propagates.
        except Exception as error:
            retry = attempt <= policy.max_retries and should_retry(
                policy, error, attempt=attempt, scope=scope, node=node_id or None,
                on_warning=on_warning,
            )  # fmt: skip
            if not retry:
                if on_fallback is None:
                    raise
                return await _call_fallback(on_fallback, error)
            seconds = backoff_delay(policy, attempt - 1, rng=rng, retry_after=_retry_after(error))
            if on_retry is not None:
                on_retry(
                    NodeRetrying(
                        run_id=run_id,
                        timestamp=time_source.now(),
                        node_id=node_id,
                        attempt=attempt,
                        delay=seconds,
                        error=error_data(error, attempts=attempt, node=node_id or None),
                    )
                )
        await wait(seconds)


def _retry_after(error: BaseException) -> float | None:
    return error.retry_after if isinstance(error, NodeError) else None


async def _call_fallback(
    on_fallback: Callable[[Exception], T | Awaitable[T]], error: Exception
) -> T:
    result = on_fallback(error)
    if inspect.isawaitable(result):
        return await result
    return result


async def _bounded(
    fn: Callable[[int], Awaitable[T]], attempt: int, seconds: float | None, clock: Clock
) -> T:
    """One attempt, cancelled after ``seconds`` of ``clock`` time (``timeout.attempt``)."""
    if seconds is None:
        return await fn(attempt)
    deadline = attempt_deadline(clock, seconds)
    # Executors that send the attempt elsewhere pass the deadline along (wall-clock seconds).
    token = _ATTEMPT_DEADLINE.set(time.time() + seconds)
    try:
        async with deadline as state:
            return await fn(attempt)
    except TimeoutError:
        if not state.expired:
            raise  # the attempt's own TimeoutError, not our deadline
    finally:
        _ATTEMPT_DEADLINE.reset(token)
    raise NodeError(
        "timeout.attempt",
        f"attempt {attempt} did not finish within {seconds:g}s",
        retryable=True,
        details={"seconds": seconds, "attempt": attempt},
    )


_ATTEMPT_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "flowscript_attempt_deadline", default=None
)


def current_attempt_deadline() -> float | None:
    """The running attempt's deadline in epoch seconds, or ``None`` when it has none.

    Set by :func:`execute_with_retry` around each attempt that has a timeout; a distributed
    executor sends it to the worker, which enforces it too (execution.md §12).
    """
    return _ATTEMPT_DEADLINE.get()


class _Expiry:
    __slots__ = ("expired",)

    def __init__(self) -> None:
        self.expired = False


@asynccontextmanager
async def attempt_deadline(clock: Clock, seconds: float) -> AsyncIterator[_Expiry]:
    """Cancel the body after ``seconds`` of ``clock`` time and raise ``TimeoutError``.

    ``asyncio.timeout`` does the cancelling (in-flight work really is interrupted); the moment
    comes from the injected clock, so a manual clock decides when it fires in tests.
    """
    loop = asyncio.get_running_loop()
    state = _Expiry()
    async with asyncio.timeout(None) as timeout:

        async def expire() -> None:
            await clock.sleep(seconds)
            state.expired = True
            timeout.reschedule(loop.time())

        watcher = asyncio.create_task(expire())
        try:
            yield state
        finally:
            watcher.cancel()
            # asyncio.wait never raises the watcher's exception; our own cancellation does.
            await asyncio.wait([watcher])
