"""Retry policy (execution.md §6.2): the public :class:`RetryConfig`.

The retry wrapper (``execute_with_retry``), backoff computation and error classification
live here too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Backoff", "RetryConfig"]

Backoff = Literal["exponential", "linear", "fixed"]


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
