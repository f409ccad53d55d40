"""Sandbox: blocked names, step/depth/size limits, huge and hostile expressions."""

from __future__ import annotations

import re

import pytest

from flowscript.errors import BlockedAccessError, LimitExceededError
from flowscript.expressions import Limits, evaluate, render_template

SCOPE = {"a": {"b": 1}, "s": "abc", "items": [1, 2], "key": "__class__"}


@pytest.mark.parametrize(
    ("source", "name", "column"),
    [
        ("a.__class__", "__class__", 3),
        ("s.__len__", "__len__", 3),
        ("a.constructor", "constructor", 3),
        ("a.prototype", "prototype", 3),
        ("a.__proto__", "__proto__", 3),
        ('a["__proto__"]', "__proto__", 2),
        ('a["constructor"]', "constructor", 2),
        ("a[key]", "__class__", 2),
        ("{}.constructor", "constructor", 4),
        ("items.__class__.__bases__", "__class__", 7),
        ('s.constructor("x")', "constructor", 3),
        ("s.__add__(s)", "__add__", 3),
        ("null.__class__", "__class__", 6),
        ("a?.__dict__", "__dict__", 4),
    ],
    ids=lambda v: str(v),
)
def test_blocked_names(source: str, name: str, column: int) -> None:
    with pytest.raises(BlockedAccessError, match=re.escape(f"`{name}`")) as info:
        evaluate(source, SCOPE)
    assert info.value.column == column
    assert info.value.code == "EXPR_BLOCKED_ACCESS"


def test_blocked_names_in_templates() -> None:
    with pytest.raises(BlockedAccessError) as info:
        render_template("x {{ a.__class__ }}", SCOPE)
    assert info.value.column == 8


def test_step_limit_with_nested_arrows() -> None:
    with pytest.raises(LimitExceededError, match="1,000,000 evaluation steps") as info:
        evaluate("map(range(0, 2000), i => map(range(0, 2000), j => i * j))")
    assert info.value.code == "EXPR_LIMIT_EXCEEDED"


def test_step_limit_is_configurable() -> None:
    with pytest.raises(LimitExceededError, match="100 evaluation steps"):
        evaluate(" + ".join(["1"] * 200), limits=Limits(max_steps=100))
    assert evaluate(" + ".join(["1"] * 40), limits=Limits(max_steps=100)) == 40


def test_infinite_recursion_through_arrows_is_a_limit_error() -> None:
    with pytest.raises(LimitExceededError):
        evaluate("(f => f(f))(f => f(f))")


def test_call_depth_limit() -> None:
    source = "(f => f(f, 0))((self, n) => n > 20 ? n : self(self, n + 1))"
    assert evaluate(source) == 21
    with pytest.raises(LimitExceededError, match="call depth limit of 10"):
        evaluate(source, limits=Limits(max_depth=10))


@pytest.mark.parametrize(
    "source",
    [
        "reduce(range(0, 100), (acc, x) => acc + acc, 'x')",
        "reduce(range(0, 100), (acc, x) => `${acc}${acc}`, 'x')",
        "reduce(range(0, 100), (acc, x) => [...acc, ...acc], [1])",
    ],
    ids=["concat", "template-literal", "spread"],
)
def test_doubling_is_stopped_by_the_size_limit(source: str) -> None:
    with pytest.raises(LimitExceededError, match="exceeds the limit of 1,000"):
        evaluate(source, limits=Limits(max_size=1_000))


def test_expression_longer_than_the_limit() -> None:
    with pytest.raises(LimitExceededError, match="100,000"):
        evaluate("1" + " + 1" * 30_000)


def test_deep_nesting_is_a_limit_error_not_a_crash() -> None:
    with pytest.raises(LimitExceededError, match="nested too deeply"):
        evaluate("(" * 10_000 + "1" + ")" * 10_000)
