"""The base-folder sandbox for file paths (runtimes.md §1).

Every path a workflow names is resolved against the base folder (``--root``, default the
current directory) and must stay inside it after normalisation and symlink resolution.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from flowscript.errors import NodeError

__all__ = ["SandboxedPath", "resolve_in_root"]

# ``C:``, ``C:\x``, ``C:/x`` and UNC ``\\server\share``: meaningless on POSIX but clearly an
# attempt to name a location outside the base folder, so refused everywhere.
_WINDOWS_ROOTED = re.compile(r"^(?:[A-Za-z]:|\\\\|//\?/)")


@dataclass(frozen=True, slots=True)
class SandboxedPath:
    """A path checked to be inside the base folder.

    Attributes:
        real: the absolute path with symlinks resolved (what is opened).
        display: the path relative to the base folder, ``/``-separated, as normalised from
            what the workflow wrote (what outputs and messages show).
    """

    real: Path
    display: str


def _outside(path: str, why: str) -> NodeError:
    return NodeError(
        "file.path_outside_root",
        f"path {path!r} {why}; file paths must stay inside the base folder (--root)",
        retryable=False,
        details={"path": path},
    )


def resolve_in_root(root: Path, path: str) -> SandboxedPath:
    """Resolve ``path`` against ``root`` and refuse anything that escapes it.

    Args:
        root: the base folder.
        path: the path as the workflow wrote it (relative, or absolute inside ``root``).

    Returns:
        The resolved path and its display form.

    Raises:
        NodeError: ``file.path_outside_root`` for a NUL byte, a Windows drive or UNC path, or
            a path that leaves ``root`` (``..``, an absolute path elsewhere, a symlink leading
            outside); ``config.invalid`` for an empty path.
    """
    if not isinstance(path, str) or not path.strip():
        raise NodeError("config.invalid", "field 'path': a file path is required")
    if "\x00" in path:
        raise _outside(path, "contains a NUL byte")
    if _WINDOWS_ROOTED.match(path):
        raise _outside(path, "is a Windows drive or network path")
    base = root.resolve()
    lexical = Path(os.path.normpath(base / path))
    if not lexical.is_relative_to(base):
        raise _outside(path, "leaves the base folder")
    real = lexical.resolve()
    if not real.is_relative_to(base):
        raise _outside(path, "leads outside the base folder through a symbolic link")
    display = lexical.relative_to(base).as_posix()
    return SandboxedPath(real=real, display=display)
