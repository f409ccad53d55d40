"""Safe YAML loading with positions, for the frontmatter and for YAML blocks in the body.

Loading goes in four steps so that hostile input fails fast and never reaches a constructor:

1. the event stream is read up to a nesting depth of :data:`MAX_DEPTH` (libyaml's composer
   recurses in C and crashes on very deep documents, so depth is checked first);
2. the document is composed into a node graph (every node has a position);
3. the graph is walked: only plain tags are allowed, and the node count with aliases expanded
   must stay under :data:`MAX_NODES` (billion-laughs protection);
4. the graph is constructed with a safe constructor (timestamps kept as their text).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

__all__ = ["MAX_DEPTH", "MAX_NODES", "YamlDocument", "YamlProblem", "load_yaml"]

MAX_DEPTH = 100
"""Deepest nesting of mappings/sequences accepted (a hand-written file never gets near it)."""

MAX_NODES = 100_000
"""Most YAML nodes accepted once aliases are expanded (brief: billion-laughs protection)."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
) | {_CORE + "merge"}
_PLAIN_HINT = (
    "only plain YAML is allowed: strings, numbers, booleans, null, lists and mappings "
    "(anchors and aliases too); remove the tag"
)


class YamlProblem(Exception):
    """YAML that cannot be loaded; ``line``/``column`` are 0-based inside the YAML text."""

    def __init__(self, message: str, line: int, column: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


class YamlDocument:
    """A loaded document: the composed root node (``None`` when empty) and its value."""

    __slots__ = ("node", "value")

    def __init__(self, node: yaml.Node | None, value: Any) -> None:
        self.node = node
        self.value = value


@cache
def _loader() -> type[Any]:
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def _constructor_class() -> type[Any]:
    import yaml

    class _PlainConstructor(yaml.constructor.SafeConstructor):
        """SafeConstructor that keeps timestamps as the text written (JSON-friendly)."""

        def construct_timestamp_text(self, node: yaml.ScalarNode) -> str:
            return str(self.construct_scalar(node))

    # add_constructor copies the table on the subclass; the stub's TypeVar is too narrow.
    _PlainConstructor.add_constructor(  # type: ignore[type-var]
        _CORE + "timestamp", _PlainConstructor.construct_timestamp_text
    )
    return _PlainConstructor


def _text_position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


def _problem_from(exc: Exception, text: str) -> YamlProblem:
    import yaml

    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{problem} ({exc.context})"
        return YamlProblem(f"invalid YAML: {problem}", mark.line, mark.column)
    if isinstance(exc, yaml.reader.ReaderError):
        line, column = _text_position(text, exc.position)
        return YamlProblem(
            f"invalid YAML: character #x{exc.character:04x} is not allowed", line, column
        )
    return YamlProblem(f"invalid YAML: {exc}", 0, 0)


def _may_be_deep(text: str) -> bool:
    """False when ``text`` cannot nest deeper than :data:`MAX_DEPTH`.

    Every collection opens with an indicator (``[`` ``{`` for flow collections, ``-`` for
    block sequences, ``:``/``?`` for block mappings), so the nesting depth is at most the
    number of those characters; most blocks have a handful and skip the event pass.
    """
    return sum(text.count(char) for char in "[{-?:") > MAX_DEPTH


def _check_depth(text: str) -> None:
    import yaml

    if not _may_be_deep(text):
        return
    depth = 0
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in yaml.parse(text, Loader=_loader()):
        if isinstance(event, starts):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise YamlProblem(
                    f"YAML nested deeper than {MAX_DEPTH} levels",
                    mark.line if mark is not None else 0,
                    mark.column if mark is not None else 0,
                    "flatten the structure",
                )
        elif isinstance(event, ends):
            depth -= 1


def _children(node: yaml.Node) -> list[yaml.Node]:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag


def _check_tag(node: yaml.Node) -> None:
    if node.tag not in _ALLOWED_TAGS:
        mark = node.start_mark
        raise YamlProblem(
            f"YAML tag `{_short_tag(node.tag)}` is not allowed",
            mark.line,
            mark.column,
            _PLAIN_HINT,
        )


def _too_big(node: yaml.Node, why: str) -> YamlProblem:
    mark = node.start_mark
    return YamlProblem(
        f"YAML {why}", mark.line, mark.column, "do not build huge structures with aliases"
    )


def check_graph(root: yaml.Node) -> None:
    """Reject disallowed tags, recursive aliases and documents over :data:`MAX_NODES` nodes.

    Iterative post-order walk; the expanded size of each node is memoised, so the walk is
    linear in the size of the graph however many times aliases repeat a node.
    """
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > MAX_NODES:
                raise _too_big(node, f"expands to more than {MAX_NODES} nodes through aliases")
            sizes[key] = size
        elif key in on_path:
            raise _too_big(node, "alias refers to itself (infinite structure)")
        elif key not in sizes:
            _check_tag(node)
            on_path.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node) if id(child) not in sizes)


def load_yaml(text: str) -> YamlDocument:
    """Load one YAML document safely.

    Raises:
        YamlProblem: syntax errors, disallowed tags, excessive depth or size.
    """
    import yaml

    try:
        _check_depth(text)
        root = yaml.compose(text, Loader=_loader())
        if root is None:
            return YamlDocument(None, None)
        check_graph(root)
        value = _constructor_class()().construct_document(root)
    except YamlProblem:
        raise
    except (yaml.YAMLError, UnicodeError, RecursionError) as exc:
        raise _problem_from(exc, text) from exc
    return YamlDocument(root, value)
