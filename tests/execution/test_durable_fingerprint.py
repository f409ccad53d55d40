"""Workflow and node fingerprints: what a resume compares to find changes (execution.md §9.3)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flowscript.execution._fingerprint import (
    FRONTMATTER_KEY,
    describe_changes,
    node_hashes,
    workflow_hash,
)
from flowscript.execution.run import prepare_run
from flowscript.execution.state import create_execution_state
from flowscript.parser import parse
from flowscript.reporting import format_execution_log

FLOW = """---
name: fp
version: "1.0"
---
<workflow>
  <transform id="a" type="template"><template>A</template></transform>
  <if id="check" condition="a == 'A'">
    <then>
      <transform id="inner" type="template"><template>yes</template></transform>
    </then>
  </if>
  <transform id="b" type="template" input="a"><template>{{ a }}!</template></transform>
</workflow>
"""


def _hash_of(text: str) -> str:
    return workflow_hash(parse(text))


def test_the_workflow_hash_is_the_sha256_of_the_text_before_the_log() -> None:
    assert _hash_of(FLOW) == hashlib.sha256(FLOW.rstrip().encode()).hexdigest()


def test_writing_the_log_does_not_change_the_workflow_hash() -> None:
    state = create_execution_state("fp", run_id="r1")
    logged = FLOW + "\n" + format_execution_log(state)
    relogged = FLOW + "\nNotes for people.\n\n" + format_execution_log(state).replace("r1", "r2")
    assert _hash_of(logged) == _hash_of(FLOW)
    assert _hash_of(relogged) != _hash_of(FLOW)  # text before the log is part of the file
    assert _hash_of(FLOW.replace("A</template>", "B</template>", 1)) != _hash_of(FLOW)


def test_every_node_and_the_frontmatter_get_a_hash() -> None:
    hashes = node_hashes(parse(FLOW))
    assert list(hashes) == [FRONTMATTER_KEY, "a", "check", "inner", "b"]
    assert all(len(value) == 16 for value in hashes.values())


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("{{ a }}!", "{{ a }}?"), ["b (changed)"]),
        (("<template>yes", "<template>no"), ["inner (changed)"]),
        (("a == 'A'", "a == 'B'"), ["check (changed)"]),
        (('name: fp"', 'name: fp"\ndescription: x'), []),
        (('version: "1.0"', 'version: "2.0"'), ["the frontmatter"]),
        (
            (
                '  <transform id="b"',
                '  <transform id="c" type="template"><template>C</template>'
                '</transform>\n  <transform id="b"',
            ),
            ["c (added)"],
        ),
    ],
    ids=["leaf", "nested-only", "control-attribute", "no-op", "frontmatter", "added"],
)
def test_an_edit_names_exactly_the_node_it_touches(
    edit: tuple[str, str], expected: list[str]
) -> None:
    old, new = edit
    changed = FLOW.replace(old, new, 1)
    assert describe_changes(node_hashes(parse(FLOW)), node_hashes(parse(changed))) == expected


def test_a_removed_node_is_named() -> None:
    without = FLOW.replace(
        '  <transform id="a" type="template"><template>A</template></transform>\n', ""
    )
    changes = describe_changes(node_hashes(parse(FLOW)), node_hashes(parse(without)))
    assert changes == ["a (removed)"]


def test_reindenting_changes_the_file_hash_but_no_node() -> None:
    reindented = FLOW.replace("\n  <", "\n    <")
    assert _hash_of(reindented) != _hash_of(FLOW)
    assert describe_changes(node_hashes(parse(FLOW)), node_hashes(parse(reindented))) == []


def test_crlf_files_hash_like_their_lf_nodes() -> None:
    crlf = FLOW.replace("\n", "\r\n")
    assert node_hashes(parse(crlf)) == node_hashes(parse(FLOW))


def test_prepare_run_records_the_fingerprints_and_an_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "fp.flow.md").write_text(FLOW, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    state = prepare_run("fp.flow.md").state
    assert state.workflow_path == str(tmp_path / "fp.flow.md")
    assert state.workflow_hash == _hash_of(FLOW)
    assert state.node_hashes == node_hashes(parse(FLOW))
