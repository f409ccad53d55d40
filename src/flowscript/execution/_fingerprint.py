"""Fingerprints of a workflow file, so a resumed run knows whether the file changed (§9.3).

- :func:`workflow_hash`: SHA-256 of the file text *before* the execution-log section, without
  trailing whitespace. Every run rewrites the log in the footer (the first one also adds a
  blank line before it), so hashing the whole file would make every run look changed.
- :func:`node_hashes`: one short hash per node, so a refusal can name what changed. The body
  is cut into segments at each node's start tag (document order, nested nodes included): a
  node's segment runs from its ``<`` to the next node's ``<`` (or to ``</workflow>``), so an
  edited attribute, child element or body line changes exactly the node it belongs to.
  Whitespace is collapsed first, so re-indenting is not reported as a node change (the file
  hash still differs, so resume still asks for ``--force``). The text before the first node
  is hashed as ``(frontmatter)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from flowscript.model import Workflow

__all__ = ["FRONTMATTER_KEY", "describe_changes", "node_hashes", "workflow_hash"]

FRONTMATTER_KEY: Final = "(frontmatter)"
"""The segment before the first node: frontmatter, ``<workflow>`` tag (never a node id)."""

_BOM: Final = "\ufeff"
_NODE_HASH_CHARS: Final = 16
"""64 bits of SHA-256: plenty to notice an edit, small enough for 10,000-node state files."""


def workflow_hash(workflow: Workflow) -> str:
    """SHA-256 (hex) of the workflow file's text before its execution-log section."""
    from flowscript.parser import find_log_section

    source = workflow.source
    start = find_log_section(source, footer_offset=workflow.footer_offset)
    # Trailing blank lines too: the first log written adds a blank line before its "---".
    text = (source if start is None else source[:start]).rstrip()
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def node_hashes(workflow: Workflow) -> dict[str, str]:
    """Node id → hash of the node's source segment, plus :data:`FRONTMATTER_KEY`."""
    source = workflow.source
    bom = 1 if source.startswith(_BOM) else 0
    starts = _line_starts(source, bom)
    offsets: dict[str, int] = {}
    for node in workflow.walk():
        span = node.span
        if 0 < span.line <= len(starts):
            offsets.setdefault(node.id, starts[span.line - 1] + span.column - 1)
    ordered = sorted(offsets.items(), key=lambda item: item[1])
    end = min(workflow.footer_offset or len(source), len(source))
    bounds = [offset for _, offset in ordered] + [end]
    hashes = {FRONTMATTER_KEY: _digest(source[: bounds[0]])}
    for index, (node_id, offset) in enumerate(ordered):
        hashes[node_id] = _digest(source[offset : max(offset, bounds[index + 1])])
    return hashes


def describe_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[str]:
    """What differs between two :func:`node_hashes` maps, in the new file's order.

    Returns:
        Items such as ``fetch (changed)``, ``extra (added)``, ``old (removed)`` and
        ``the frontmatter``; empty when no segment differs (only whitespace changed).
    """
    changes: list[str] = []
    for key, digest in new.items():
        if key not in old:
            changes.append(f"{key} (added)")
        elif old[key] != digest:
            changes.append("the frontmatter" if key == FRONTMATTER_KEY else f"{key} (changed)")
    changes.extend(f"{key} (removed)" for key in old if key not in new)
    return changes


def _line_starts(source: str, bom: int) -> list[int]:
    starts = [bom]
    position = source.find("\n", bom)
    while position >= 0:
        starts.append(position + 1)
        position = source.find("\n", position + 1)
    return starts


def _digest(text: str) -> str:
    collapsed = " ".join(text.split())
    digest = hashlib.sha256(collapsed.encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:_NODE_HASH_CHARS]
