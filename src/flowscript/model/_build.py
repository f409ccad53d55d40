"""Fast construction of frozen, slotted dataclasses on hot paths (internal).

A frozen dataclass's generated ``__init__`` stores each field with
``object.__setattr__(self, name, value)`` (a global, an attribute lookup and a call per
field) after binding keyword arguments and defaults. Parsing and validating a 10,000-node
file builds ~300,000 such objects (spans, attributes, syntax nodes, references), and that
``__init__`` is then about a tenth of the whole time.

:func:`slot_builder` returns a function taking every field positionally, in a fixed order,
that makes the same object: a bare ``object.__new__`` instance whose slots are stored
through their member descriptors (about twice as fast). The object is indistinguishable from
one made by the class: same class, same fields, same equality, hash, repr and pickling.
Only classes without ``__post_init__`` qualify, and every field must be given (defaults and
default factories are not applied), which :func:`slot_builder` checks once when it is made.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flowscript.model.diagnostics import SourceSpan
from flowscript.model.nodes import Attribute, ConfigEntry, Text

__all__ = ["make_attribute", "make_config_entry", "make_span", "make_text", "slot_builder"]

T = TypeVar("T")

Setter = Callable[[Any, Any], None]


def slot_builder(cls: type[T], *names: str) -> Callable[..., T]:
    """A function building ``cls`` from its fields given positionally in ``names`` order.

    Raises:
        TypeError: ``cls`` is not a slotted dataclass, has a ``__post_init__``, or ``names``
            is not exactly its fields.
    """
    fields = {field.name for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    if len(names) != len(fields) or set(names) != fields:
        raise TypeError(f"{cls.__name__} builder needs exactly its fields {sorted(fields)}")
    if hasattr(cls, "__post_init__") or "__slots__" not in vars(cls):
        raise TypeError(f"{cls.__name__} is not a plain slotted dataclass")
    setters = tuple(getattr(cls, name).__set__ for name in names)
    try:
        make = _BY_ARITY[len(setters)]
    except KeyError:
        raise TypeError(f"{cls.__name__}: at most {max(_BY_ARITY)} fields") from None
    return cast("Callable[..., T]", make(cls, *setters))


# One closure per arity: a loop over the setters would cost as much as the ``__init__`` saved.


def _build1(cls: type, a: Setter) -> Callable[..., object]:
    new = object.__new__

    def build(va: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        return obj

    return build


def _build2(cls: type, a: Setter, b: Setter) -> Callable[..., object]:
    new = object.__new__

    def build(va: object, vb: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        return obj

    return build


def _build3(cls: type, a: Setter, b: Setter, c: Setter) -> Callable[..., object]:
    new = object.__new__

    def build(va: object, vb: object, vc: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        c(obj, vc)
        return obj

    return build


def _build4(cls: type, a: Setter, b: Setter, c: Setter, d: Setter) -> Callable[..., object]:
    new = object.__new__

    def build(va: object, vb: object, vc: object, vd: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        c(obj, vc)
        d(obj, vd)
        return obj

    return build


def _build5(
    cls: type, a: Setter, b: Setter, c: Setter, d: Setter, e: Setter
) -> Callable[..., object]:
    new = object.__new__

    def build(va: object, vb: object, vc: object, vd: object, ve: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        c(obj, vc)
        d(obj, vd)
        e(obj, ve)
        return obj

    return build


def _build6(
    cls: type, a: Setter, b: Setter, c: Setter, d: Setter, e: Setter, f: Setter
) -> Callable[..., object]:
    new = object.__new__

    def build(va: object, vb: object, vc: object, vd: object, ve: object, vf: object) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        c(obj, vc)
        d(obj, vd)
        e(obj, ve)
        f(obj, vf)
        return obj

    return build


def _build7(
    cls: type, a: Setter, b: Setter, c: Setter, d: Setter, e: Setter, f: Setter, g: Setter
) -> Callable[..., object]:
    new = object.__new__

    def build(
        va: object, vb: object, vc: object, vd: object, ve: object, vf: object, vg: object
    ) -> object:
        obj: object = new(cls)
        a(obj, va)
        b(obj, vb)
        c(obj, vc)
        d(obj, vd)
        e(obj, ve)
        f(obj, vf)
        g(obj, vg)
        return obj

    return build


_BY_ARITY: dict[int, Callable[..., Callable[..., object]]] = {
    1: _build1,
    2: _build2,
    3: _build3,
    4: _build4,
    5: _build5,
    6: _build6,
    7: _build7,
}


# Builders of the model classes the parser makes for every node (arguments in this order).
make_span = slot_builder(SourceSpan, "path", "line", "column", "end_line", "end_column")
make_text = slot_builder(Text, "value", "span")
make_attribute = slot_builder(Attribute, "name", "value", "span", "value_span")
make_config_entry = slot_builder(
    ConfigEntry, "key", "written_key", "value", "span", "value_span", "origin"
)
