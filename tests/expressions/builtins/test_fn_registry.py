"""The registry: exactly the functions of expressions.md §6, documented, with sound arity."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError
from flowscript.expressions.builtins import ALIASES, CATEGORIES, FUNCTIONS, Builtin
from flowscript.expressions.builtins._registry import arity_of
from flowscript.expressions.sandbox import Sandbox

SPEC_FUNCTIONS = {
    "String": (
        "upper lower trim replace split join truncate concat includes starts_with ends_with "
        "substring pad_start pad_end repeat char_at len slugify capitalize title"
    ),
    "Array": (
        "length first last slice flatten unique reverse contains index_of sort compact count at "
        "every some find map filter reduce group_by take skip range array_concat zip chunk pluck"
    ),
    "Math": (
        "add subtract multiply divide min max sum avg round floor ceil abs pow sqrt random "
        "random_int clamp mod sign trunc percent"
    ),
    "Time": (
        "now date time parse_date format_date add_time subtract_time diff timestamp "
        "from_timestamp start_of end_of get_part is_before is_after relative duration"
    ),
    "Object": (
        "keys values entries from_entries get has merge deep_merge pick omit size set delete "
        "equals clone"
    ),
    "Type and logic": (
        "typeof is_null is_array is_object is_string is_number is_boolean is_empty to_string "
        "to_number to_boolean to_array coalesce default if_else not and or is_finite is_integer "
        "is_nan is_truthy is_falsy switch"
    ),
    "Utility": (
        "json_encode json_decode base64_encode base64_decode url_encode url_decode uuid match "
        "test match_all hash pretty jmespath"
    ),
}


def test_function_names_are_exactly_the_spec_list() -> None:
    expected = {name for names in SPEC_FUNCTIONS.values() for name in names.split()}
    assert len(expected) == 137
    assert set(FUNCTIONS) == expected


@pytest.mark.parametrize("category", list(SPEC_FUNCTIONS), ids=list(SPEC_FUNCTIONS))
def test_functions_sit_in_their_spec_category(category: str) -> None:
    names = {name for name, b in FUNCTIONS.items() if b.category == category}
    assert names == set(SPEC_FUNCTIONS[category].split())


def test_categories_are_in_display_order() -> None:
    assert tuple(SPEC_FUNCTIONS) == CATEGORIES


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_is_documented(name: str) -> None:
    builtin = FUNCTIONS[name]
    assert isinstance(builtin, Builtin)
    assert builtin.name == name
    assert builtin.doc.strip() and "\n" not in builtin.doc
    assert builtin.signature.startswith(name + "(")
    assert builtin.signature.endswith(")")
    assert builtin.max_args is None or builtin.max_args >= builtin.min_args


def test_aliases_point_at_functions() -> None:
    assert ALIASES["Math.floor"] == "floor"
    assert ALIASES["JSON.parse"] == "json_decode"
    assert ALIASES["JSON.stringify"] == "json_encode"
    expected_math = [
        "floor",
        "max",
        "min",
        "abs",
        "round",
        "ceil",
        "pow",
        "sqrt",
        "random",
        "sign",
        "trunc",
    ]
    assert {k for k in ALIASES if k.startswith("Math.")} == {f"Math.{n}" for n in expected_math}
    assert all(target in FUNCTIONS for target in ALIASES.values())


def test_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        FUNCTIONS["evil"] = FUNCTIONS["upper"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("signature", "expected"),
    [
        ("upper(s)", ("upper", 1, 1)),
        ('truncate(s, len, [suffix="..."])', ("truncate", 2, 3)),
        ("concat(...values)", ("concat", 0, None)),
        ('sort(a, [key_or_fn], ["asc"|"desc"])', ("sort", 1, 3)),
        ("now()", ("now", 0, 0)),
        ("base64_encode(s)", ("base64_encode", 1, 1)),
    ],
    ids=["one", "optional", "variadic", "quoted-options", "none", "digits-in-name"],
)
def test_arity_is_read_from_the_signature(signature: str, expected: Any) -> None:
    assert arity_of(signature) == expected


def test_malformed_signature_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="malformed"):
        arity_of("Upper s")


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("upper", [], r"upper\(\) expects at least 1 argument, got 0"),
        ("upper", ["a", "b"], r"upper\(\) expects at most 1 argument, got 2"),
        ("pow", [2], r"pow\(\) expects at least 2 arguments, got 1"),
        ("now", [1], r"now\(\) expects at most 0 arguments, got 1"),
    ],
    ids=["too-few", "too-many", "too-few-plural", "none-expected"],
)
def test_wrong_argument_count_names_the_function(name: str, args: list[Any], message: str) -> None:
    with pytest.raises(ExpressionEvalError, match=message):
        FUNCTIONS[name].impl(Sandbox(), args)


def test_variadic_functions_accept_many_arguments() -> None:
    assert FUNCTIONS["max"].impl(Sandbox(), list(range(50))) == 49


def test_every_call_charges_the_sandbox() -> None:
    sandbox = Sandbox()
    FUNCTIONS["upper"].impl(sandbox, ["abc"])
    assert sandbox.steps >= 1
