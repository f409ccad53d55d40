"""The YAML frontmatter → workflow fields (format.md §2).

Types are not checked here: a missing ``name`` becomes ``""`` and a ``config`` that is not a
mapping becomes ``{}``; the validator reports both from :attr:`Frontmatter.data` and
:attr:`Frontmatter.key_spans`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowscript.errors import WorkflowParseError
from flowscript.model.diagnostics import Diagnostic, SourceSpan
from flowscript.model.workflow import FieldSpec, RuntimeSettings
from flowscript.parser._yaml import YamlProblem, load_yaml

if TYPE_CHECKING:
    import yaml

__all__ = ["Frontmatter", "parse_frontmatter"]

# A mapping declares a field when it has one of these keys; any other mapping is the
# shorthand for an object default (`headers: {Accept: json}`).
_DECLARATION_KEYS = frozenset({"type", "default", "description", "required", "values"})

_TYPE_OF_DEFAULT: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),  # before int: bool is an int subclass
    (int, "integer"),
    (float, "number"),
    (str, "string"),
    (list, "array"),
    (dict, "object"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Frontmatter:
    """The frontmatter, loaded and split into the fields of :class:`Workflow`."""

    data: Mapping[str, Any] = field(default_factory=dict)
    key_spans: Mapping[str, SourceSpan] = field(default_factory=dict)
    name: str = ""
    version: str = ""
    description: str | None = None
    trigger: Any = "manual"
    config: Mapping[str, FieldSpec] = field(default_factory=dict)
    input_schema: Mapping[str, FieldSpec] = field(default_factory=dict)
    output_schema: Mapping[str, FieldSpec] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    schemas: Mapping[str, Any] = field(default_factory=dict)
    evolution: Mapping[str, Any] | None = None
    tests: tuple[Mapping[str, Any], ...] = ()


def _yaml_error(problem: YamlProblem, path: str, first_line: int) -> WorkflowParseError:
    span = SourceSpan(path, problem.line + first_line, problem.column + 1)
    hints = (problem.hint,) if problem.hint else ("fix the YAML syntax of the frontmatter",)
    return WorkflowParseError(
        [Diagnostic(code="PARSE_YAML_INVALID", message=problem.message, span=span, hints=hints)]
    )


def _collect_spans(
    node: yaml.Node, prefix: str, spans: dict[str, SourceSpan], path: str, first_line: int
) -> None:
    """Record the position of every mapping key, by dotted path (list items by index)."""
    import yaml

    stack: list[tuple[yaml.Node, str]] = [(node, prefix)]
    while stack:
        current, dotted = stack.pop()
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                name = f"{dotted}{key_node.value}" if isinstance(key_node.value, str) else None
                if name is None or name in spans:
                    continue
                mark = key_node.start_mark
                spans[name] = SourceSpan(path, mark.line + first_line, mark.column + 1)
                stack.append((value_node, name + "."))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, f"{dotted}{index}.") for index, item in enumerate(current.value))


def _scalar_text(node: yaml.Node | None, value: Any) -> str:
    """A scalar as written (`1.10` stays "1.10"); ``""`` for null, mappings and lists."""
    import yaml

    if isinstance(node, yaml.ScalarNode) and value is not None:
        return str(node.value)
    return ""


def _value_node(root: yaml.Node, key: str) -> yaml.Node | None:
    # The last occurrence wins, as in the constructed mapping.
    for key_node, value_node in reversed(root.value):
        if key_node.value == key:
            return value_node  # type: ignore[no-any-return]
    return None


def infer_type(value: Any) -> str:
    """The field type of a shorthand default (format.md §2.1); ``any`` for null."""
    for python_type, name in _TYPE_OF_DEFAULT:
        if isinstance(value, python_type):
            return name
    return "any"


def _field(name: str, raw: Any, span: SourceSpan) -> FieldSpec:
    if not isinstance(raw, dict) or not (_DECLARATION_KEYS & raw.keys()):
        has_default = raw is not None
        return FieldSpec(
            name=name,
            type=infer_type(raw),
            span=span,
            default=raw,
            has_default=has_default,
            raw=raw,
        )
    has_default = "default" in raw
    declared = raw.get("type")
    if declared is None:
        declared = infer_type(raw["default"]) if has_default else "any"
    values = raw.get("values")
    description = raw.get("description")
    return FieldSpec(
        name=name,
        type=declared if isinstance(declared, str) else "",
        span=span,
        default=raw.get("default"),
        has_default=has_default,
        required=raw.get("required") is True,
        description=description if isinstance(description, str) else None,
        values=tuple(values) if isinstance(values, list) else None,
        raw=raw,
    )


def _fields(
    data: Mapping[str, Any], key: str, spans: Mapping[str, SourceSpan], path: str
) -> dict[str, FieldSpec]:
    section = data.get(key)
    if not isinstance(section, dict):
        return {}
    fallback = spans.get(key, SourceSpan(path, 1, 1))
    return {
        str(name): _field(str(name), raw, spans.get(f"{key}.{name}", fallback))
        for name, raw in section.items()
    }


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _runtime(value: Any) -> RuntimeSettings:
    if not isinstance(value, dict):
        return RuntimeSettings()
    budget = value.get("context_budget", value.get("context-budget"))
    return RuntimeSettings(
        timeout=value.get("timeout"),
        retry=value.get("retry"),
        concurrency=value.get("concurrency"),
        schedule=value.get("schedule"),
        context_budget=budget,
        env=_names(value.get("env")),
    )


def _tests(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(case for case in value if isinstance(case, dict))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _load(text: str, path: str, first_line: int) -> tuple[yaml.Node | None, dict[str, Any]]:
    try:
        document = load_yaml(text)
    except YamlProblem as exc:
        raise _yaml_error(exc, path, first_line) from None
    if document.value is None:
        return None, {}
    if not isinstance(document.value, dict):
        assert document.node is not None
        mark = document.node.start_mark
        problem = YamlProblem(
            "the frontmatter must be a YAML mapping (`key: value` lines)",
            mark.line,
            mark.column,
            "write `name: my-flow` and `version: 1.0.0` on their own lines",
        )
        raise _yaml_error(problem, path, first_line)
    return document.node, document.value


def parse_frontmatter(text: str, path: str, first_line: int = 2) -> Frontmatter:
    """Load the frontmatter YAML and split it into workflow fields.

    Args:
        text: the YAML between the ``---`` lines.
        path: the file path for positions.
        first_line: the 1-based file line of the first YAML line.

    Raises:
        WorkflowParseError: ``PARSE_YAML_INVALID`` for syntax errors, disallowed tags,
            billion-laughs expansions, or a document that is not a mapping.
    """
    root, data = _load(text, path, first_line)
    spans: dict[str, SourceSpan] = {}
    if root is None:
        return Frontmatter()
    _collect_spans(root, "", spans, path, first_line)
    description = data.get("description")
    evolution = data.get("evolution")
    return Frontmatter(
        data=data,
        key_spans=spans,
        name=_scalar_text(_value_node(root, "name"), data.get("name")),
        version=_scalar_text(_value_node(root, "version"), data.get("version")),
        description=description if isinstance(description, str) else None,
        trigger=data.get("trigger", "manual"),
        config=_fields(data, "config", spans, path),
        input_schema=_fields(data, "input", spans, path),
        output_schema=_fields(data, "output", spans, path),
        secrets=_names(data.get("secrets")),
        runtime=_runtime(data.get("runtime")),
        schemas=_mapping(data.get("schemas")),
        evolution=evolution if isinstance(evolution, dict) else None,
        tests=_tests(data.get("tests")),
    )
