"""Golden valid flows: each parses with no parse diagnostics, and keeps what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowscript.model import CheckpointSpec, DataNodeSpec, ParallelSpec, Workflow
from flowscript.parser import find_log_section, parse_file
from flowscript.parser.body import NODE_TAGS

GOLDEN = Path(__file__).parent.parent / "golden" / "valid"
FILES = sorted(GOLDEN.glob("*.flow.md"))


def _load(name: str) -> Workflow:
    return parse_file(GOLDEN / name)


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_golden_flow_parses_cleanly(path: Path) -> None:
    workflow = parse_file(path)
    assert workflow.parse_diagnostics == ()
    assert workflow.name and workflow.version
    assert list(workflow.walk())


def test_there_are_enough_golden_flows() -> None:
    assert len(FILES) >= 6


def test_every_element_uses_every_node_tag() -> None:
    workflow = _load("every_element.flow.md")
    assert {node.tag for node in workflow.walk()} == set(NODE_TAGS)
    assert workflow.version == "2.3.1-beta+build.7"
    assert [node.id for node in workflow.on_workflow_error] == ["alert"]
    assert workflow.footer.endswith("this flow is a catalogue, not a useful workflow.\n")


def test_every_element_uses_every_alias_and_child_form() -> None:
    workflow = _load("every_element.flow.md")
    structural = set()
    for element in ("<match ", "<otherwise>", "<do>", "<actions>", "<bind ", "ref=", 'var="'):
        structural.add(element in workflow.source)
    assert structural == {True}
    index = workflow.node_index()
    review = index["final-review"]
    assert isinstance(review, CheckpointSpec)
    assert review.timeout_goto is not None and review.timeout_goto.value == "fallback-notice"
    assert [action.goto.value if action.goto else None for action in review.actions] == [
        "refine",
        None,
    ]


def test_http_fetch_report() -> None:
    workflow = _load("http_fetch_report.flow.md")
    fetch = workflow.node_index()["fetch_top"]
    assert isinstance(fetch, DataNodeSpec)
    assert fetch.config["url"].value == "{{$config.base_url}}/topstories.json"
    assert workflow.version == "1.0"
    offset = find_log_section(workflow.source)
    assert offset is not None and workflow.source[offset:].startswith("---\n\n## Execution Log")


def test_parallel_race_keeps_the_ampersand_in_the_url() -> None:
    workflow = _load("parallel_race.flow.md")
    race = workflow.nodes[0]
    assert isinstance(race, ParallelSpec)
    assert [branch.id for branch in race.branches] == ["alpha", "beta", "gamma"]
    gamma = workflow.node_index()["gamma_quote"]
    assert isinstance(gamma, DataNodeSpec)
    assert gamma.config["url"].value.endswith("symbol={{$config.symbol}}&format=json")


def test_compact_retry_flow() -> None:
    workflow = _load("compact_retry.flow.md")
    orders = workflow.node_index()["orders"]
    assert orders.on_error is not None and orders.on_error.retry is not None
    assert orders.on_error.retry.max is not None and orders.on_error.retry.max.value == "2"
    assert orders.on_error.fallback is not None
    assert orders.on_error.fallback.value == "cached_orders"


def test_crlf_flow_with_an_existing_log() -> None:
    path = GOLDEN / "crlf_with_log.flow.md"
    raw = path.read_bytes().decode("utf-8")
    assert "\r\n" in raw
    workflow = parse_file(path)
    assert workflow.source == raw
    assert raw[workflow.footer_offset :] == workflow.footer
    assert workflow.footer.startswith("\r\n\r\nNotes kept by the team")
    offset = find_log_section(raw)
    assert offset is not None
    assert raw[offset:].startswith("---\r\n\r\n## Execution Log\r\n")
    assert raw[:offset].endswith("60 calls an hour.\r\n\r\n")
