"""Where run state lives on disk (execution.md §9.2).

The default state folder is ``.flowscript/runs`` under the current directory; ``--state-dir``
replaces that folder. Inside it, each workflow has a sub-folder and each run one JSON file::

    <state_dir>/<workflow>/<runId>.json       the state snapshot (what ``load_state`` reads)
    <state_dir>/<workflow>/<runId>.journal    node results recorded since that snapshot

Workflow names and run ids become file names, so characters outside ``[A-Za-z0-9._-]`` are
replaced by ``_`` (a name like ``../../etc`` can never leave the state folder).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

__all__ = [
    "DEFAULT_STATE_DIR",
    "JOURNAL_SUFFIX",
    "STATE_SUFFIX",
    "default_state_dir",
    "get_state_path",
    "journal_path",
    "safe_file_name",
]

DEFAULT_STATE_DIR: Final = Path(".flowscript") / "runs"
"""The state folder, relative to the current directory (execution.md §9.2)."""

STATE_SUFFIX: Final = ".json"
JOURNAL_SUFFIX: Final = ".journal"

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_file_name(name: str) -> str:
    """``name`` made safe as one path component: unsafe characters become ``_``.

    Example:
        >>> safe_file_name("my flow/v2")
        'my_flow_v2'
    """
    cleaned = _UNSAFE.sub("_", name)
    if cleaned.strip(".") == "":
        # "", ".", ".." (and "...") would name the folder itself or its parent.
        return "_" * max(1, len(cleaned))
    return cleaned


def default_state_dir() -> Path:
    """The default state folder: ``.flowscript/runs`` under the current directory (absolute)."""
    return Path.cwd() / DEFAULT_STATE_DIR


def get_state_path(
    workflow_name: str, run_id: str, state_dir: str | os.PathLike[str] | None = None
) -> Path:
    """The state file of one run: ``<state_dir>/<workflow>/<runId>.json``.

    Args:
        workflow_name: the workflow's ``name``.
        run_id: the run id.
        state_dir: the state folder; :func:`default_state_dir` when ``None``.

    Returns:
        The path (the file may not exist yet).
    """
    if not isinstance(workflow_name, str) or not isinstance(run_id, str):
        raise TypeError("workflow_name and run_id must be strings")
    base = Path(state_dir) if state_dir is not None else default_state_dir()
    return base / safe_file_name(workflow_name) / (safe_file_name(run_id) + STATE_SUFFIX)


def journal_path(state_path: str | os.PathLike[str]) -> Path:
    """The journal beside a state file: ``x/<runId>.json`` → ``x/<runId>.journal``."""
    path = Path(state_path)
    if path.suffix == STATE_SUFFIX:
        return path.with_suffix(JOURNAL_SUFFIX)
    return path.with_name(path.name + JOURNAL_SUFFIX)
