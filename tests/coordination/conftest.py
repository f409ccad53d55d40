"""Fixtures for the coordination tests: workflow files and an open state database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from flowscript.persistence.postgres import Database


@pytest.fixture
def write_flow(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a workflow file into ``tmp_path`` and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    """The test's fresh database, opened (schema created)."""
    db = Database(postgres_url, max_size=6)
    await db.open()
    try:
        yield db
    finally:
        await db.close()
