"""Element text → config value: a YAML mapping for ``key: value`` blocks, else a string.

Rules (format.md §3.3 and the project decisions in the module docs):

* the text is trimmed and dedented (when it starts on the tag's line, the following lines are
  dedented on their own);
* fields that are prose or code (:data:`TEXT_FIELDS`: ``template``, ``query``, ``prompt``, …)
  are always strings, so a template that happens to look like ``name: {{x}}`` stays a template;
* otherwise a block whose lines look like ``key: value`` (with indented continuation lines,
  ``- item`` lines and ``#`` comments) is parsed as a YAML mapping with ``{{ }}`` templates
  protected; a block of one ``key: value`` line is a mapping only for map fields
  (:data:`MAP_FIELDS`), else a string (``Summary: be brief`` stays text);
* a block that looks like a mapping but is not valid YAML is a string, except for map fields,
  where the YAML problem is returned so the caller can report it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from flowscript.parser._templates import protect_templates
from flowscript.parser._yaml import YamlProblem, load_yaml

if TYPE_CHECKING:
    import yaml

__all__ = ["MAP_FIELDS", "TEXT_FIELDS", "Block", "BlockValue", "block_value", "clean_block"]

MAP_FIELDS = frozenset({"headers", "params", "auth", "body", "request", "retry"})
"""Fields a runtime defines as maps: a single ``Key: value`` line is a one-entry map."""

TEXT_FIELDS = frozenset(
    {
        "template",
        "prompt",
        "system",
        "user",
        "query",
        "text",
        "html",
        "subject",
        "expression",
        "condition",
        "initial",
        "finalize",
    }
)
"""Fields that hold prose, code or expressions: never read as YAML."""

_KEY_LINE = re.compile(r"""(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_$][\w.$/-]*)[ \t]*:(?:[ \t]|$)""")


# Plain classes, not dataclasses: created once per element text, and every dataclass costs
# ~1 ms at each start of the CLI.


class Block:
    """Cleaned element text.

    Attributes:
        text: trimmed, dedented text.
        margin: the indentation removed from the lines after the first.
    """

    __slots__ = ("margin", "text")

    def __init__(self, text: str, margin: int) -> None:
        self.text = text
        self.margin = margin


class BlockValue:
    """The value of a block, the YAML nodes of its top-level keys, and any YAML problem."""

    __slots__ = ("keys", "problem", "value")

    def __init__(
        self,
        value: Any,
        keys: tuple[tuple[str, yaml.Node, yaml.Node], ...] = (),
        problem: YamlProblem | None = None,
    ) -> None:
        self.value = value
        self.keys = keys
        self.problem = problem


def _margin(lines: list[str]) -> int:
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    return min(indents, default=0)


def clean_block(raw: str) -> Block:
    """Trim ``raw`` and remove the common indentation of its lines."""
    lines = raw.split("\n")
    first, rest = lines[0], lines[1:]
    if first.strip():
        margin = _margin(rest)
        body = [first.strip(), *(line[margin:] for line in rest)]
    else:
        while rest and not rest[0].strip():
            rest.pop(0)
        margin = _margin(rest)
        body = [line[margin:] for line in rest]
    cleaned = "\n".join(line.rstrip() for line in body).strip()
    return Block(cleaned, margin)


def _mapping_shape(text: str) -> int:
    """The number of top-level ``key:`` lines if ``text`` is shaped like a mapping, else 0."""
    keys = 0
    for line in text.split("\n"):
        if not line.strip() or (line.startswith(("#", " ", "\t", "- ")) and keys):
            continue
        if not _KEY_LINE.match(line):
            return 0
        keys += 1
    return keys


def _top_level_keys(node: yaml.Node | None) -> tuple[tuple[str, yaml.Node, yaml.Node], ...]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return ()
    return tuple(
        (str(key.value), key, value)
        for key, value in node.value
        if isinstance(key, yaml.ScalarNode)
    )


def parse_mapping(text: str) -> BlockValue:
    """Parse ``text`` as a YAML mapping with templates protected."""
    protected, restore = protect_templates(text)
    try:
        document = load_yaml(protected)
    except YamlProblem as problem:
        return BlockValue(text, problem=problem)
    if not isinstance(document.value, dict):
        return BlockValue(text)
    value = restore(document.value)
    keys = tuple((restore(name), key, item) for name, key, item in _top_level_keys(document.node))
    return BlockValue(value, keys)


def block_value(key: str, text: str) -> BlockValue:
    """The config value of a cleaned block for the field ``key`` (canonical)."""
    if key in TEXT_FIELDS:
        return BlockValue(text)
    keys = _mapping_shape(text)
    is_map_field = key in MAP_FIELDS
    if keys == 0 or (keys == 1 and "\n" not in text and not is_map_field):
        return BlockValue(text)
    parsed = parse_mapping(text)
    if parsed.problem is not None and not is_map_field:
        return BlockValue(text)
    return parsed
