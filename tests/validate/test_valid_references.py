"""Reference rules: inputs, handlers, gotos, breaks, cycles."""

from __future__ import annotations

from flowscript.parser import parse
from flowscript.validate import validate


def check(body: str) -> list[tuple[str, int, int, str]]:
    text = f"---\nname: r\nversion: 1.0.0\n---\n<workflow>\n{body}\n</workflow>\n"
    result = validate(parse(text, "r.flow.md"))
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics if d.span]


def test_fallback_chains_are_fine_and_cycles_are_not() -> None:
    chain = """  <source id="a" url="u"><on-error><fallback node="b"/></on-error></source>
  <source id="b" url="u"><on-error><fallback ref="c"/></on-error></source>
  <source id="c" type="file" path="p"/>"""
    assert check(chain) == []
    cycle = """  <source id="a" url="u"><on-error><fallback node="b"/></on-error></source>
  <source id="b" url="u"><on-error><fallback node="c"/></on-error></source>
  <source id="c" url="u"><on-error><fallback node="a"/></on-error></source>"""
    assert check(cycle) == [
        ("VALID_CIRCULAR_FALLBACK", 6, 52, "fallbacks form a cycle: a -> b -> c -> a")
    ]


def test_depending_on_a_handler_or_on_a_node_inside_one() -> None:
    body = """  <source id="fetch" type="http" url="u">
    <on-error><fallback node="recover"/></on-error>
  </source>
  <phase name="recover">
    <transform id="inner" template="x"/>
  </phase>
  <transform id="uses-inner" template="{{ inner }}"/>
  <transform id="fine" input="fetch" template="{{ fetch }}"/>"""
    assert check(body) == [
        (
            "VALID_HANDLER_ALSO_SCHEDULED",
            12,
            43,
            "`uses-inner` depends on `inner`, but `recover` is the fallback of `fetch` and runs "
            "only when invoked",
        )
    ]


def test_handlers_may_read_other_nodes_and_nodes_inside_handlers_are_not_checked() -> None:
    body = """  <source id="fetch" type="http" url="u">
    <on-error><fallback node="recover"/></on-error>
  </source>
  <phase name="recover">
    <transform id="one" template="x"/>
    <transform id="two" input="one" template="{{ fetch }}"/>
  </phase>
  <timeout id="t" duration="1s" on-timeout="late"><delay id="d" duration="2s"/></timeout>
  <transform id="late" template="{{ recover }}"/>"""
    assert check(body) == []


def test_goto_targets_in_enclosing_scopes_are_fine() -> None:
    body = """  <transform id="top" template="x"/>
  <loop id="l" max="3">
    <if id="g" condition="true">
      <then>
        <goto id="back" node="top"/>
        <goto id="loop-start" node="step"/>
        <checkpoint id="c" prompt="?">
          <action id="again" label="Again" goto="l"/>
          <timeout duration="1m" goto="g"/>
        </checkpoint>
      </then>
    </if>
    <transform id="step" template="s"/>
  </loop>"""
    assert check(body) == []


def test_checkpoint_timeout_goto_outside_the_scope_chain() -> None:
    body = """  <if id="g" condition="true"><then><transform id="deep" template="x"/></then></if>
  <checkpoint id="c" prompt="?">
    <timeout duration="1m" goto="deep"/>
  </checkpoint>
  <checkpoint id="c2" prompt="?">
    <timeout duration="1m" goto="ghost"/>
  </checkpoint>"""
    assert [(c, m) for c, _, _, m in check(body)] == [
        (
            "VALID_INVALID_GOTO_TARGET",
            "`c` cannot jump to `deep`: a goto target must be in the same scope or an "
            "enclosing one",
        ),
        ("VALID_UNDEFINED_NODE_REF", "the timeout goto of `c2` names unknown node `ghost`"),
    ]


def test_break_may_name_any_enclosing_loop() -> None:
    body = """  <while id="outer" condition="true" max="5">
    <foreach id="inner" collection="[1]">
      <break loop="outer" when="item > 0"/>
      <break/>
    </foreach>
  </while>"""
    assert check(body) == []


def test_input_lists_are_checked_item_by_item() -> None:
    body = """  <transform id="a" template="x"/>
  <transform id="b" input="a, c, a.output" template="x"/>"""
    assert check(body) == [
        ("VALID_UNDEFINED_NODE_REF", 7, 31, "`input` of `b` names unknown node `c`")
    ]


def test_self_input_is_feedback_inside_loops_only() -> None:
    assert check('  <loop id="l" max="2"><transform id="a" input="a" template="x"/></loop>') == []
    assert [c for c, *_ in check('  <transform id="a" input="a" template="x"/>')] == [
        "VALID_CIRCULAR_DEPENDENCY"
    ]


def test_cycle_hints_name_the_references() -> None:
    text = (
        "---\nname: r\nversion: 1.0.0\n---\n<workflow>\n"
        '  <phase name="one"><transform id="a" template="{{ b }}"/></phase>\n'
        '  <phase name="two"><transform id="b" template="x"/></phase>\n</workflow>\n'
    )
    (diagnostic,) = validate(parse(text, "c")).diagnostics
    assert diagnostic.message == "nodes wait for each other: one -> two -> one"
    assert diagnostic.hints == ("`a` reads `b` at line 6", "phase `two` runs after phase `one`")
