"""Hyphenated names (expressions.md §2.3): both readings, JavaScript precedence, printing."""

from __future__ import annotations

import math
from typing import Any

import pytest

from flowscript.errors import LimitExceededError
from flowscript.expressions import MapScope, evaluate, parse_expression, to_source
from flowscript.expressions.syntax import HyphenName, Identifier

NUMBERS = {"a": 10, "b": 2, "c": 3, "d": 1, "x": 5, "i": 2, "items": ["p", "q", "r"]}


def with_names(**extra: Any) -> MapScope:
    renamed = {name.replace("_", "-"): value for name, value in extra.items()}
    return MapScope({**NUMBERS, **renamed})


@pytest.mark.parametrize(
    ("source", "split", "whole"),
    [
        ("x-1", 4, 10),
        ("x-1 * 2", 3, 20),
        ("2 * x-1", 9, 20),
        ("10 - x-1", 4, 0),
        ("-x-1", -6, -10),
        ("!x-1", -1, False),
        ("(x-1) * 2", 8, 20),
        ("x-1 ** 2", 4, 100),
        ("2 ** x-1", 31, 1024),
        ("x-1 + 1", 5, 11),
        ("x-1 / 2 % 3", 4.5, 2),
        ("x-1 < 5", True, False),
        ("[x-1, (x-1)]", [4, 4], [10, 10]),
        ("x-1 ? 'y' : 'n'", "y", "y"),
    ],
    ids=lambda v: str(v),
)
def test_single_run_both_readings(source: str, split: Any, whole: Any) -> None:
    assert evaluate(source, with_names()) == split
    assert evaluate(source, with_names(x_1=10)) == whole


@pytest.mark.parametrize(
    ("defined", "expected"),
    [({}, 3), ({"a_b": 100}, 299), ({"c_d": 7}, -4), ({"a_b": 100, "c_d": 7}, 700)],
    ids=["split-split", "whole-split", "split-whole", "whole-whole"],
)
def test_two_runs_multiplied(defined: dict[str, int], expected: int) -> None:
    assert evaluate("a-b * c-d", with_names(**defined)) == expected


@pytest.mark.parametrize(
    ("defined", "expected"),
    [({}, 1), ({"a_b": 4}, 63), ({"c_d": 2}, 6), ({"a_b": 4, "c_d": 2}, 16)],
    ids=["split-split", "whole-split", "split-whole", "whole-whole"],
)
def test_two_runs_with_right_associative_power(defined: dict[str, int], expected: int) -> None:
    assert evaluate("a-b ** c-d", with_names(**defined)) == expected


def test_long_additive_chain_of_runs() -> None:
    source = " + ".join(["a-b"] * 200)
    assert evaluate(source, with_names()) == 1600
    assert evaluate(source, with_names(a_b=1)) == 200


def test_node_ids_with_hyphens() -> None:
    scope = MapScope(
        {"fetch": 1, "joke": 2},
        nodes={"fetch-joke": {"value": 21, "output": "field"}, "race-api-1": [1, 2]},
    )
    assert evaluate("fetch-joke.value * 2", scope) == 42
    assert evaluate("fetch-joke.output", scope) == {"value": 21, "output": "field"}
    assert evaluate("fetch-joke.output.output", scope) == "field"
    assert evaluate("race-api-1.output.length", scope) == 2
    assert evaluate("fetch - joke", scope) == -1
    assert evaluate("fetch-joke", MapScope({"fetch": 1, "joke": 2})) == -1


def test_postfix_chain_applies_to_the_last_part_when_subtracting() -> None:
    scope = with_names()
    scope_with_obj = MapScope({"total": 10, "stats": {"count": 4}})
    assert evaluate("total-stats.count", scope_with_obj) == 6
    assert evaluate("items[i-1]", scope) == "q"
    assert evaluate("a.b-c", MapScope({"a": {"b": 5}, "c": 1})) == 4


def test_runs_inside_arrows_use_parameters() -> None:
    assert evaluate("map([1, 2], i => i-1)") == [0, 1]
    assert evaluate("map([1, 2], i => i-1)", with_names(i_1=100)) == [100, 100]


def test_numbers_after_hyphen() -> None:
    assert evaluate("x-1.5", with_names()) == 3.5
    assert evaluate("x-1e1", with_names()) == -5.0
    assert math.isnan(evaluate("x-y", with_names()))


def test_run_without_subtraction_reading_is_one_name() -> None:
    assert parse_expression("check-in") == Identifier(name="check-in")
    assert parse_expression("step-2b") == Identifier(name="step-2b")
    assert parse_expression("new-user") == Identifier(name="new-user")
    assert evaluate("check-in", MapScope(nodes={"check-in": 5})) == 5


def test_literal_words_as_parts() -> None:
    assert evaluate("x-true", with_names()) == 4
    assert evaluate("x-null", with_names()) == 5


def test_tree_shape_of_a_simple_run() -> None:
    tree = parse_expression("fetch-joke.text")
    assert isinstance(tree, HyphenName)
    assert tree.name == "fetch-joke"
    assert to_source(tree.whole) == "fetch-joke.text"
    assert to_source(tree.subtraction) == "fetch - joke.text"
    assert not tree.grouped


def test_grouped_run_stops_folding() -> None:
    tree = parse_expression("(a-b)")
    assert isinstance(tree, HyphenName) and tree.grouped
    assert to_source(tree.subtraction) == "a - b"


@pytest.mark.parametrize(
    "source",
    [
        "a-b",
        "a-b.c",
        "a-b.c(1)[2]",
        "2 * x-1",
        "x-1 * 2",
        "10 - x-1",
        "-x-1",
        "(x-1) * 2",
        "a-b ** c-d",
        "a-b * c-d",
        "x => x-1",
        "c + a-b - d",
        "(a-b).c",
        "((a-b))",
        "f(a-b, (c-d))",
        "typeof a-b",
        "a-b * c-d * e-f",
    ],
    ids=lambda v: v,
)
def test_runs_print_back_to_equal_trees(source: str) -> None:
    tree = parse_expression(source)
    assert parse_expression(to_source(tree)) == tree


def test_too_many_multiplied_runs_are_refused() -> None:
    assert evaluate(" * ".join(["a-b"] * 30), with_names(a_b=1)) == 1
    source = " * ".join(f"a{i}-b{i}" for i in range(300))
    with pytest.raises(LimitExceededError, match="too many hyphenated names"):
        parse_expression(source)
