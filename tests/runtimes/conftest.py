"""Fixtures shared by the runtime tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from flowscript.runtimes.base import RuntimeContext


@pytest.fixture
async def context(tmp_path: Path) -> AsyncIterator[RuntimeContext]:
    """A run's runtime context rooted at ``tmp_path``, closed after the test."""
    ctx = RuntimeContext(root=tmp_path, workflow_dir=tmp_path)
    try:
        yield ctx
    finally:
        await ctx.aclose()
