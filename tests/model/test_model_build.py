"""Positional builders of frozen slotted dataclasses (``flowscript.model._build``)."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from flowscript.model import Attribute, SourceSpan, Text
from flowscript.model._build import make_attribute, make_span, make_text, slot_builder


def test_a_built_span_is_the_same_as_a_constructed_one() -> None:
    built = make_span("flow.md", 3, 7, None, None)
    made = SourceSpan("flow.md", 3, 7)
    assert type(built) is SourceSpan
    assert built == made
    assert hash(built) == hash(made)
    assert repr(built) == repr(made)
    assert pickle.loads(pickle.dumps(built)) == made


def test_built_objects_stay_frozen() -> None:
    span = make_span("f", 1, 1, None, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        span.line = 2  # type: ignore[misc]


def test_builders_take_fields_in_the_order_given() -> None:
    span = make_span("f", 1, 2, None, None)
    assert make_text("v", span) == Text("v", span)
    assert make_attribute("id", "x", span, span) == Attribute("id", "x", span, span)
    by_column_first = slot_builder(SourceSpan, "column", "line", "path", "end_line", "end_column")
    assert by_column_first(9, 4, "g", None, None) == SourceSpan("g", 4, 9)


@pytest.mark.parametrize(
    ("names", "message"),
    [
        (("path", "line"), "needs exactly its fields"),
        (("path", "line", "column", "end_line", "end_column", "extra"), "needs exactly its fields"),
        (("path", "path", "column", "end_line", "end_column"), "needs exactly its fields"),
    ],
    ids=["missing", "unknown", "repeated"],
)
def test_a_builder_needs_exactly_the_fields(names: tuple[str, ...], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        slot_builder(SourceSpan, *names)


def test_classes_with_post_init_are_refused() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match="not a plain slotted dataclass"):
        slot_builder(Checked, "value")


def test_classes_without_slots_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Loose:
        value: int

    with pytest.raises(TypeError, match="not a plain slotted dataclass"):
        slot_builder(Loose, "value")


def test_too_many_fields_are_refused() -> None:
    Wide = dataclasses.make_dataclass("Wide", [f"f{i}" for i in range(8)], frozen=True, slots=True)
    with pytest.raises(TypeError, match="at most 7 fields"):
        slot_builder(Wide, *(f"f{i}" for i in range(8)))
