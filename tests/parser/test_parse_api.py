"""The public API of flowscript.parser is pinned."""

from __future__ import annotations

import flowscript.parser as parser
from flowscript.parser.body import NODE_TAGS


def test_public_names() -> None:
    assert sorted(parser.__all__) == [
        "LOG_HEADING",
        "MAX_FILE_SIZE",
        "canonical_key",
        "find_log_section",
        "parse",
        "parse_file",
    ]
    assert all(hasattr(parser, name) for name in parser.__all__)
    assert parser.MAX_FILE_SIZE == 20 * 1024 * 1024
    assert parser.LOG_HEADING == "## Execution Log"


def test_node_tags_are_the_catalogue() -> None:
    assert NODE_TAGS == (
        "source",
        "transform",
        "sink",
        "ai",
        "if",
        "branch",
        "loop",
        "while",
        "foreach",
        "parallel",
        "break",
        "goto",
        "phase",
        "timeout",
        "checkpoint",
        "context",
        "set",
        "delay",
        "include",
        "call",
    )
