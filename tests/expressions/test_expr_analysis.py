"""Static analysis: free names, hyphen resolution, members, function and method calls."""

from __future__ import annotations

import pytest

from flowscript.expressions import (
    NameUse,
    free_names,
    function_calls,
    line_and_column,
    method_calls,
    parse_expression,
    parse_template,
    template_expressions,
    walk,
)
from flowscript.expressions.syntax import Identifier, Member

Use = tuple[str, int, str | None, bool]


def names(source: str, defined: set[str] | frozenset[str] = frozenset()) -> list[Use]:
    return [
        (use.name, use.offset, use.member, use.ambiguous)
        for use in free_names(parse_expression(source), defined)
    ]


def test_plain_names_with_offsets_and_members() -> None:
    assert names("fetch.x + input + $config.k") == [
        ("fetch", 0, "x", False),
        ("input", 10, None, False),
        ("$config", 18, "k", False),
    ]


@pytest.mark.parametrize(
    ("source", "member"),
    [
        ("a.b.c", "b"),
        ('a["b"]', "b"),
        ("a[0]", "0"),
        ("a[i]", None),
        ("a?.b", "b"),
        ("a.m()", None),
        ("a.b.m()", "b"),
        ("a", None),
    ],
    ids=lambda v: str(v),
)
def test_first_member(source: str, member: str | None) -> None:
    assert names(source)[0][2] == member


def test_repeated_names_are_all_reported() -> None:
    assert [n for n, *_ in names("a + a * b")] == ["a", "a", "b"]


def test_arrow_parameters_are_excluded() -> None:
    assert names("map(items, x => x.v + y)") == [("items", 4, None, False), ("y", 22, None, False)]
    assert names("(a, b) => a + b + c") == [("c", 18, None, False)]
    assert names("x => x") == []


def test_names_inside_every_construct() -> None:
    source = "[a, ...b, {c, [d]: e, ...f}, `${g}`, h ? i : j, !k, l in m, n(o)]"
    found = [name for name, *_ in names(source)]
    assert found == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "o"]


def test_function_names_are_not_free_names() -> None:
    assert names("upper(s) + Math.max(1, t) + JSON.parse(u)") == [
        ("s", 6, None, False),
        ("t", 23, None, False),
        ("u", 39, None, False),
    ]


def test_namespace_outside_a_call_is_a_name() -> None:
    assert names("Math.PI") == [("Math", 0, "PI", False)]


@pytest.mark.parametrize(
    ("source", "defined", "expected"),
    [
        ("fetch-joke.text", {"fetch-joke"}, [("fetch-joke", 0, "text", False)]),
        (
            "fetch-joke.text",
            {"fetch-joke", "fetch", "joke"},
            [("fetch-joke", 0, "text", True)],
        ),
        ("fetch-joke.text", set(), [("fetch", 0, None, False), ("joke", 6, "text", False)]),
        ("fetch-joke", {"fetch"}, [("fetch", 0, None, False), ("joke", 6, None, False)]),
        ("x-1", {"x-1", "x"}, [("x-1", 0, None, True)]),
        ("x-1", {"x-1"}, [("x-1", 0, None, False)]),
        ("x-1", {"x"}, [("x", 0, None, False)]),
        ("2 * x-1", {"x"}, [("x", 4, None, False)]),
        ("race-api-1.output", {"race-api-1"}, [("race-api-1", 0, "output", False)]),
        ("check-in", set(), [("check-in", 0, None, False)]),
        ("check-in", {"check", "check-in"}, [("check-in", 0, None, False)]),
    ],
    ids=lambda v: str(v),
)
def test_hyphen_resolution(source: str, defined: set[str], expected: list[Use]) -> None:
    assert names(source, defined) == expected


def test_hyphen_with_arrow_parameter_part() -> None:
    assert names("map(xs, i => i-1)", {"xs"}) == [("xs", 4, None, False)]
    assert names("map(xs, i => i-n)", {"xs", "i-n"}) == [
        ("xs", 4, None, False),
        ("i-n", 13, None, False),
    ]


def test_name_use_is_a_value() -> None:
    assert NameUse("a", 0) == NameUse("a", 0, None, False)


def test_function_calls() -> None:
    tree = parse_expression("upper(a) + Math.floor(b) + f(x => g(x)) + obj.m(1) + (h => h(1))(k)")
    assert function_calls(tree) == [("upper", 0), ("Math.floor", 11), ("f", 27), ("g", 34)]


def test_method_calls() -> None:
    tree = parse_expression("s.trim().split(',') + Math.max(1) + o?.m?.() + JSON.parse(t)")
    assert method_calls(tree) == [("trim", 2), ("split", 9), ("m", 39)]


def test_analysis_of_templates_uses_template_offsets() -> None:
    template = parse_template("Hi {{ user.name }}, {{ upper(x) }} {{ s.trim() }}")
    assert [
        (expr.__class__.__name__, offset) for expr, offset in template_expressions(template)
    ] == [
        ("Member", 5),
        ("Call", 22),
        ("Call", 37),
    ]
    assert free_names(template, set()) == [
        NameUse("user", 6, "name"),
        NameUse("x", 29),
        NameUse("s", 38),
    ]
    assert function_calls(template) == [("upper", 23)]
    assert method_calls(template) == [("trim", 40)]


def test_analysis_handles_huge_expressions() -> None:
    tree = parse_expression(" + ".join(f"v{i}" for i in range(12_000)))
    found = free_names(tree, set())
    assert len(found) == 12_000
    assert found[-1].name == "v11999"


@pytest.mark.parametrize(
    ("text", "column", "expected"),
    [("abc", 1, (1, 1)), ("abc", 3, (1, 3)), ("ab\ncd", 4, (2, 1)), ("ab\ncd\nef", 8, (3, 2))],
    ids=lambda v: str(v),
)
def test_line_and_column(text: str, column: int, expected: tuple[int, int]) -> None:
    assert line_and_column(text, column) == expected


def test_walk_visits_each_node_once_following_one_reading() -> None:
    tree = parse_expression(" + ".join(["a-b.c"] * 30))
    split = list(walk(tree))
    assert len(split) == len({id(node) for node in split})
    members = [node for node in split if isinstance(node, Member)]
    assert len(members) == 30
    whole = [n for n in walk(tree, {"a-b"}) if isinstance(n, Identifier)]
    assert {n.name for n in whole} == {"a-b"}
    assert len(whole) == 30
