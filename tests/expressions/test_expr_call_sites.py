"""One walk for calls (``call_sites``) and for the names of several parts (``names_of_parts``)."""

from __future__ import annotations

import pytest

from flowscript.expressions import (
    function_calls,
    method_calls,
    parse_expression,
    parse_template,
    template_expressions,
)
from flowscript.expressions.analysis import call_sites, free_names, names_of_parts

SOURCES = [
    "upper(a) + Math.floor(b) + f(x => g(x)) + obj.m(1) + (h => h(1))(k)",
    "s.trim().split(',') + Math.max(1) + o?.m?.() + JSON.parse(t)",
    "map(xs, Math => Math.max(1))",
    "x-1.y(2) + a-b.c()",
    "1 + 2",
]


@pytest.mark.parametrize("source", SOURCES, ids=range(len(SOURCES)))
def test_call_sites_are_function_calls_and_method_calls(source: str) -> None:
    tree = parse_expression(source)
    assert call_sites(tree) == (function_calls(tree), method_calls(tree))


def test_an_arrow_parameter_named_like_a_namespace_makes_a_method_call() -> None:
    tree = parse_expression("map(xs, Math => Math.max(1))")
    assert call_sites(tree) == ([("map", 0)], [("max", 21)])


def test_names_of_parts_are_the_free_names_of_the_template() -> None:
    template = parse_template("{{ fetch-joke.text }} and {{ a[0] }} {{ map(xs, x => x + y) }}")
    parts = template_expressions(template)
    defined = {"fetch-joke", "xs"}
    assert names_of_parts(parts, defined) == free_names(template, defined)
    assert [(use.name, use.offset, use.member) for use in names_of_parts(parts, defined)] == [
        ("fetch-joke", 3, "text"),
        ("a", 29, "0"),
        ("xs", 44, None),
        ("y", 57, None),
    ]
