"""Object built-ins (expressions.md §6, Object)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.values import UNDEFINED

DOC = {"a": {"b": [10, {"c": "deep"}]}, "x.y": "dotted", "n": None}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("keys", {"b": 1, "a": 2}, ["b", "a"]),
        ("keys", [7, 8], ["0", "1"]),
        ("keys", None, []),
        ("keys", 5, []),
        ("values", {"b": 1, "a": 2}, [1, 2]),
        ("values", "ab", ["a", "b"]),
        ("values", UNDEFINED, []),
        ("entries", {"b": 1, "a": [2]}, [["b", 1], ["a", [2]]]),
        ("entries", None, []),
    ],
    ids=[
        "keys",
        "keys-array",
        "keys-null",
        "keys-number",
        "values",
        "values-string",
        "values-undef",
        "entries",
        "entries-null",
    ],
)
def test_keys_values_entries(call: Any, name: str, value: Any, expected: Any) -> None:
    assert call(name, value) == expected


def test_from_entries(call: Any) -> None:
    assert call("from_entries", [["a", 1], ["b", [2]], [3, True]]) == {"a": 1, "b": [2], "3": True}
    assert call("from_entries", [{"key": "k", "value": "v"}]) == {"k": "v"}
    assert call("from_entries", [["only"]]) == {"only": UNDEFINED}
    assert call("from_entries", None) == {}
    with pytest.raises(ExpressionEvalError, match=r"from_entries\(\) expects \[key, value\] pairs"):
        call("from_entries", [5])


@pytest.mark.parametrize(
    ("path", "default", "expected"),
    [
        ("a.b.0", UNDEFINED, 10),
        ("a.b.1.c", UNDEFINED, "deep"),
        ("a.b[1].c", UNDEFINED, "deep"),
        ("a['b'][0]", UNDEFINED, 10),
        (["a", "b", 0], UNDEFINED, 10),
        ("x.y", UNDEFINED, "dotted"),
        ("a.missing.deeper", "dflt", "dflt"),
        ("a.b.5", 0, 0),
        ("n", "dflt", None),
        ("a.b.length", UNDEFINED, 2),
        ("", "dflt", DOC),
    ],
    ids=[
        "index",
        "deep",
        "brackets",
        "quoted",
        "array-path",
        "literal-dotted-key",
        "default",
        "out-of-range",
        "null-is-a-value",
        "length",
        "empty-path",
    ],
)
def test_get(call: Any, path: Any, default: Any, expected: Any) -> None:
    assert call("get", DOC, path, default) == expected


def test_get_on_null(call: Any) -> None:
    assert call("get", None, "a.b") is UNDEFINED
    assert call("get", None, "a.b", 3) == 3


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("a", True),
        ("a.b", True),
        ("a.b.1", True),
        ("a.b.2", False),
        ("n", True),
        ("x.y", True),
        ("zzz", False),
        ("a.zzz", False),
    ],
    ids=[
        "top",
        "path",
        "index",
        "bad-index",
        "null-value",
        "dotted-key",
        "missing",
        "missing-nested",
    ],
)
def test_has(call: Any, key: str, expected: bool) -> None:
    assert call("has", DOC, key) is expected


def test_has_on_non_objects(call: Any) -> None:
    assert call("has", None, "a") is False
    assert call("has", [1, 2], "1") is True


def test_merge_is_shallow_and_later_wins(call: Any) -> None:
    first, second = {"a": 1, "n": {"x": 1}}, {"b": 2, "n": {"y": 2}}
    assert call("merge", first, second, None) == {"a": 1, "n": {"y": 2}, "b": 2}
    assert first == {"a": 1, "n": {"x": 1}}
    assert call("merge") == {}
    with pytest.raises(ExpressionEvalError, match=r"merge\(\) expects objects, got array"):
        call("merge", {}, [1])


def test_deep_merge(call: Any) -> None:
    base = {"a": {"x": 1, "list": [1, 2]}, "k": 1}
    result = call("deep_merge", base, {"a": {"y": 2, "list": [3]}, "k": {"z": 1}}, UNDEFINED)
    assert result == {"a": {"x": 1, "list": [3], "y": 2}, "k": {"z": 1}}
    assert base == {"a": {"x": 1, "list": [1, 2]}, "k": 1}


@pytest.mark.parametrize(
    ("name", "keys", "expected"),
    [
        ("pick", ["a", "c", "zz"], {"a": 1, "c": 3}),
        ("pick", "b", {"b": 2}),
        ("omit", ["a", "c"], {"b": 2}),
        ("omit", "a", {"b": 2, "c": 3}),
    ],
    ids=["pick", "pick-one", "omit", "omit-one"],
)
def test_pick_omit(call: Any, name: str, keys: Any, expected: dict[str, Any]) -> None:
    assert call(name, {"a": 1, "b": 2, "c": 3}, keys) == expected


def test_pick_omit_on_non_objects(call: Any) -> None:
    assert call("pick", None, ["a"]) == {}
    assert call("omit", [1], ["a"]) == {}


@pytest.mark.parametrize(
    ("value", "expected"),
    [({"a": 1, "b": 2}, 2), ([1, 2, 3], 3), ("abc", 3), (None, 0), (5, 0)],
    ids=["object", "array", "string", "null", "number"],
)
def test_size(call: Any, value: Any, expected: int) -> None:
    assert call("size", value) == expected


class TestSet:
    def test_copies_and_does_not_mutate(self, call: Any) -> None:
        original = copy.deepcopy(DOC)
        result = call("set", DOC, "a.b.1.c", "new")
        assert result["a"]["b"][1]["c"] == "new"
        assert original == DOC
        assert result["x.y"] == "dotted"

    def test_creates_missing_levels(self, call: Any) -> None:
        assert call("set", {}, "a.b.c", 1) == {"a": {"b": {"c": 1}}}
        assert call("set", None, "list.1", "x") == {"list": [UNDEFINED, "x"]}

    def test_appends_to_arrays(self, call: Any) -> None:
        assert call("set", [1, 2], "2", 3) == [1, 2, 3]
        assert call("set", {"a": [1]}, ["a", 0], 9) == {"a": [9]}

    def test_replaces_scalars_on_the_way(self, call: Any) -> None:
        assert call("set", {"a": 5}, "a.b", 1) == {"a": {"b": 1}}

    def test_empty_path_is_an_error(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="non-empty path"):
            call("set", {}, "", 1)

    def test_huge_index_is_refused(self, call: Any) -> None:
        with pytest.raises(LimitExceededError):
            call("set", [], "999999999999", 1)


class TestDelete:
    def test_copies_and_does_not_mutate(self, call: Any) -> None:
        obj = {"a": 1, "b": 2}
        assert call("delete", obj, "a") == {"b": 2}
        assert obj == {"a": 1, "b": 2}

    def test_paths_and_indexes(self, call: Any) -> None:
        assert call("delete", DOC, "a.b.0") == {**DOC, "a": {"b": [{"c": "deep"}]}}
        assert call("delete", DOC, "a.b.1.c") == {**DOC, "a": {"b": [10, {}]}}
        assert call("delete", DOC, "x.y") == {"a": DOC["a"], "n": None}

    def test_missing_key_returns_the_value(self, call: Any) -> None:
        assert call("delete", {"a": 1}, "zz.y") == {"a": 1}
        assert call("delete", None, "a") is None


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2}]}, True),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [2, 1], False),
        (1, 1.0, True),
        (1, "1", False),
        (None, UNDEFINED, False),
        (float("nan"), float("nan"), True),
    ],
    ids=["deep", "extra-key", "order", "int-float", "types", "null-undefined", "nan"],
)
def test_equals(call: Any, a: Any, b: Any, expected: bool) -> None:
    assert call("equals", a, b) is expected


def test_clone_is_deep(call: Any) -> None:
    original = {"a": [1, {"b": 2}]}
    cloned = call("clone", original)
    assert cloned == original
    assert cloned is not original and cloned["a"] is not original["a"]
    assert cloned["a"][1] is not original["a"][1]
    assert call("clone", "s") == "s"
