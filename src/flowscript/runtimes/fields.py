"""Config-field declarations of every built-in runtime kind (runtimes.md §1–§6).

The validator checks data-node config against these declarations (unknown key → warning,
missing required field → error, a literal of the wrong type → ``CONFIG_INVALID``) and
``inspect --schema`` prints them. This module is pure data: it imports nothing heavy, so the
graph and the validator can read it without loading any runtime.

Field types:

- ``string``: a plain string (may still be a ``{{ }}`` template);
- ``template``: free text rendered with ``{{ }}`` interpolations;
- ``expression``: a bare expression evaluated by the runtime itself (map/filter/reduce);
- ``number``, ``integer``, ``boolean`` (``true/false/yes/no/1/0``), ``duration`` (format.md §3.5);
- ``enum``: one of ``values`` (compared case-insensitively);
- ``map``: a mapping (YAML block, JSON object text, or a single ``Key: value`` line);
- ``list``: a JSON array, a YAML list, or a comma-separated string;
- ``schema``: an AI output schema (DSL string, JSON-Schema mapping, or a ``schemas:`` name);
- ``any``: anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

__all__ = [
    "FIELD_TYPES",
    "REQUIRED_ONE_OF",
    "RUNTIME_FIELDS",
    "RUNTIME_TYPES",
    "FieldDecl",
    "field_decl",
    "fields_by_name",
    "fields_for",
]

FIELD_TYPES: tuple[str, ...] = (
    "string",
    "template",
    "expression",
    "number",
    "integer",
    "boolean",
    "duration",
    "enum",
    "map",
    "list",
    "any",
    "schema",
)
"""Every value ``FieldDecl.type`` may take."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldDecl:
    """One config field of a runtime.

    Attributes:
        name: canonical kebab-case key (``conflict-columns``).
        type: one of :data:`FIELD_TYPES`.
        required: the node must set it.
        default: the value used when the node does not set it (``None``: no default).
        description: one line for ``inspect --schema``.
        values: the allowed words of an ``enum``.
    """

    name: str
    type: str
    required: bool = False
    default: Any = None
    description: str
    values: tuple[str, ...] = ()


def _f(name: str, type_: str, description: str, **extra: Any) -> FieldDecl:
    return FieldDecl(name=name, type=type_, description=description, **extra)


_FILE_FORMATS = ("json", "jsonl", "csv", "tsv", "yaml", "text", "lines", "auto")
_HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")

_FILE_SOURCE = (
    _f("path", "template", "File to read, relative to the base folder.", required=True),
    _f(
        "format",
        "enum",
        "How to parse the file (auto: by extension).",
        default="auto",
        values=_FILE_FORMATS,
    ),
    _f(
        "types",
        "enum",
        "CSV/TSV cells: keep strings, or infer numbers and booleans.",
        default="string",
        values=("string", "infer"),
    ),
    _f("encoding", "string", "Text encoding of the file.", default="utf-8"),
)

_FILE_SINK = (
    _f("path", "template", "File to write, relative to the base folder.", required=True),
    _f(
        "format",
        "enum",
        "How to write (auto: objects/arrays as JSON, strings as text).",
        default="auto",
        values=_FILE_FORMATS,
    ),
    _f("pretty", "boolean", "Indent JSON output.", default=True),
    _f(
        "mode",
        "enum",
        "Replace the file or append to it.",
        default="overwrite",
        values=("overwrite", "append"),
    ),
    _f("create-dirs", "boolean", "Create missing parent folders.", default=True),
    _f("encoding", "string", "Text encoding of the file.", default="utf-8"),
)


def _http_fields(method_default: str, body_description: str) -> tuple[FieldDecl, ...]:
    return (
        _f("url", "template", "Request URL.", required=True),
        _f("method", "enum", "HTTP method.", default=method_default, values=_HTTP_METHODS),
        _f("headers", "map", "Request headers."),
        _f("params", "map", "Query-string parameters added to the URL."),
        _f("body", "any", body_description),
        _f("auth", "map", "Authentication: bearer, basic, api-key or oauth2."),
        _f("extract", "string", "JMESPath expression applied to the response."),
        _f("timeout", "duration", "Request timeout.", default="30s"),
        _f("expect", "list", "Accepted status codes (default: any 2xx).", default="2xx"),
        _f("follow-redirects", "boolean", "Follow HTTP redirects.", default=True),
    )


_TEMPLATE = (
    _f("template", "template", "Text to render; JSON templates parse to values.", required=True),
)
_MAP = (
    _f(
        "expression",
        "expression",
        "Expression or arrow function applied to each item.",
        required=True,
    ),
)
_FILTER = (
    _f("condition", "expression", "Keeps the items for which this is truthy."),
    _f("expression", "expression", "Alias of condition."),
)
_REDUCE = (
    _f(
        "expression",
        "expression",
        "Combines $acc and item into the next accumulator.",
        required=True,
    ),
    _f("initial", "expression", "Initial accumulator value.", default=None),
    _f("finalize", "expression", "Expression over $acc giving the output."),
)

_DATABASE_SOURCE = (
    _f(
        "connection",
        "template",
        "sqlite:///abs.db, sqlite:relative.db, sqlite::memory: or postgresql://…",
        required=True,
    ),
    _f("query", "template", "SQL query; every {{ }} becomes a bind parameter.", required=True),
    _f("params", "any", "Bind parameters for ?, $1 or :name placeholders (list or map)."),
)
_DATABASE_SINK = (
    _f(
        "connection",
        "template",
        "sqlite:///abs.db, sqlite:relative.db, sqlite::memory: or postgresql://…",
        required=True,
    ),
    _f("table", "string", "Target table (schema.table allowed).", required=True),
    _f(
        "operation",
        "enum",
        "Write operation.",
        default="insert",
        values=("insert", "upsert", "update", "delete"),
    ),
    _f("conflict-columns", "list", "Columns of the unique key, for upsert."),
    _f("key-columns", "list", "Columns identifying rows, for update and delete."),
    _f("batch", "integer", "Rows per statement batch.", default=500),
)

_EMAIL_SINK = (
    _f("provider", "enum", "Delivery provider.", default="smtp", values=("smtp", "sendgrid")),
    _f("to", "list", "Recipients (comma list or array).", required=True),
    _f("cc", "list", "Carbon-copy recipients."),
    _f("bcc", "list", "Blind carbon-copy recipients."),
    _f("from", "string", "Sender address (default: username, when it is an address)."),
    _f("subject", "template", "Subject line."),
    _f("text", "template", "Plain-text body (default: the input as JSON)."),
    _f("html", "template", "HTML body."),
    _f("attachments", "list", "Files to attach, under the base folder."),
    _f("host", "string", "SMTP server host."),
    _f("port", "integer", "SMTP server port.", default=587),
    _f("username", "string", "SMTP user name."),
    _f("password", "string", "SMTP password."),
    _f(
        "security",
        "enum",
        "SMTP transport security.",
        default="starttls",
        values=("starttls", "tls", "none"),
    ),
    _f("url", "string", "SMTP server as one URL: smtp://user:pass@host:port (smtps:// for TLS)."),
    _f("api-key", "string", "SendGrid API key."),
    _f("endpoint", "string", "SendGrid endpoint (tests, regional endpoints)."),
)

_AI = (
    _f("model", "string", "Model name understood by the endpoint.", required=True),
    _f("system", "template", "System prompt."),
    _f("user", "template", "User prompt."),
    _f("prompt", "template", "Alias of user."),
    _f("output-schema", "schema", "Schema DSL, JSON Schema, or a frontmatter schemas: name."),
    _f("temperature", "number", "Sampling temperature."),
    _f("max-tokens", "integer", "Completion token limit.", default=4096),
    _f("max-retries", "integer", "Schema-correction round trips.", default=2),
    _f("timeout", "duration", "Request timeout.", default="60s"),
    _f("tools", "any", "Reserved for tool calling."),
    _f("base-url", "string", "OpenAI-compatible base URL (default OpenRouter)."),
    _f("api-key", "string", "API key (default secret OPENROUTER_API_KEY)."),
)

RUNTIME_FIELDS: Mapping[str, tuple[FieldDecl, ...]] = MappingProxyType(
    {
        "file:source": _FILE_SOURCE,
        "file:sink": _FILE_SINK,
        "http:source": _http_fields("GET", "Request body (map/list → JSON, string as is)."),
        "http:sink": _http_fields("POST", "Request body (default: the input)."),
        "transform:template": _TEMPLATE,
        "transform:map": _MAP,
        "transform:filter": _FILTER,
        "transform:reduce": _REDUCE,
        "database:source": _DATABASE_SOURCE,
        "database:sink": _DATABASE_SINK,
        "email:sink": _EMAIL_SINK,
        "transform:ai": _AI,
    }
)
"""Runtime kind → its config fields, in display order."""

RUNTIME_TYPES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "source": ("http", "file", "database"),
        "transform": ("template", "map", "filter", "reduce", "ai"),
        "sink": ("file", "http", "database", "email"),
    }
)
"""Data-node role → the ``type`` values it accepts (first one is the default, if any)."""

REQUIRED_ONE_OF: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(
    {"transform:filter": (("condition", "expression"),)}
)
"""Kind → groups of fields of which at least one must be set."""


def fields_for(kind: str) -> tuple[FieldDecl, ...] | None:
    """The config fields of a runtime kind, or ``None`` for an unknown kind."""
    return RUNTIME_FIELDS.get(kind)


def field_decl(kind: str, name: str) -> FieldDecl | None:
    """The declaration of field ``name`` of ``kind``, or ``None``."""
    by_name = _BY_NAME.get(kind)
    return by_name.get(name) if by_name is not None else None


def fields_by_name(kind: str) -> Mapping[str, FieldDecl] | None:
    """The config fields of a runtime kind by name, or ``None`` for an unknown kind."""
    return _BY_NAME.get(kind)


def _index(fields: tuple[FieldDecl, ...]) -> dict[str, FieldDecl]:
    by_name: dict[str, FieldDecl] = {}
    for decl in fields:
        by_name.setdefault(decl.name, decl)
    return by_name


# field_decl is asked for every text of every data node (graph and validator).
_BY_NAME: Mapping[str, Mapping[str, FieldDecl]] = {
    kind: _index(fields) for kind, fields in RUNTIME_FIELDS.items()
}
