"""The config-field declarations of every runtime kind (runtimes.md §1–§6)."""

from __future__ import annotations

import re

import pytest

import flowscript.runtimes as runtimes
from flowscript.runtimes.fields import (
    FIELD_TYPES,
    REQUIRED_ONE_OF,
    RUNTIME_FIELDS,
    RUNTIME_TYPES,
    FieldDecl,
    field_decl,
    fields_for,
)

EXPECTED_FIELDS = {
    "file:source": ["path", "format", "types", "encoding"],
    "file:sink": ["path", "format", "pretty", "mode", "create-dirs", "encoding"],
    "http:source": [
        "url", "method", "headers", "params", "body", "auth", "extract", "timeout", "expect",
        "follow-redirects",
    ],
    "http:sink": [
        "url", "method", "headers", "params", "body", "auth", "extract", "timeout", "expect",
        "follow-redirects",
    ],
    "transform:template": ["template"],
    "transform:map": ["expression"],
    "transform:filter": ["condition", "expression"],
    "transform:reduce": ["expression", "initial", "finalize"],
    "database:source": ["connection", "query", "params"],
    "database:sink": [
        "connection", "table", "operation", "conflict-columns", "key-columns", "batch",
    ],
    "email:sink": [
        "provider", "to", "cc", "bcc", "from", "subject", "text", "html", "attachments", "host",
        "port", "username", "password", "security", "url", "api-key", "endpoint",
    ],
    "transform:ai": [
        "model", "system", "user", "prompt", "output-schema", "temperature", "max-tokens",
        "max-retries", "timeout", "tools", "base-url", "api-key",
    ],
}  # fmt: skip

ALL = [(kind, decl) for kind, decls in RUNTIME_FIELDS.items() for decl in decls]


@pytest.mark.parametrize("kind", sorted(EXPECTED_FIELDS), ids=str)
def test_each_kind_declares_exactly_the_documented_fields(kind: str) -> None:
    assert [decl.name for decl in RUNTIME_FIELDS[kind]] == EXPECTED_FIELDS[kind]


def test_no_other_kinds_are_declared() -> None:
    assert set(RUNTIME_FIELDS) == set(EXPECTED_FIELDS)


@pytest.mark.parametrize(("kind", "decl"), ALL, ids=[f"{k}.{d.name}" for k, d in ALL])
def test_every_declaration_is_well_formed(kind: str, decl: FieldDecl) -> None:
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", decl.name)
    assert decl.type in FIELD_TYPES
    assert decl.description.strip() and "\n" not in decl.description
    if decl.type == "enum":
        assert decl.values, "an enum lists its values"
        assert decl.default is None or decl.default in decl.values
    else:
        assert decl.values == ()
    assert not (decl.required and decl.default is not None)


@pytest.mark.parametrize(
    ("kind", "name", "type_", "required", "default"),
    [
        ("http:source", "url", "template", True, None),
        ("http:source", "method", "enum", False, "GET"),
        ("http:sink", "method", "enum", False, "POST"),
        ("http:source", "timeout", "duration", False, "30s"),
        ("http:source", "follow-redirects", "boolean", False, True),
        ("http:source", "headers", "map", False, None),
        ("file:source", "format", "enum", False, "auto"),
        ("file:sink", "pretty", "boolean", False, True),
        ("file:sink", "mode", "enum", False, "overwrite"),
        ("file:sink", "create-dirs", "boolean", False, True),
        ("transform:map", "expression", "expression", True, None),
        ("transform:reduce", "initial", "expression", False, None),
        ("database:sink", "batch", "integer", False, 500),
        ("database:sink", "operation", "enum", False, "insert"),
        ("database:sink", "conflict-columns", "list", False, None),
        ("email:sink", "to", "list", True, None),
        ("email:sink", "port", "integer", False, 587),
        ("email:sink", "security", "enum", False, "starttls"),
        ("transform:ai", "model", "string", True, None),
        ("transform:ai", "max-tokens", "integer", False, 4096),
        ("transform:ai", "max-retries", "integer", False, 2),
        ("transform:ai", "timeout", "duration", False, "60s"),
        ("transform:ai", "output-schema", "schema", False, None),
    ],
    ids=lambda v: str(v),
)
def test_documented_types_and_defaults(
    kind: str, name: str, type_: str, required: bool, default: object
) -> None:
    decl = field_decl(kind, name)
    assert decl is not None
    assert (decl.type, decl.required, decl.default) == (type_, required, default)


def test_enum_values() -> None:
    assert RUNTIME_FIELDS["http:source"][1].values == (
        "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD",
    )  # fmt: skip
    assert field_decl("database:sink", "operation") == FieldDecl(
        name="operation",
        type="enum",
        default="insert",
        description="Write operation.",
        values=("insert", "upsert", "update", "delete"),
    )
    decl = field_decl("email:sink", "provider")
    assert decl is not None and decl.values == ("smtp", "sendgrid")


def test_lookups() -> None:
    assert fields_for("transform:template") == RUNTIME_FIELDS["transform:template"]
    assert fields_for("ftp:source") is None
    assert field_decl("http:source", "nope") is None
    assert field_decl("nope:source", "url") is None


def test_runtime_types_by_role() -> None:
    assert dict(RUNTIME_TYPES) == {
        "source": ("http", "file", "database"),
        "transform": ("template", "map", "filter", "reduce", "ai"),
        "sink": ("file", "http", "database", "email"),
    }
    kinds = {
        f"transform:{t}" if role == "transform" else f"{t}:{role}"
        for role, types in RUNTIME_TYPES.items()
        for t in types
    }
    assert kinds == set(RUNTIME_FIELDS)


def test_filter_needs_condition_or_expression() -> None:
    assert REQUIRED_ONE_OF["transform:filter"] == (("condition", "expression"),)
    assert all(kind in RUNTIME_FIELDS for kind in REQUIRED_ONE_OF)


def test_declarations_are_immutable() -> None:
    with pytest.raises(TypeError, match="does not support item assignment"):
        RUNTIME_FIELDS["x"] = ()  # type: ignore[index]
    with pytest.raises(AttributeError, match="cannot assign to field"):
        RUNTIME_FIELDS["file:sink"][0].name = "x"  # type: ignore[misc]


def test_package_reexports() -> None:
    assert runtimes.fields_for is fields_for
    assert runtimes.RUNTIME_FIELDS is RUNTIME_FIELDS
    assert runtimes.RUNTIME_TYPES is RUNTIME_TYPES
    assert runtimes.FieldDecl is FieldDecl
