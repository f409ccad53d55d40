"""Comparing expected and actual values with JSON semantics, and showing the difference.

Two values are equal when their JSON forms are: ``1 == 1.0``, key order is irrelevant, list
order matters, and a boolean never equals a number (``true != 1``, unlike Python). Values are
first reduced to plain JSON data the way ``JSON.stringify`` would (``undefined`` dropped from
objects, integral floats as integers), so what is compared is exactly what ``--format json``
prints.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["json_diff", "json_equal", "normalize", "pretty_json"]


def normalize(value: Any) -> Any:
    """``value`` as plain JSON data (see :func:`flowscript.expressions.values.plain_json`)."""
    from flowscript.expressions.values import plain_json

    return plain_json(value)


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left is right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_same, left, right))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(_same(left[k], right[k]) for k in left)
    return type(left) is type(right) and bool(left == right)


def json_equal(expected: Any, actual: Any) -> bool:
    """Deep equality of two values with JSON semantics (module docstring)."""
    return _same(normalize(expected), normalize(actual))


def pretty_json(value: Any) -> str:
    """Indented JSON with sorted keys (non-ASCII kept), the form diffs are made of."""
    return json.dumps(normalize(value), indent=2, sort_keys=True, ensure_ascii=False)


def json_diff(expected: Any, actual: Any, *, context: int = 3) -> str:
    """A unified diff from the expected to the actual value's :func:`pretty_json`.

    Returns ``""`` when both print the same (they are then :func:`json_equal`).
    """
    lines = difflib.unified_diff(
        pretty_json(expected).splitlines(),
        pretty_json(actual).splitlines(),
        fromfile="expected",
        tofile="actual",
        n=context,
        lineterm="",
    )
    return "\n".join(lines)
