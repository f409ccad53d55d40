"""``orders-to-db-email``: file → database → email against real local services, through the CLI.

The mail server is the example's own ``serve_mail.py`` (aiosmtpd); the database is a SQLite
file and, in a second run, the real PostgreSQL server of the test setup.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REPORT = "eu: 3 orders, 505.5\nus: 2 orders, 60.25"


def _serve_mail() -> ModuleType:
    spec = importlib.util.spec_from_file_location("serve_mail", EXAMPLES / "serve_mail.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def mail() -> Iterator[tuple[int, Any]]:
    controller, mailbox = _serve_mail().start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    return tmp_path


def _run(workdir: Path, *config: str, **env: str) -> dict[str, Any]:
    args = [arg for item in config for arg in ("-c", item)]
    result = subprocess.run(
        [sys.executable, "-m", "flowscript", "run", "examples/orders-to-db-email.flow.md",
         "--format", "json", *args],
        cwd=workdir, capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, NO_COLOR="1", **env),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document: dict[str, Any] = json.loads(result.stdout)
    assert document["status"] == "completed"
    return document


def _check_mail(mailbox: Any, runs: int) -> None:
    assert len(mailbox.received) == runs
    for recipients, message in mailbox.received:
        assert recipients == ["ops@example.com", "finance@example.com"]
        assert message["Subject"] == "Orders by region"
        assert message["From"] == "flowscript@example.com"
        assert message.get_payload(decode=True).decode().replace("\r\n", "\n").strip() == REPORT


def test_pipeline_into_sqlite_is_idempotent(workdir: Path, mail: tuple[int, Any]) -> None:
    port, mailbox = mail
    for _ in range(2):  # the upsert makes a re-run update the same rows
        document = _run(workdir, f"smtp_port={port}")
        assert document["outputs"]["store"] == {"rowsAffected": 5, "batches": 3}
        assert document["outputs"]["summary"] == [
            {"region": "eu", "orders": 3, "revenue": 505.5},
            {"region": "us", "orders": 2, "revenue": 60.25},
        ]
    _check_mail(mailbox, runs=2)
    with sqlite3.connect(workdir / "output" / "orders.db") as db:
        rows = db.execute("SELECT id, customer, region, total FROM orders ORDER BY id").fetchall()
    assert rows == [
        (1, "ada", "eu", 120.5),
        (2, "grace", "us", 42),
        (3, "linus", "eu", 310),
        (4, "margaret", "us", 18.25),
        (5, "ada", "eu", 75),
    ]


def test_pipeline_into_postgresql(workdir: Path, mail: tuple[int, Any], postgres_url: str) -> None:
    port, mailbox = mail
    # The password stays out of the config (and so out of the state): libpq reads PGPASSWORD.
    password = postgres_url.split(":")[2].split("@")[0]
    url = postgres_url.replace(f":{password}@", "@")
    document = _run(
        workdir, f"smtp_port={port}", f"database={url}", "min_total=20", PGPASSWORD=password
    )
    assert document["outputs"]["summary"] == [
        {"region": "eu", "orders": 3, "revenue": 505.5},
        {"region": "us", "orders": 1, "revenue": 42},  # 18.25 is under min_total
    ]
    assert len(mailbox.received) == 1
    text = mailbox.received[0][1].get_payload(decode=True).decode().replace("\r\n", "\n").strip()
    assert text == "eu: 3 orders, 505.5\nus: 1 orders, 42"
    state = next((workdir / ".flowscript" / "runs").rglob("*.json")).read_text()
    assert password not in state and password not in json.dumps(document)
