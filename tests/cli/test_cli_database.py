"""The database runtimes through the real ``flowscript`` command: connection strings come
from the environment as secrets, and the password never appears in the output, the state
files or the execution log (format.md §2.2, execution.md §9)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

PASSWORD = "pg-S3cret-pw"  # tests/support/pgserver.py

FLOW = """---
name: db-copy
version: "1.0"
secrets: [DATABASE_URL]
---
<workflow>
  <source id="read" type="database" connection="{{ $secrets.DATABASE_URL }}">
    <query>SELECT id, name FROM users WHERE name <> {{ $input.skip }} ORDER BY id</query>
  </source>
  <sink id="write" type="database" input="read" connection="{{ $secrets.DATABASE_URL }}"
        table="copy" batch="1"/>
</workflow>
"""


def _written_files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and path.suffix != ".db"]


def _assert_no_password(result: subprocess.CompletedProcess[str], folder: Path) -> None:
    assert PASSWORD not in result.stdout + result.stderr
    files = _written_files(folder)
    assert any(path.suffix == ".json" for path in files)  # the state was written ...
    for path in files:  # ... and neither it nor the log (in the flow file) has the password
        assert PASSWORD not in path.read_text(encoding="utf-8", errors="replace"), path


def _prepare(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("CREATE TABLE users (id int PRIMARY KEY, name text)")
        connection.execute("CREATE TABLE copy (id int PRIMARY KEY, name text)")
        connection.execute("INSERT INTO users VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')")


def _copied(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT * FROM copy ORDER BY id").fetchall()


def test_copy_between_tables_with_secret_url(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, postgres_url: str
) -> None:
    _prepare(postgres_url)
    flow = write_flow("copy.flow.md", FLOW)
    result = flowscript(
        "run", str(flow), "--input", '{"skip": "bob"}', "--format", "json",
        env={"DATABASE_URL": postgres_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outputs"]["write"] == {"rowsAffected": 2, "batches": 2}
    assert _copied(postgres_url) == [(1, "ann"), (3, "cy")]
    assert flow.read_text(encoding="utf-8") != FLOW  # the execution log was appended
    _assert_no_password(result, tmp_path)


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_bad_query_reports_the_server_message(
    flowscript: CliRunner,
    write_flow: WriteFlow,
    tmp_path: Path,
    postgres_url: str,
    output_format: str,
) -> None:
    flow = write_flow(
        "bad.flow.md",
        FLOW.replace("SELECT id, name FROM users", "SELECT id, name FROM missing_table"),
    )
    result = flowscript(
        "run", str(flow), "--input", '{"skip": "x"}', "--format", output_format,
        env={"DATABASE_URL": postgres_url},
    )  # fmt: skip
    assert result.returncode == 1
    expected = 'relation "missing_table" does not exist (in: SELECT id, name FROM missing_table'
    if output_format == "json":
        error = json.loads(result.stdout)["error"]
        assert (error["type"], error["message"][: len(expected)]) == ("database.query", expected)
    else:
        assert expected in result.stdout + result.stderr
        assert "database.query" in result.stdout + result.stderr
    _assert_no_password(result, tmp_path)


def test_unreachable_database_hides_the_password(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql://flowscript:{PASSWORD}@127.0.0.1:{port}/app"
    flow = write_flow("down.flow.md", FLOW)
    result = flowscript(
        "run", str(flow), "--input", '{"skip": "x"}', "--format", "json",
        env={"DATABASE_URL": url},
    )  # fmt: skip
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "database.connect"
    assert "Connection refused" in error["message"]
    _assert_no_password(result, tmp_path)


def test_relative_sqlite_database_under_the_base_folder(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    with sqlite3.connect(tmp_path / "app.db") as connection:
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("CREATE TABLE copy (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO users VALUES (1, 'ann'), (2, 'bob')")
    connection.close()
    flow = write_flow("local.flow.md", FLOW)
    result = flowscript(
        "run", str(flow), "--input", '{"skip": "ann"}', env={"DATABASE_URL": "sqlite:app.db"}
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "app.db") as connection:
        assert connection.execute("SELECT * FROM copy").fetchall() == [(2, "bob")]
    connection.close()
