"""Pause the cyclic garbage collector while building large acyclic structures.

Parsing and validating a 10,000-node file allocates hundreds of thousands of small objects
that are all still alive at the end; the collector's generation-2 passes walk them again and
again without ever freeing anything (measured: 25–35% of parse + validate time). The trees we
build here hold no reference cycles, so pausing the collector loses nothing; it is restored
on the way out, whatever happens.

Re-enabling alone is not enough: the objects allocated while the collector was paused all sit
in the youngest generation, so the first allocation afterwards triggers a young collection that
walks every one of them (measured: 0.19 s after parsing and again after validating a
10,000-node file, ~15% of the total). They are long-lived by construction, so on the way out
they are moved straight to the oldest generation with ``gc.freeze()`` + ``gc.unfreeze()`` (two
list splices, a few microseconds); full collections still examine them as usual. This is
skipped when the application has frozen objects itself (``gc.get_freeze_count()`` > 0), since
``unfreeze`` would release those too.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused", "without_gc"]

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector inside the block (no-op when it is already off)."""
    was_enabled = gc.isenabled()
    if was_enabled:
        gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            _promote_young_objects()
            gc.enable()


def _promote_young_objects() -> None:
    """Move every tracked object to the oldest generation without examining it."""
    if gc.get_freeze_count() == 0:
        gc.freeze()
        gc.unfreeze()


def without_gc(function: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of :func:`gc_paused`."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with gc_paused():
            return function(*args, **kwargs)

    return wrapper
