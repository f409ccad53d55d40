"""Utility built-ins (expressions.md §6, Utility), except the regular expressions."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Limits
from flowscript.expressions.values import UNDEFINED


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([{"a": [1, 2.0, None], "b": "é\n"}], '{"a":[1,2,null],"b":"é\\n"}'),
        ([{"a": 1, "u": UNDEFINED}], '{"a":1}'),
        ([[UNDEFINED, math.nan]], "[null,null]"),
        ([{"a": [1]}, 2], '{\n  "a": [\n    1\n  ]\n}'),
        ([[1], "\t"], "[\n\t1\n]"),
        ([[1], 50], "[\n          1\n]"),
        ([[1], 0], "[1]"),
        (["s"], '"s"'),
        ([None], "null"),
        ([1e21], "1e+21"),
    ],
    ids=[
        "compact",
        "drops-undefined",
        "nulls-in-arrays",
        "indent",
        "tab",
        "indent-clamped",
        "indent-zero",
        "string",
        "null",
        "number",
    ],
)
def test_json_encode(call: Any, args: list[Any], expected: str) -> None:
    assert call("json_encode", *args) == expected


def test_json_encode_of_undefined_and_functions_is_undefined(call: Any, fn: Any) -> None:
    assert call("json_encode", UNDEFINED) is UNDEFINED
    assert call("json_encode", fn(lambda: 1)) is UNDEFINED


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
        ("12", 12),
        ('"s"', "s"),
        ("null", None),
        ("{bad json}", None),
        ("NaN", None),
        ("", None),
        (None, None),
        ({"a": 1}, {"a": 1}),
        ("9007199254740993", 9007199254740992.0),
        ("[" * 100_000, None),
    ],
    ids=[
        "object",
        "number",
        "string",
        "null",
        "invalid",
        "nan-literal",
        "empty",
        "null-input",
        "already-parsed",
        "big-int",
        "too-deep",
    ],
)
def test_json_decode(call: Any, value: Any, expected: Any) -> None:
    assert call("json_decode", value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("hello", "aGVsbG8="), ("héllo ✓", "aMOpbGxvIOKckw=="), ("", ""), (None, ""), (12, "MTI=")],
    ids=["ascii", "utf8", "empty", "null", "number"],
)
def test_base64_round_trip(call: Any, value: Any, expected: str) -> None:
    assert call("base64_encode", value) == expected
    assert call("base64_decode", expected) == ("" if value is None else str(value))


def test_base64_decode_accepts_url_safe_and_missing_padding(call: Any) -> None:
    assert call("base64_decode", "aGVsbG8") == "hello"
    assert call("base64_decode", "-_8") == "\xfb\xff"
    assert call("base64_decode", "aGVs\nbG8=") == "hello"


def test_base64_decode_rejects_garbage(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match=r"base64_decode\(\): invalid base64"):
        call("base64_decode", "@@@@")


def test_base64_encode_rejects_lone_surrogates(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match="lone surrogate"):
        call("base64_encode", "\ud800")


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a b&c=d/é", "a%20b%26c%3Dd%2F%C3%A9"),
        ("-_.!~*'()", "-_.!~*'()"),
        ("😀", "%F0%9F%98%80"),
        (None, ""),
    ],
    ids=["reserved", "unreserved", "emoji", "null"],
)
def test_url_encode_decode(call: Any, value: Any, encoded: str) -> None:
    assert call("url_encode", value) == encoded
    assert call("url_decode", encoded) == ("" if value is None else value)


def test_url_decode_keeps_plus_like_decode_uri_component(call: Any) -> None:
    assert call("url_decode", "a+b%20c") == "a+b c"


def test_uuid_is_version_4(call: Any) -> None:
    first, second = call("uuid"), call("uuid")
    pattern = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
    assert re.fullmatch(pattern, first) and re.fullmatch(pattern, second)
    assert first != second


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["abc"], 193409669),
        ([""], 5381),
        ([None], 5381),
        (["😀"], 5308056),
        (["abc", "md5"], "900150983cd24fb0d6963f7d28e17f72"),
        (["abc", "sha1"], "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (["abc", "sha256"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            ["abc", "sha512"],
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ],
    ids=["djb2-abc", "djb2-empty", "djb2-null", "djb2-utf16", "md5", "sha1", "sha256", "sha512"],
)
def test_hash(call: Any, args: list[Any], expected: Any) -> None:
    assert call("hash", *args) == expected


def test_hash_djb2_matches_the_javascript_loop(call: Any) -> None:
    def js_hash(text: str) -> int:
        h = 5381
        data = text.encode("utf-16-be", "surrogatepass")
        for i in range(0, len(data), 2):
            h = ((h * 33) ^ int.from_bytes(data[i : i + 2], "big")) & 0xFFFFFFFF
        return h

    for text in ("hello world", "Ünïcödé", "😀x", "a" * 500):
        assert call("hash", text) == js_hash(text)


def test_hash_unknown_algorithm(call: Any) -> None:
    with pytest.raises(ExpressionEvalError, match=r"hash\(\): unknown algorithm 'crc32'"):
        call("hash", "abc", "crc32")


def test_pretty(call: Any) -> None:
    assert call("pretty", {"a": [1]}) == '{\n  "a": [\n    1\n  ]\n}'
    assert call("pretty", {"a": 1}, 4) == '{\n    "a": 1\n}'
    assert call("pretty", []) == "[]"


class TestJmespath:
    def test_query(self, call: Any) -> None:
        data = {"people": [{"name": "a", "age": 30}, {"name": "b", "age": 20}]}
        assert call("jmespath", data, "people[?age > `25`].name") == ["a"]
        assert call("jmespath", data, "max_by(people, &age).name") == "a"
        assert call("jmespath", data, "missing") is None

    def test_integral_floats_become_ints(self, call: Any) -> None:
        assert call("jmespath", {"a": [1.0, 2.0]}, "sum(a)") == 3

    def test_invalid_expression(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match=r"jmespath\(\)"):
            call("jmespath", {}, "people[?")

    def test_expression_must_be_a_string(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match="expression as a string"):
            call("jmespath", {}, 5)


def test_large_outputs_are_bounded(call_limited: Any) -> None:
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=10), "base64_encode", "x" * 20)
    with pytest.raises(LimitExceededError):
        call_limited(Limits(max_size=10), "url_encode", "é" * 5)
