"""A workflow's files, stored with its run so coordinators on other machines need no shared disk.

At submit time the workflow file and every ``<include>``/``<call>`` child with a literal path
(recursively) are read into a *bundle*: ``{"main": "<relative path>", "files": {"<relative
path>": "<text>"}}``, paths relative to the deepest folder holding them all. A coordinator
writes the bundle into a private temporary folder and runs it from there, so children resolve
exactly as they did on the submitting machine.

Limits (docs/coordinators.md): a child whose path is a template (``workflow="{{ … }}"``) is
loaded when the node runs, from the coordinator's disk; data files the nodes read, and
``.env`` files, are not shipped — nodes resolve file paths against the coordinator's ``--root``
(its current folder) and secrets come from the coordinator's environment.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from flowscript.errors import StateError

if TYPE_CHECKING:
    from flowscript.planning import ExecutionPlan

__all__ = ["materialize_bundle", "workflow_bundle"]


def workflow_bundle(main: str | os.PathLike[str], plan: ExecutionPlan) -> dict[str, Any]:
    """The bundle of the workflow file ``main`` and the children loaded into ``plan``."""
    paths = [os.path.normpath(Path(main).absolute()), *sorted(_children(plan))]
    base = os.path.commonpath([os.path.dirname(path) for path in paths])
    files = {
        PurePosixPath(Path(os.path.relpath(path, base))).as_posix(): Path(path).read_text(
            encoding="utf-8"
        )
        for path in paths
    }
    main_key = PurePosixPath(Path(os.path.relpath(paths[0], base))).as_posix()
    return {"main": main_key, "files": files}


def _children(plan: ExecutionPlan) -> set[str]:
    found: set[str] = set()
    for key, child in plan.children.items():
        found.add(os.path.normpath(key))
        found |= _children(child)
    return found


def materialize_bundle(bundle: Any, folder: str | os.PathLike[str]) -> Path:
    """Write ``bundle`` under ``folder``; return the main workflow file's path.

    Raises:
        StateError: the bundle is malformed or names a path outside the folder.
    """
    if not isinstance(bundle, dict) or not isinstance(bundle.get("files"), dict):
        raise StateError("the run has no stored workflow (its bundle is missing or malformed)")
    root = Path(folder).resolve()
    for name, text in bundle["files"].items():
        target = (root / name).resolve()
        if not isinstance(text, str) or not target.is_relative_to(root):
            raise StateError(f"the run's stored workflow names an unsafe path: {name!r}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    main = bundle.get("main")
    if not isinstance(main, str) or main not in bundle["files"]:
        raise StateError("the run's stored workflow has no main file")
    return root / main
