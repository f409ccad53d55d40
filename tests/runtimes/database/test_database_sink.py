"""The database sink against real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

from typing import Any

import pytest

from flowscript.errors import NodeError

ITEMS = (
    "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, qty INTEGER, meta TEXT)"
)


@pytest.fixture
def items(db: Any) -> Any:
    db.execute(ITEMS)
    return db


async def test_insert_list_with_union_of_keys(items: Any, sink: Any) -> None:
    rows = [{"id": 1, "name": "a", "qty": 3}, {"id": 2, "name": "b", "meta": {"k": [1]}}]
    result = await sink(rows, connection=items.url, table="items")
    assert result == {"rowsAffected": 2, "batches": 1}
    assert items.table("items") == [(1, "a", 3, None), (2, "b", None, '{"k":[1]}')]


async def test_insert_single_object(items: Any, sink: Any) -> None:
    result = await sink({"id": 7, "name": "solo"}, connection=items.url, table="items")
    assert result == {"rowsAffected": 1, "batches": 1}
    assert items.table("items") == [(7, "solo", None, None)]


@pytest.mark.parametrize("rows", [None, []], ids=["null", "empty"])
async def test_nothing_to_write(items: Any, sink: Any, rows: Any) -> None:
    assert await sink(rows, connection=items.url, table="items") == {
        "rowsAffected": 0,
        "batches": 0,
    }


async def test_upsert(items: Any, sink: Any) -> None:
    await sink([{"id": 1, "name": "a", "qty": 1}], connection=items.url, table="items")
    result = await sink(
        [{"id": 1, "name": "a2", "qty": 5}, {"id": 2, "name": "b", "qty": 2}],
        connection=items.url,
        table="items",
        operation="upsert",
        conflict_columns="id",
    )
    assert result == {"rowsAffected": 2, "batches": 1}
    assert items.table("items") == [(1, "a2", 5, None), (2, "b", 2, None)]


async def test_update(items: Any, sink: Any) -> None:
    await sink(
        [{"id": 1, "name": "a", "qty": 1}, {"id": 2, "name": "b", "qty": 2}],
        connection=items.url,
        table="items",
    )
    result = await sink(
        [{"id": 2, "qty": 20}, {"id": 3, "qty": 30}],
        connection=items.url,
        table="items",
        operation="update",
        **{"key-columns": ["id"]},
    )
    assert result == {"rowsAffected": 1, "batches": 1}  # id 3 matches no row
    assert items.table("items") == [(1, "a", 1, None), (2, "b", 20, None)]


async def test_delete(items: Any, sink: Any) -> None:
    await sink(
        [{"id": i, "name": f"n{i}"} for i in range(1, 5)], connection=items.url, table="items"
    )
    result = await sink(
        [{"id": 2, "name": "ignored"}, {"id": 4}],
        connection=items.url,
        table="items",
        operation="delete",
        key_columns="id",
    )
    assert result == {"rowsAffected": 2, "batches": 1}
    assert items.table("items") == [(1, "n1", None, None), (3, "n3", None, None)]


async def test_batches(items: Any, sink: Any) -> None:
    rows = [{"id": i, "name": f"n{i}"} for i in range(5)]
    result = await sink(rows, connection=items.url, table="items", batch="2")
    assert result == {"rowsAffected": 5, "batches": 3}
    assert [row[0] for row in items.table("items")] == [0, 1, 2, 3, 4]


async def test_failing_row_in_last_batch_rolls_back_everything(items: Any, sink: Any) -> None:
    await sink({"id": 100, "name": "existing"}, connection=items.url, table="items")
    before = items.table("items")
    rows = [{"id": i, "name": f"n{i}"} for i in range(4)] + [{"id": 4, "name": "existing"}]
    with pytest.raises(NodeError) as info:
        await sink(rows, connection=items.url, table="items", batch=2)
    error = info.value
    assert (error.type, error.retryable) == ("database.constraint", False)
    expected = {
        "sqlite": "UNIQUE constraint failed: items.name",
        "postgresql": 'duplicate key value violates unique constraint "items_name_key"',
    }[items.dialect]
    assert error.message.startswith(expected + ' (in: INSERT INTO "items" ("id", "name") VALUES')
    assert items.table("items") == before


@pytest.mark.parametrize(
    "violation",
    [{"id": 1, "name": None}, {"id": "x", "name": "n"}],
    ids=["not-null", "type"],
)
async def test_other_violations(items: Any, sink: Any, violation: dict[str, Any]) -> None:
    with pytest.raises(NodeError) as info:
        await sink(violation, connection=items.url, table="items")
    expected = "database.constraint" if violation["name"] is None else "database.query"
    if items.dialect == "sqlite" and violation["id"] == "x":
        expected = "database.constraint"  # SQLite: "datatype mismatch" on INTEGER PRIMARY KEY
    assert info.value.type == expected
    assert items.table("items") == []


async def test_foreign_key_violation_is_constraint(pg_db: Any, sink: Any) -> None:
    pg_db.execute("CREATE TABLE parent (id int PRIMARY KEY)")
    pg_db.execute("CREATE TABLE child (id int PRIMARY KEY, parent int REFERENCES parent(id))")
    with pytest.raises(NodeError, match="violates foreign key constraint") as info:
        await sink({"id": 1, "parent": 42}, connection=pg_db.url, table="child")
    assert info.value.type == "database.constraint"
    assert info.value.details["constraint"] == "child_parent_fkey"


@pytest.mark.parametrize(
    "config",
    [
        {"table": 'items"; DROP TABLE items; --'},
        {"table": "items", "operation": "upsert", "conflict-columns": "id; DROP"},
        {"table": "items", "operation": "delete", "key-columns": ["1id"]},
    ],
    ids=["table", "conflict-column", "key-column"],
)
async def test_invalid_identifiers_are_refused_before_any_sql(
    items: Any, sink: Any, closed_port: int, config: dict[str, Any]
) -> None:
    await sink({"id": 1, "name": "keep"}, connection=items.url, table="items")
    for connection in (items.url, f"postgresql://u:p@127.0.0.1:{closed_port}/x"):
        with pytest.raises(NodeError, match="is not a plain name") as info:
            await sink([{"id": 2, "name": "new"}], connection=connection, **config)
        # No statement ran: no server error, nothing connected (the closed port would say
        # database.connect), and the table is unchanged.
        assert info.value.type == "database.invalid_identifier"
    assert items.table("items") == [(1, "keep", None, None)]


async def test_invalid_column_in_input_is_refused(items: Any, sink: Any) -> None:
    with pytest.raises(NodeError, match="column 'name, qty'") as info:
        await sink([{"id": 1, "name, qty": "x"}], connection=items.url, table="items")
    assert info.value.type == "database.invalid_identifier"
    assert items.table("items") == []


async def test_schema_qualified_table(pg_db: Any, sink: Any) -> None:
    pg_db.execute("CREATE SCHEMA app")
    pg_db.execute("CREATE TABLE app.logs (id int, msg text)")
    result = await sink([{"id": 1, "msg": "hi"}], connection=pg_db.url, table="app.logs")
    assert result == {"rowsAffected": 1, "batches": 1}
    assert pg_db.table("app.logs") == [(1, "hi")]


async def test_json_and_typed_columns_on_postgres(pg_db: Any, sink: Any, source: Any) -> None:
    pg_db.execute(
        "CREATE TABLE ev (id int PRIMARY KEY, at timestamptz, doc jsonb, ok boolean, n numeric)"
    )
    rows = [
        {"id": 1, "at": "2024-01-02T03:04:05Z", "doc": {"a": [1, "x"]}, "ok": True, "n": 1.25},
        {"id": 2, "at": None, "doc": [1, 2], "ok": False, "n": 10},
    ]
    assert await sink(rows, connection=pg_db.url, table="ev") == {"rowsAffected": 2, "batches": 1}
    back = await source(connection=pg_db.url, query="SELECT * FROM ev ORDER BY id")
    assert back == [
        {"id": 1, "at": "2024-01-02T03:04:05+00:00", "doc": {"a": [1, "x"]}, "ok": True, "n": 1.25},
        {"id": 2, "at": None, "doc": [1, 2], "ok": False, "n": 10},
    ]


async def test_sqlite_booleans_are_stored_as_integers(sqlite_db: Any, sink: Any) -> None:
    sqlite_db.execute("CREATE TABLE f (id INTEGER, ok BOOLEAN)")
    await sink([{"id": 1, "ok": True}, {"id": 2, "ok": False}], connection=sqlite_db.url, table="f")
    assert sqlite_db.table("f") == [(1, 1), (2, 0)]


async def test_reserved_word_columns_work_because_quoted(db: Any, sink: Any) -> None:
    db.execute('CREATE TABLE q ("id" INTEGER, "order" INTEGER, "select" TEXT)')
    await sink({"id": 1, "order": 2, "select": "x"}, connection=db.url, table="q")
    assert db.table("q") == [(1, 2, "x")]
