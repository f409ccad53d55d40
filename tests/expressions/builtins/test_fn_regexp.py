"""match / test / match_all: JavaScript regular expressions, time-bounded."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import ExpressionEvalError, LimitExceededError
from flowscript.expressions.sandbox import Limits
from flowscript.expressions.values import UNDEFINED


class TestMatch:
    def test_first_match_with_groups(self, call: Any) -> None:
        assert call("match", "order 123-45", r"(\d+)-(\d+)") == ["123-45", "123", "45"]

    def test_no_match_is_null(self, call: Any) -> None:
        assert call("match", "abc", r"\d") is None

    def test_unmatched_group_is_undefined(self, call: Any) -> None:
        assert call("match", "ac", "a(b)?c") == ["ac", UNDEFINED]

    def test_named_groups_are_positional(self, call: Any) -> None:
        result = call("match", "2026-03", r"(?<year>\d{4})-(?<month>\d{2})")
        assert result == ["2026-03", "2026", "03"]

    def test_named_backreference(self, call: Any) -> None:
        assert call("match", "abcabc", r"(?<w>abc)\k<w>") == ["abcabc", "abc"]

    def test_global_flag_returns_every_full_match(self, call: Any) -> None:
        assert call("match", "a1b22c333", r"/\d+/g") == ["1", "22", "333"]
        assert call("match", "abc", r"/\d+/g") is None

    def test_flags_argument(self, call: Any) -> None:
        assert call("match", "ABC", "b", "i") == ["B"]
        assert call("match", "ABC", "/b/", "gi") == ["B"]

    def test_null_subject_is_empty(self, call: Any) -> None:
        assert call("match", None, "^$") == [""]


class TestTranslation:
    @pytest.mark.parametrize(
        ("subject", "pattern", "expected"),
        [
            ("٣", r"\d", False),
            ("é", r"\w", False),
            ("\u00a0", r"^\s$", True),
            ("\x1c", r"\s", False),
            ("a\nb", "a.b", False),
            ("a\rb", "a.b", False),
            ("a\nb", "/a.b/s", True),
            ("abc\n", "abc$", False),
            ("abc\ndef", "/^def$/m", True),
            ("abc\ndef", "^def$", False),
            ("x\u2028y", "/^y/m", True),
            ("ab", "[^]b", True),
            ("ab", "a[]", False),
            ("A", r"[\d\w]", True),
            ("é", r"[\W]", True),
            ("5", r"[\D]", False),
            ("café", r"caf\b", True),
            ("éa", r"\bé", False),
            ("a/b", r"a\/b", True),
            ("\x01", r"\cA", True),
            ("\x00", r"\0", True),
            ("e", r"\e", True),
            ("😀", r"/\u{1F600}/u", True),
            ("A", r"\u0041", True),
            ("&&", "^[&]+$", True),
            ("a-b", r"a[\-]b", True),
            ("(x)", r"[()]x", True),
            ("ab", "(?<=a)b", True),
            ("ab", "(?<!a)b", False),
            ("ab", "a(?=b)", True),
            ("ab", "(?:a)(?!c)", True),
        ],
        ids=[
            "ascii-digit",
            "ascii-word",
            "js-space",
            "not-js-space",
            "dot-newline",
            "dot-cr",
            "dotall",
            "dollar-no-trailing-newline",
            "multiline",
            "single-line",
            "multiline-ls",
            "any-class",
            "empty-class",
            "class-escapes",
            "class-not-word",
            "class-not-digit",
            "ascii-boundary-after",
            "ascii-boundary-before",
            "escaped-slash",
            "control",
            "nul",
            "identity-escape",
            "code-point",
            "unicode-escape",
            "ampersand-only",
            "class-dash",
            "class-parens",
            "lookbehind",
            "negative-lookbehind",
            "lookahead",
            "non-capturing",
        ],
    )
    def test_javascript_semantics(
        self, call: Any, subject: str, pattern: str, expected: bool
    ) -> None:
        assert call("test", subject, pattern) is expected

    def test_case_insensitive_unicode(self, call: Any) -> None:
        assert call("test", "ÉTÉ", "/été/i") is True


class TestRejected:
    @pytest.mark.parametrize(
        ("pattern", "flags", "message"),
        [
            ("/a/y", UNDEFINED, "sticky flag y is not supported"),
            ("a", "d", "unsupported flag 'd'"),
            ("/a/gg", UNDEFINED, "duplicate flags"),
            ("(?P<n>a)", UNDEFINED, "unsupported group syntax"),
            ("(?i)a", UNDEFINED, "unsupported group syntax"),
            ("[abc", UNDEFINED, "missing ]"),
            ("a(", UNDEFINED, "invalid regular expression /a\\(/"),
            ("a\\", UNDEFINED, "at end of pattern"),
            (r"\k", UNDEFINED, "followed by <name>"),
            (r"/\u{zz}/u", UNDEFINED, "invalid"),
        ],
        ids=[
            "sticky",
            "indices",
            "duplicate",
            "python-named",
            "inline-flags",
            "open-class",
            "open-group",
            "trailing-backslash",
            "bare-k",
            "bad-code-point",
        ],
    )
    def test_clear_errors(self, call: Any, pattern: str, flags: Any, message: str) -> None:
        with pytest.raises(ExpressionEvalError, match=message):
            call("test", "a", pattern, flags)

    def test_pattern_must_be_a_string(self, call: Any) -> None:
        with pytest.raises(ExpressionEvalError, match=r"match\(\) expects the pattern as a string"):
            call("match", "a", 5)


def test_test(call: Any) -> None:
    assert call("test", "hello", "^h.*o$") is True
    assert call("test", "hello", "^x") is False
    assert call("test", "HELLO", "/^h/i") is True


def test_match_all(call: Any) -> None:
    assert call("match_all", "a1 b2 c", r"([a-z])(\d)?") == [
        ["a1", "a", "1"],
        ["b2", "b", "2"],
        ["c", "c", UNDEFINED],
    ]
    assert call("match_all", "xyz", r"\d") == []
    assert call("match_all", "aaa", "a*") == [["aaa"], [""]]


def test_a_slash_that_is_not_a_literal_form_is_part_of_the_pattern(call: Any) -> None:
    assert call("test", "a/b", "a/b") is True
    assert call("match", "x/y/z", "/y/z") == ["/y/z"]
    assert call("match", "/path/", "/path/") == ["path"]


class TestCatastrophicPatterns:
    def test_nested_quantifier_does_not_hang(self, call: Any) -> None:
        assert call("match", "a" * 30 + "!", "(a+)+$") is None

    def test_exponential_backtracking_fails_fast(self, call: Any) -> None:
        with pytest.raises(LimitExceededError, match="regular expression took too long"):
            call("test", "a" * 40 + "!", "(a|aa)+$")

    def test_timeout_comes_from_the_sandbox(self, call_limited: Any) -> None:
        with pytest.raises(LimitExceededError, match=r"more than 0.01s"):
            call_limited(Limits(regex_timeout=0.01), "match_all", "a" * 40 + "!", "(a|aa)+$")

    def test_every_match_is_charged(self, call_limited: Any) -> None:
        with pytest.raises(LimitExceededError, match="evaluation steps"):
            call_limited(Limits(max_steps=50), "match_all", "a" * 100, "a")
