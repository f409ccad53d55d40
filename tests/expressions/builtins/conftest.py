"""Fixtures for the built-in function tests: call a built-in, make callbacks, fix the clock."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pytest

from flowscript.expressions.builtins import FUNCTIONS
from flowscript.expressions.sandbox import Limits, Sandbox
from flowscript.expressions.values import JSFunction


class PyFn(JSFunction):
    """A JavaScript function value backed by a Python callable (extra arguments ignored)."""

    def __init__(self, fn: Callable[..., Any], arity: int | None = None) -> None:
        self.fn = fn
        self.arity = fn.__code__.co_argcount if arity is None else arity
        self.calls = 0

    def call(self, args: Sequence[Any]) -> Any:
        self.calls += 1
        return self.fn(*list(args)[: self.arity])


Call = Callable[..., Any]


@pytest.fixture
def call() -> Call:
    """``call("upper", "x")`` runs a built-in in a fresh default sandbox."""

    def run(name: str, *args: Any) -> Any:
        return FUNCTIONS[name].impl(Sandbox(), list(args))

    return run


@pytest.fixture
def call_limited() -> Callable[..., Any]:
    """``call_limited(limits, "range", 0, 10)`` runs a built-in under custom limits."""

    def run(limits: Limits, name: str, *args: Any) -> Any:
        return FUNCTIONS[name].impl(Sandbox(limits), list(args))

    return run


@pytest.fixture
def fn() -> Callable[..., PyFn]:
    """``fn(lambda x: x * 2)`` makes an arrow-function value."""
    return PyFn


@pytest.fixture
def paris() -> Iterator[None]:
    """Run the test with ``TZ=Europe/Paris``."""
    yield from _with_tz("Europe/Paris")


@pytest.fixture
def utc_tz() -> Iterator[None]:
    """Run the test with ``TZ=UTC``."""
    yield from _with_tz("UTC")


def _with_tz(name: str) -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """``frozen_now("2026-11-24T09:00:00.123Z")`` fixes the clock of the Time built-ins."""
    from flowscript.expressions.builtins import dates

    def freeze(iso: str) -> None:
        instant = datetime.fromisoformat(iso)
        monkeypatch.setattr(dates, "current_time", lambda: instant)

    return freeze
