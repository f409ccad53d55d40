"""An AI node's ``output-schema``: the DSL, a JSON Schema, or a frontmatter ``schemas:`` name.

:func:`resolve_output_schema` turns what the node wrote into an :class:`OutputSchema`:

- a string naming a ``schemas:`` entry → that entry, resolved the same way;
- a string holding a JSON object (``{"type": "object", …}``) → that JSON Schema;
- any other string → the schema DSL (:mod:`.schema_dsl`);
- a mapping with JSON Schema keywords (``type``, ``properties``, ``$ref``, ``anyOf``…) → used
  as is; any other mapping (a YAML block such as ``score: integer``) → the fields of a DSL
  object, each value a DSL type (a key ending in ``?`` is optional).

Tool parameters must be an object, so a schema whose top level is not an object (``string[]``)
is *wrapped*: the model fills ``{"value": …}`` and the node's output is the ``value``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.runtimes.ai.schema_dsl import SchemaSyntaxError, nullable, parse_schema_dsl

__all__ = ["OutputSchema", "is_json_schema", "resolve_output_schema", "schema_from_mapping"]

WRAPPER_KEY: Final = "value"
_NAME_RE: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_JSON_SCHEMA_KEYWORDS: Final = frozenset(
    {
        "type",
        "properties",
        "$schema",
        "$ref",
        "$defs",
        "definitions",
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "allOf",
        "items",
    }
)
_MAX_NAME_DEPTH: Final = 8
_DEFINITIONS: Final = ("$defs", "definitions")


@dataclass(frozen=True, slots=True)
class OutputSchema:
    """The JSON Schema an AI answer must match.

    Attributes:
        json_schema: the schema of the node's output.
        wrapped: True when the output is not an object and travels as ``{"value": …}``.
    """

    json_schema: dict[str, Any]
    wrapped: bool

    @property
    def parameters(self) -> dict[str, Any]:
        """The object schema the model fills (the tool's parameters, or the JSON reply)."""
        if not self.wrapped:
            return self.json_schema
        inner = {k: v for k, v in self.json_schema.items() if k not in _DEFINITIONS}
        wrapper: dict[str, Any] = {
            "type": "object",
            "properties": {WRAPPER_KEY: inner},
            "required": [WRAPPER_KEY],
            "additionalProperties": False,
        }
        for key in _DEFINITIONS:  # local $refs resolve from the root
            if key in self.json_schema:
                wrapper[key] = self.json_schema[key]
        return wrapper

    def unwrap(self, arguments: Any) -> Any:
        """The node's output from validated arguments."""
        if self.wrapped and isinstance(arguments, Mapping):
            return arguments.get(WRAPPER_KEY)
        return arguments


def _invalid(node_id: str, message: str) -> NodeError:
    return NodeError("config.invalid", f"{node_id}: output-schema: {message}", retryable=False)


def is_json_schema(mapping: Mapping[str, Any]) -> bool:
    """True when ``mapping`` uses JSON Schema keywords (else it is a DSL field mapping)."""
    return any(key in _JSON_SCHEMA_KEYWORDS for key in mapping)


def schema_from_mapping(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON Schema mapping as is, or a DSL field mapping (``{score: integer}``) converted.

    Raises:
        SchemaSyntaxError: a field's DSL type does not parse.
        ValueError: a field's type is neither a DSL string nor a mapping.
    """
    if is_json_schema(mapping):
        return copy.deepcopy(dict(mapping))
    properties: dict[str, Any] = {}
    required: list[str] = []
    for raw_key, value in mapping.items():
        key = str(raw_key)
        optional = key.endswith("?")
        name = key[:-1].strip() if optional else key
        field = _field_schema(name, value)
        if optional:
            field = nullable(field)
        else:
            required.append(name)
        properties[name] = field
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _field_schema(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return parse_schema_dsl(value)
    if isinstance(value, Mapping):
        return schema_from_mapping(value)
    raise ValueError(f"field {name!r}: expected a DSL type or a mapping, got {value!r}")


def _from_text(text: str, schemas: Mapping[str, Any], node_id: str, depth: int) -> dict[str, Any]:
    if _NAME_RE.fullmatch(text) and text in schemas:
        if depth >= _MAX_NAME_DEPTH:
            raise _invalid(node_id, f"schema names refer to each other in a loop ({text!r})")
        return _schema_of(schemas[text], schemas, node_id, depth + 1)
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            return _schema_of(parsed, schemas, node_id, depth)
    try:
        return parse_schema_dsl(text)
    except SchemaSyntaxError as exc:
        if _NAME_RE.fullmatch(text):
            raise _invalid(
                node_id, f"{text!r} is neither a type nor a schema declared under schemas:"
            ) from exc
        raise _invalid(node_id, str(exc)) from exc


def _schema_of(value: Any, schemas: Mapping[str, Any], node_id: str, depth: int) -> dict[str, Any]:
    if isinstance(value, str):
        return _from_text(value.strip(), schemas, node_id, depth)
    if isinstance(value, Mapping):
        try:
            return schema_from_mapping(value)
        except ValueError as exc:
            raise _invalid(node_id, str(exc)) from exc
    raise _invalid(node_id, f"expected a schema string or mapping, got {type(value).__name__}")


def resolve_output_schema(
    value: Any, schemas: Mapping[str, Any], *, node_id: str
) -> OutputSchema | None:
    """The node's output schema, or ``None`` when it has none (the answer is text).

    Raises:
        NodeError: ``config.invalid`` for a DSL syntax error (with its position), an unknown
            schema name, or a value that is not a schema.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    schema = _schema_of(value, schemas, node_id, 0)
    return OutputSchema(json_schema=schema, wrapped=schema.get("type") != "object")
