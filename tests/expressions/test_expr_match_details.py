"""match() / match_all(): JavaScript's match arrays with ``index``, ``input`` and ``groups``."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest
from clirun import run_flowscript

from flowscript.errors import BlockedAccessError
from flowscript.expressions import evaluate, render_template
from flowscript.expressions.values import (
    UNDEFINED,
    MatchArray,
    js_typeof,
    plain_json,
    to_json,
)

DATE = r"(?<year>\d{4})-(?<month>\d{2})(?:-(?<day>\d{2}))?"
SCOPE = {"text": "due 2026-03 or 2027-11-05", "date": DATE}


def ev(source: str) -> Any:
    return evaluate(source, SCOPE)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param('match("abc", "b")', ["b"], id="array"),
        pytest.param('match("abc", "b").index', 1, id="index"),
        pytest.param('match("abc", "b").input', "abc", id="input"),
        pytest.param('match("abc", "b")["index"]', 1, id="index-by-key"),
        pytest.param("match(text, date).index", 4, id="index-of-first"),
        pytest.param("match(text, date)[1]", "2026", id="positional-group"),
        pytest.param("match(text, date).groups.year", "2026", id="named-group"),
        pytest.param("match(text, date).groups['month']", "03", id="named-group-by-key"),
        pytest.param("match(text, date).groups.nope", UNDEFINED, id="unknown-group"),
        pytest.param('match("é😀b", "b").index', 2, id="index-counts-code-points"),
        pytest.param('match("aXb", "x", "i").index', 1, id="flags-argument"),
        pytest.param('match("ab", "(?<x>a)(b)").groups', {"x": "a"}, id="only-named-groups"),
        pytest.param('match("a", "(?<x>a)|(?<y>b)").groups.y', UNDEFINED, id="unmatched-named"),
        pytest.param('match("abc", "(b)").foo', UNDEFINED, id="other-name-undefined"),
        pytest.param('match("abc", "b")?.index', 1, id="optional-chain"),
        pytest.param('match("abc", "z")?.index', UNDEFINED, id="no-match-optional"),
        pytest.param('get(match(text, date), "groups.year")', "2026", id="get-path"),
        pytest.param('get(match("abc", "c"), "index")', 2, id="get-index"),
        pytest.param('"index" in match("abc", "b")', True, id="in-index"),
        pytest.param('"groups" in match("abc", "b")', True, id="in-groups-even-undefined"),
        pytest.param('"input" in match("abc", "b")', True, id="in-input"),
        pytest.param('"start" in match("abc", "b")', False, id="in-python-name"),
        pytest.param('"index" in ["b"]', False, id="in-plain-array"),
    ],
)
def test_match_properties(source: str, expected: Any) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('match("abc", "b").groups', id="no-named-groups"),
        pytest.param('match("abc", "/b/g").index', id="global-is-plain"),
        pytest.param('match("abc", "b")[1]', id="past-the-end"),
        pytest.param("match(text, date).groups.day", id="named-group-not-taken"),
    ],
)
def test_match_undefined_properties(source: str) -> None:
    assert ev(source) is UNDEFINED


def test_match_value_is_a_match_array_with_every_detail() -> None:
    result = ev("match(text, date)")
    assert isinstance(result, MatchArray)
    assert result == ["2026-03", "2026", "03", UNDEFINED]
    assert (result.start, result.subject) == (4, "due 2026-03 or 2027-11-05")
    assert result.groups == {"year": "2026", "month": "03", "day": UNDEFINED}
    assert list(result.groups) == ["year", "month", "day"]


def test_global_match_is_a_plain_array() -> None:
    assert type(ev('match("a1b22", "/\\\\d+/g")')) is list


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("match_all(text, date).map(m => m.index)", [4, 15], id="indexes"),
        pytest.param("match_all(text, date).map(m => m.groups.day)", [UNDEFINED, "05"], id="days"),
        pytest.param("match_all(text, date)[1][3]", "05", id="positional"),
        pytest.param("match_all(text, date)[1].input", SCOPE["text"], id="input"),
        pytest.param('match_all("a1b22", "\\\\d+").map(m => m.groups)', [UNDEFINED] * 2, id="none"),
        pytest.param('match_all("abc", "z")', [], id="no-match"),
    ],
)
def test_match_all_entries_have_the_details(source: str, expected: Any) -> None:
    assert ev(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("match(text, date).length", 4, id="length"),
        pytest.param("typeof match(text, date)", "array", id="typeof"),
        pytest.param("match(text, date).slice(1, 3)", ["2026", "03"], id="slice"),
        pytest.param(
            "match(text, date).map(g => g ?? '-')", ["2026-03", "2026", "03", "-"], id="map"
        ),
        pytest.param("match(text, date).filter(g => g).length", 3, id="filter"),
        pytest.param("[...match('abc', '(b)(c)')]", ["bc", "b", "c"], id="spread"),
        pytest.param("match('abc', '(b)(c)').join('|')", "bc|b|c", id="join"),
        pytest.param("match('abc', 'b') == 'b'", True, id="loose-equals-string"),
        pytest.param("equals(match('abc', '(b)'), ['b', 'b'])", True, id="deep-equal"),
        pytest.param("contains([['b']], match('abc', 'b'))", True, id="contains"),
        pytest.param("is_array(match('abc', 'b'))", True, id="is-array"),
        pytest.param("json_encode(match(text, date))", '["2026-03","2026","03",null]', id="json"),
        pytest.param("JSON.stringify(match('abc', 'b'))", '["b"]', id="stringify"),
        pytest.param("`${match('abc', '(b)')}`", "b,b", id="to-string"),
        pytest.param("keys(match('abc', '(b)'))", ["0", "1"], id="keys"),
    ],
)
def test_match_behaves_as_an_array(source: str, expected: Any) -> None:
    assert ev(source) == expected


def test_array_methods_return_plain_arrays() -> None:
    assert type(ev("match(text, date).map(g => g)")) is list
    assert type(ev("match(text, date).slice(0)")) is list


def test_blocked_names_stay_blocked_on_a_match() -> None:
    with pytest.raises(BlockedAccessError, match="`constructor` is blocked"):
        ev('match("abc", "b").constructor')
    with pytest.raises(BlockedAccessError, match="`__class__` is blocked"):
        ev('match("abc", "b").__class__')


def test_python_attributes_are_not_reachable() -> None:
    assert ev('match("abc", "b").start') is UNDEFINED
    assert ev('match("abc", "b").subject') is UNDEFINED


def test_serialises_as_the_plain_array() -> None:
    match = ev("match(text, date)")
    assert to_json(match) == '["2026-03","2026","03",null]'
    plain = plain_json(match)
    assert type(plain) is list
    assert plain == ["2026-03", "2026", "03", None]
    assert render_template("{{ match(text, date) }}!", SCOPE) == '["2026-03","2026","03",null]!'
    assert js_typeof(match) == "array"


@pytest.mark.parametrize(
    "clone",
    [
        pytest.param(lambda m: pickle.loads(pickle.dumps(m)), id="pickle"),
        pytest.param(copy.deepcopy, id="deepcopy"),
        pytest.param(copy.copy, id="copy"),
    ],
)
def test_copies_keep_the_details(clone: Any) -> None:
    copied = clone(ev("match(text, date)"))
    assert isinstance(copied, MatchArray)
    assert copied == ["2026-03", "2026", "03", UNDEFINED]
    assert (copied.start, copied.subject) == (4, SCOPE["text"])
    assert copied.groups == {"year": "2026", "month": "03", "day": UNDEFINED}


def test_member_maps_only_the_javascript_names() -> None:
    match = MatchArray(["b"], 1, "abc", UNDEFINED)
    assert [match.member(n) for n in ("index", "input", "groups", "start", "0")] == [
        1,
        "abc",
        UNDEFINED,
        UNDEFINED,
        UNDEFINED,
    ]
    assert match.index("b") == 0  # list.index is not hidden


# --- a whole run ------------------------------------------------------------------------------

FLOW = """---
name: matcher
version: "1.0"
---
<workflow>
  <transform id="found" type="template">
    <template>{{ match($input.text, "(?&lt;word&gt;b+)(c)?") }}</template>
  </transform>
  <transform id="details" type="template" input="found">
    <template>
      {{ {index: found.index, word: found.groups.word, first: found[1], all: found} }}
    </template>
  </transform>
  <transform id="found_again" type="template" input="details">
    <template>{{ found }}</template>
  </transform>
</workflow>
"""


ARGS = ("--no-log", "--input", '{"text": "abbd"}')


def _run_json(tmp_path: Path) -> dict[str, Any]:
    (tmp_path / "matcher.flow.md").write_text(FLOW, encoding="utf-8")
    result = run_flowscript(tmp_path, "run", "matcher.flow.md", "--format", "json", *ARGS)
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_a_run_whose_node_outputs_a_match(tmp_path: Path) -> None:
    from flowscript.persistence import read_state

    document = _run_json(tmp_path)
    assert document["result"] == ["bb", "bb", None]
    state = read_state(Path(document["statePath"]))
    assert state.output_of("found") == ["bb", "bb", None]
    assert state.output_of("details") == {
        "index": 1,
        "word": "bb",
        "first": "bb",
        "all": ["bb", "bb", None],
    }
