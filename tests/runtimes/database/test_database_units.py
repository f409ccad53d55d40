"""Connection strings, redaction, value conversion and sink statements (no database needed)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes.database._errors import connect_error
from flowscript.runtimes.database._statements import plan_write, quote_identifier
from flowscript.runtimes.database._target import Target, parse_target, redact_url, scrub
from flowscript.runtimes.database._values import json_value

URL = "postgresql://app:s3cr%40t-pw@db.example:5432/shop"


@pytest.mark.parametrize(
    ("connection", "expected"),
    [
        ("sqlite::memory:", Target("sqlite", ":memory:")),
        ("sqlite:///var/data/app.db", Target("sqlite", "/var/data/app.db")),
        ("sqlite:////var/app.db", Target("sqlite", "/var/app.db")),
        (URL, Target("postgresql", URL)),
        ("postgres://u@h/d", Target("postgresql", "postgres://u@h/d")),
    ],
    ids=["memory", "absolute", "four-slashes", "postgresql", "postgres"],
)
def test_parse_target(connection: str, expected: Target, tmp_path: Path) -> None:
    assert parse_target(connection, tmp_path) == expected


def test_relative_sqlite_path_resolves_in_root(tmp_path: Path) -> None:
    target = parse_target("sqlite:data/app.db", tmp_path)
    assert target == Target("sqlite", str(tmp_path.resolve() / "data" / "app.db"))


def test_relative_sqlite_path_outside_root_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NodeError, match="leaves the base folder") as info:
        parse_target("sqlite:../elsewhere.db", tmp_path)
    assert info.value.type == "file.path_outside_root"


@pytest.mark.parametrize(
    ("connection", "match"),
    [
        ("", "a connection string is required"),
        ("mysql://root:pw@h/db", "scheme 'mysql' is not supported"),
        ("sqlite://host/x.db", "SQLite URLs have no host"),
        ("sqlite:", "names no database file"),
    ],
    ids=["empty", "mysql", "sqlite-host", "sqlite-empty"],
)
def test_bad_connection_strings(connection: str, match: str, tmp_path: Path) -> None:
    with pytest.raises(NodeError, match=match) as info:
        parse_target(connection, tmp_path)
    assert info.value.type == "config.invalid"
    assert "pw" not in info.value.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (URL, "postgresql://app:***@db.example:5432/shop"),
        (
            "postgresql://h/db?user=u&password=topsecret&x=1",
            "postgresql://h/db?user=u&password=***&x=1",
        ),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
    ids=["userinfo", "query-param", "no-password"],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_scrub_removes_url_and_password_in_every_form() -> None:
    target = Target("postgresql", URL)
    text = f"failed for {URL}: password s3cr@t-pw or s3cr%40t-pw rejected"
    assert scrub(text, target) == (
        "failed for postgresql://app:***@db.example:5432/shop: password *** or *** rejected"
    )
    assert "s3cr" not in repr(target)


def test_connect_error_never_shows_the_password() -> None:
    error = connect_error(Target("postgresql", URL), "auth failed using s3cr@t-pw\n\tagain")
    assert error.type == "database.connect"
    assert error.retryable is True
    assert error.message == (
        "cannot connect to postgresql://app:***@db.example:5432/shop: auth failed using *** again"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC), "2024-01-02T03:04:05+00:00"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.time(3, 4, 5), "03:04:05"),
        (dt.timedelta(hours=1, seconds=1), 3601),
        (dt.timedelta(milliseconds=1500), 1.5),
        (Decimal("12"), 12),
        (Decimal("12.50"), 12.5),
        (Decimal("0.1"), 0.1),
        (Decimal("12345678901234567890.123"), "12345678901234567890.123"),
        (Decimal("123456789012345678901"), "123456789012345678901"),
        (Decimal("NaN"), "NaN"),
        (float("inf"), "Infinity"),
        (b"\x00\xff", "AP8="),
        (memoryview(b"ab"), "YWI="),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        ({"a": [Decimal("1.5"), dt.date(2020, 1, 1)]}, {"a": [1.5, "2020-01-01"]}),
        ((1, 2), [1, 2]),
        (True, True),
        (None, None),
        (2**70, 2**70),
    ],
    ids=lambda v: type(v).__name__,
)
def test_json_value(value: Any, expected: Any) -> None:
    converted = json_value(value)
    assert converted == expected
    assert type(converted) is type(expected)


@pytest.mark.parametrize(
    ("name", "table", "expected"),
    [
        ("users", True, '"users"'),
        ("public.users", True, '"public"."users"'),
        ("_x1", False, '"_x1"'),
    ],
    ids=["table", "schema-table", "column"],
)
def test_quote_identifier(name: str, table: bool, expected: str) -> None:
    assert quote_identifier(name, table=table) == expected


@pytest.mark.parametrize(
    "name",
    ['users"; DROP TABLE x; --', "1abc", "a.b.c", "a b", "", "naïve", None],
    ids=["injection", "digit", "three-parts", "space", "empty", "non-ascii", "none"],
)
def test_quote_identifier_refuses(name: Any) -> None:
    with pytest.raises(NodeError, match="is not a plain name") as info:
        quote_identifier(name, table=True)
    assert info.value.type == "database.invalid_identifier"


def test_column_may_not_have_a_schema() -> None:
    with pytest.raises(NodeError, match=r"column 'a\.b'"):
        quote_identifier("a.b")


ROWS = [{"id": 1, "name": "a"}, {"id": 2, "tags": ["x"]}]


@pytest.mark.parametrize(
    ("config", "sql", "rows"),
    [
        (
            {},
            'INSERT INTO "t" ("id", "name", "tags") VALUES ({p}, {p}, {p})',
            [(1, "a", None), (2, None, '["x"]')],
        ),
        (
            {"operation": "upsert", "conflict-columns": ["id"]},
            'INSERT INTO "t" ("id", "name", "tags") VALUES ({p}, {p}, {p}) ON CONFLICT ("id") '
            'DO UPDATE SET "name" = excluded."name", "tags" = excluded."tags"',
            [(1, "a", None), (2, None, '["x"]')],
        ),
        (
            {"operation": "update", "key-columns": ["id"]},
            'UPDATE "t" SET "name" = {p}, "tags" = {p} WHERE "id" = {p}',
            [("a", None, 1), (None, '["x"]', 2)],
        ),
        (
            {"operation": "delete", "key-columns": ["id"]},
            'DELETE FROM "t" WHERE "id" = {p}',
            [(1,), (2,)],
        ),
    ],
    ids=["insert", "upsert", "update", "delete"],
)
def test_plan_write(config: dict[str, Any], sql: str, rows: list[tuple[Any, ...]]) -> None:
    plan = plan_write({"table": "t", **config}, ROWS)
    assert plan is not None
    assert (plan.sql, plan.rows, plan.batch) == (sql, rows, 500)


def test_upsert_of_only_conflict_columns_does_nothing_on_conflict() -> None:
    plan = plan_write({"table": "t", "operation": "upsert", "conflict-columns": ["id"]}, {"id": 1})
    assert plan is not None
    assert plan.sql == 'INSERT INTO "t" ("id") VALUES ({p}) ON CONFLICT ("id") DO NOTHING'


def test_render_and_batches() -> None:
    plan = plan_write({"table": "t", "batch": 2}, [{"a": i, "b": i} for i in range(5)])
    assert plan is not None
    assert plan.render(lambda n: f"${n}") == 'INSERT INTO "t" ("a", "b") VALUES ($1, $2)'
    assert [len(batch) for batch in plan.batches()] == [2, 2, 1]


@pytest.mark.parametrize("data", [None, []], ids=["null", "empty"])
def test_no_rows_means_no_plan(data: Any) -> None:
    assert plan_write({"table": "t"}, data) is None


@pytest.mark.parametrize(
    ("config", "data", "error_type", "match"),
    [
        ({"table": "t;"}, [], "database.invalid_identifier", "table 't;'"),
        ({"table": "t"}, [{"bad col": 1}], "database.invalid_identifier", "column 'bad col'"),
        (
            {"table": "t", "operation": "upsert", "conflict-columns": ["x y"]},
            [],
            "database.invalid_identifier",
            "column 'x y'",
        ),
        ({"table": "t", "operation": "upsert"}, [{"a": 1}], "config.invalid", "conflict-columns"),
        ({"table": "t", "operation": "delete"}, [{"a": 1}], "config.invalid", "key-columns"),
        ({"table": "t", "batch": 0}, [{"a": 1}], "config.invalid", "positive integer"),
        ({"table": "t", "operation": "merge"}, [{"a": 1}], "config.invalid", "unknown operation"),
        ({"table": "t"}, [1, 2], "database.invalid_input", "item 0 is not"),
        ({"table": "t"}, [{}], "database.invalid_input", "no columns"),
        (
            {"table": "t", "operation": "update", "key-columns": ["id"]},
            [{"id": 1, "a": 1}, {"a": 2}],
            "database.invalid_input",
            "item 1 has no value for key column 'id'",
        ),
        (
            {"table": "t", "operation": "update", "key-columns": ["id"]},
            [{"id": 1}],
            "database.invalid_input",
            "no column besides the key columns",
        ),
    ],
    ids=[
        "table",
        "column",
        "conflict-column",
        "upsert-without-conflict",
        "delete-without-key",
        "batch",
        "operation",
        "not-objects",
        "no-columns",
        "missing-key",
        "nothing-to-update",
    ],
)
def test_plan_write_errors(config: dict[str, Any], data: Any, error_type: str, match: str) -> None:
    with pytest.raises(NodeError, match=match) as info:
        plan_write(config, data)
    assert info.value.type == error_type


@pytest.mark.parametrize(
    ("rows", "sql", "params"),
    [
        (
            [{"a": 1, "b": 2}, {"a": 3, "c": 4}],
            'INSERT INTO "t" ("a", "b", "c") VALUES ({p}, {p}, {p})',
            [(1, 2, None), (3, None, 4)],
        ),
        (
            [{"a": 1, "b": [2]}, {"b": 3, "a": 4}],
            'INSERT INTO "t" ("a", "b") VALUES ({p}, {p})',
            [(1, "[2]"), (4, 3)],
        ),
        (
            [{"a": 1}, {"a": {"x": None}}],
            'INSERT INTO "t" ("a") VALUES ({p})',
            [(1,), ('{"x":null}',)],
        ),
    ],
    ids=["same-count-other-keys", "reordered-keys", "single-column-json"],
)
def test_columns_are_the_union_of_keys(
    rows: list[dict[str, Any]], sql: str, params: list[tuple[Any, ...]]
) -> None:
    plan = plan_write({"table": "t"}, rows)
    assert plan is not None
    assert (plan.sql, plan.rows) == (sql, params)
