"""The database source against real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from flowscript.errors import NodeError

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)"
PEOPLE = [(1, "ann", 31), (2, "bob", 17), (3, "o'hara", 45)]
INJECTIONS = ["'; DROP TABLE users; --", "' OR '1'='1", 'x" OR "1"="1', "1; DELETE FROM users"]


@pytest.fixture
def users(db: Any) -> Any:
    db.execute(USERS)
    mark = db.placeholder()
    for row in PEOPLE:
        db.execute(f"INSERT INTO users VALUES ({mark}, {mark}, {mark})", *row)
    return db


async def test_templated_values_are_bound(users: Any, source: Any) -> None:
    rows = await source(
        connection=users.url,
        query="SELECT id, name FROM users WHERE age > {{ min }} AND name <> {{ skip }} ORDER BY id",
        variables={"min": 18, "skip": "o'hara"},
    )
    assert rows == [{"id": 1, "name": "ann"}]


@pytest.mark.parametrize("attack", INJECTIONS, ids=["drop", "or-true", "double-quote", "stacked"])
async def test_injection_through_templates_is_compared_literally(
    users: Any, source: Any, sink: Any, attack: str
) -> None:
    found = await source(
        connection=users.url,
        query="SELECT id FROM users WHERE name = {{ name }} OR name = '{{ name }}'",
        variables={"name": attack},
    )
    assert found == []
    assert users.table("users") == PEOPLE  # the table still exists, untouched
    await sink({"id": 9, "name": attack, "age": 1}, connection=users.url, table="users")
    found = await source(
        connection=users.url,
        query="SELECT id, name FROM users WHERE name = {{ name }}",
        variables={"name": attack},
    )
    assert found == [{"id": 9, "name": attack}]
    assert users.table("users") == [*PEOPLE, (9, attack, 1)]


async def test_like_pattern_in_a_quoted_literal(users: Any, source: Any) -> None:
    rows = await source(
        connection=users.url,
        query="SELECT name FROM users WHERE name LIKE '%{{ part }}%' ORDER BY id",
        variables={"part": "'h"},
    )
    assert rows == [{"name": "o'hara"}]


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("SELECT name FROM users WHERE age >= ? AND age <= ? ORDER BY id", [17, 31]),
        ("SELECT name FROM users WHERE age <= $2 AND age >= $1 ORDER BY id", [17, 31]),
        (
            "SELECT name FROM users WHERE age >= :low AND age <= :high ORDER BY id",
            {"low": 17, "high": 31},
        ),
        ("SELECT name FROM users WHERE age >= ? AND age <= ? ORDER BY id", "[17, 31]"),
    ],
    ids=["qmark", "numbered", "named", "json-text"],
)
async def test_params(users: Any, source: Any, query: str, params: Any) -> None:
    rows = await source(connection=users.url, query=query, params=params)
    assert rows == [{"name": "ann"}, {"name": "bob"}]


async def test_placeholders_inside_strings_are_left_alone(users: Any, source: Any) -> None:
    rows = await source(
        connection=users.url,
        query="SELECT '?' AS q, ':name' AS n, name FROM users WHERE id = :id -- :other ?",
        params={"id": 2},
    )
    assert rows == [{"q": "?", "n": ":name", "name": "bob"}]


async def test_params_with_templates_is_refused(users: Any, source: Any) -> None:
    with pytest.raises(NodeError, match="not both") as info:
        await source(
            connection=users.url,
            query="SELECT * FROM users WHERE id = {{ id }} OR id = ?",
            params=[1],
            variables={"id": 1},
        )
    assert info.value.type == "config.invalid"


async def test_statement_without_rows_returns_empty_list(users: Any, source: Any) -> None:
    rows = await source(
        connection=users.url,
        query="UPDATE users SET age = age + 1 WHERE id = {{ id }}",
        variables={"id": 1},
    )
    assert rows == []
    assert users.table("users")[0] == (1, "ann", 32)  # written and committed


async def test_bad_query_is_database_query_with_the_server_message(users: Any, source: Any) -> None:
    with pytest.raises(NodeError) as info:
        await source(connection=users.url, query="SELEC name\nFROM users")
    error = info.value
    expected = {
        "sqlite": 'near "SELEC": syntax error (in: SELEC name)',
        "postgresql": 'syntax error at or near "SELEC" (in: SELEC name)',
    }[users.dialect]
    assert (error.type, error.retryable, error.message) == ("database.query", False, expected)


async def test_unknown_table_is_database_query(db: Any, source: Any) -> None:
    with pytest.raises(NodeError, match="nope") as info:
        await source(connection=db.url, query="SELECT * FROM nope")
    assert info.value.type == "database.query"


async def test_parameter_values_never_appear_in_messages(pg_db: Any, source: Any) -> None:
    with pytest.raises(NodeError) as info:
        await source(
            connection=pg_db.url,
            query="SELECT {{ v }}::int AS n",
            variables={"v": "private-value-123"},
        )
    assert info.value.message == (
        'invalid input syntax for type integer: "…" (in: SELECT $1::int AS n)'
    )


async def test_postgres_types_are_converted(pg_db: Any, source: Any) -> None:
    pg_db.execute(
        "CREATE TABLE t (id int, ts timestamptz, d date, tm time, n numeric(12,2), big numeric,"
        " r real, j jsonb, b boolean, x text, by bytea, u uuid, iv interval, arr int[])"
    )
    pg_db.execute(
        "INSERT INTO t VALUES (1, '2024-05-06 07:08:09+00', '2024-05-06', '07:08:09', 12.50,"
        " 12345678901234567890.123, 1.5, '{\"a\": [1, null]}', true, 'x', '\\x00ff',"
        " '00000000-0000-0000-0000-000000000001', '90 seconds', '{1,2}')"
    )
    pg_db.execute("INSERT INTO t (id) VALUES (2)")
    rows = await source(connection=pg_db.url, query="SELECT * FROM t ORDER BY id")
    assert rows[0] == {
        "id": 1,
        "ts": "2024-05-06T07:08:09+00:00",
        "d": "2024-05-06",
        "tm": "07:08:09",
        "n": 12.5,
        "big": "12345678901234567890.123",
        "r": 1.5,
        "j": {"a": [1, None]},
        "b": True,
        "x": "x",
        "by": "AP8=",
        "u": "00000000-0000-0000-0000-000000000001",
        "iv": 90,
        "arr": [1, 2],
    }
    assert set(rows[1].values()) == {2, None}


async def test_sqlite_types_are_converted(sqlite_db: Any, source: Any) -> None:
    sqlite_db.execute("CREATE TABLE t (id INTEGER, r REAL, x TEXT, b BLOB, flag BOOLEAN)")
    sqlite_db.execute("INSERT INTO t VALUES (1, 2.5, 'x', X'00ff', 1), (2, NULL, NULL, NULL, NULL)")
    rows = await source(connection=sqlite_db.url, query="SELECT * FROM t ORDER BY id")
    assert rows == [
        {"id": 1, "r": 2.5, "x": "x", "b": "AP8=", "flag": 1},
        {"id": 2, "r": None, "x": None, "b": None, "flag": None},
    ]


async def test_bound_values_of_every_type_round_trip(db: Any, source: Any) -> None:
    rows = await source(
        connection=db.url,
        query="SELECT {{ s }} AS s, {{ n }} AS n, {{ f }} AS f, {{ z }} AS z",
        variables={"s": "text", "n": 42, "f": 0.5, "z": None},
    )
    assert rows == [{"s": "text", "n": 42, "f": 0.5, "z": None}]


async def test_json_values_bind_as_json_text(pg_db: Any, source: Any) -> None:
    rows = await source(
        connection=pg_db.url,
        query="SELECT ({{ doc }})::jsonb -> 'a' AS a, {{ when }}::timestamptz AS at",
        variables={"doc": {"a": [1, 2]}, "when": "2024-01-02T03:04:05Z"},
    )
    assert rows == [{"a": [1, 2], "at": "2024-01-02T03:04:05+00:00"}]


async def test_relative_sqlite_path_under_root(tmp_path: Any, source: Any) -> None:
    rows = await source(connection="sqlite:data.db", query="SELECT 1 AS one")
    assert rows == [{"one": 1}]
    assert (tmp_path / "data.db").is_file()


async def test_memory_database_is_shared_by_the_run(context: Any, source: Any, sink: Any) -> None:
    await source(connection="sqlite::memory:", query="CREATE TABLE m (id INTEGER, v TEXT)")
    result = await sink([{"id": 1, "v": "a"}], connection="sqlite::memory:", table="m")
    rows = await source(connection="sqlite::memory:", query="SELECT * FROM m")
    assert (result, rows) == ({"rowsAffected": 1, "batches": 1}, [{"id": 1, "v": "a"}])


async def test_a_missing_sqlite_folder_is_created(tmp_path: Any, source: Any) -> None:
    rows = await source(connection=f"sqlite:///{tmp_path}/new/dir/x.db", query="SELECT 1 AS one")
    assert rows == [{"one": 1}]
    assert (tmp_path / "new" / "dir" / "x.db").is_file()


async def test_an_unusable_sqlite_folder_is_database_connect(tmp_path: Any, source: Any) -> None:
    (tmp_path / "plain-file").write_text("not a folder")
    with pytest.raises(NodeError, match="unable to open database file") as info:
        await source(connection=f"sqlite:///{tmp_path}/plain-file/x.db", query="SELECT 1")
    assert (info.value.type, info.value.retryable) == ("database.connect", False)


async def test_closed_port_is_retryable_database_connect(closed_port: int, source: Any) -> None:
    url = f"postgresql://flowscript:pg-S3cret-pw@127.0.0.1:{closed_port}/x"
    with pytest.raises(NodeError) as info:
        await source(connection=url, query="SELECT 1")
    error = info.value
    assert (error.type, error.retryable) == ("database.connect", True)
    assert error.message.startswith(
        f"cannot connect to postgresql://flowscript:***@127.0.0.1:{closed_port}/x: "
    )
    assert "Connection refused" in error.message
    assert "pg-S3cret-pw" not in error.message + repr(error.details)
    assert (error.__cause__, error.__context__) == (None, None)  # no driver exception kept


async def test_wrong_password_is_not_retryable(pg_db: Any, source: Any) -> None:
    url = pg_db.url.replace("pg-S3cret-pw", "wrong-password")
    with pytest.raises(NodeError, match="password authentication failed") as info:
        await source(connection=url, query="SELECT 1")
    assert (info.value.type, info.value.retryable) == ("database.connect", False)
    assert "wrong-password" not in info.value.message


async def test_pool_is_reused_within_a_run(pg_db: Any, source: Any, context: Any) -> None:
    for _ in range(3):
        assert await source(connection=pg_db.url, query="SELECT 1 AS one") == [{"one": 1}]
    pools = context.resources["database:postgresql"]
    assert len(pools._pools) == 1
    await context.aclose()
    assert context.resources == {}
    assert pools._pools == {}


async def test_run_without_prepare_binds_against_an_empty_scope(db: Any, context: Any) -> None:
    from flowscript.runtimes.base import NodeRequest
    from flowscript.runtimes.database import DatabaseSourceRuntime

    request = NodeRequest(
        node_id="db",
        kind="database:source",
        config={"connection": db.url, "query": "SELECT {{ 1 + 1 }} AS two"},
        input=None,
    )
    assert await DatabaseSourceRuntime().run(request, context) == [{"two": 2}]


def test_dates_in_rows_are_iso_strings() -> None:
    from flowscript.runtimes.database._values import json_row

    row = json_row(["at"], (dt.datetime(2024, 1, 1, 12, 0),))
    assert row == {"at": "2024-01-01T12:00:00"}
