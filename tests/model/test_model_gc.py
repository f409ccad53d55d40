"""Pausing the cyclic collector around parse/validate: state restored, young objects promoted."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from flowscript.model._gc import gc_paused, without_gc


@pytest.fixture(autouse=True)
def _collector_enabled() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


class _Marker:
    """A tracked object we can look for in the collector's generations."""


def _generation_of(obj: object) -> int | None:
    for generation in (0, 1, 2):
        if any(candidate is obj for candidate in gc.get_objects(generation)):
            return generation
    return None


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    with gc_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is True


def test_the_collector_is_restored_when_the_block_raises() -> None:
    with pytest.raises(ValueError, match="boom"), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled() is True


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with gc_paused():
        assert gc.isenabled() is False
    assert gc.isenabled() is False


def test_objects_made_inside_move_to_the_oldest_generation() -> None:
    with gc_paused():
        made = _Marker()
    assert _generation_of(made) == 2
    assert gc.get_count()[0] < 700  # no pending young collection over the new objects


def test_objects_frozen_by_the_application_stay_frozen() -> None:
    frozen = _Marker()
    gc.freeze()
    try:
        with gc_paused():
            made = _Marker()
        gc.disable()  # look before any young collection could move `made`
        assert gc.get_freeze_count() > 0
        assert _generation_of(frozen) is None  # still in the permanent generation
        assert _generation_of(made) == 0  # not promoted: unfreeze would release `frozen`
    finally:
        gc.unfreeze()


def test_the_decorator_pauses_around_the_call_and_keeps_its_result() -> None:
    @without_gc
    def inside(value: int) -> tuple[bool, int]:
        return gc.isenabled(), value * 2

    assert inside(21) == (False, 42)
    assert inside.__name__ == "inside"
    assert gc.isenabled() is True
