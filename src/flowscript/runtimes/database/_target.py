"""Connection strings: which database a node talks to, and how to name it safely.

Accepted forms (runtimes.md §4):

- ``sqlite:///abs/path.db``: an absolute path (anywhere: the workflow named it explicitly);
- ``sqlite:relative.db``: relative to the base folder, which it must not leave (the same
  check as file paths: ``file.path_outside_root``);
- ``sqlite::memory:``: one in-memory database per run, shared by the run's nodes;
- ``postgresql://…`` / ``postgres://…``: a libpq URL, passed to the driver unchanged.

A connection string usually carries a password, so it never appears in a message as written:
:func:`redact_url` masks the password and :func:`scrub` removes the string (and the password,
raw and percent-decoded) from any text.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import unquote, urlsplit

from flowscript.errors import NodeError

__all__ = ["MEMORY", "Target", "parse_target", "redact_url", "scrub"]

MEMORY: Final = ":memory:"
_POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://")
_PASSWORD_IN_URL: Final = re.compile(r"(?P<head>://[^/@:\s]*:)(?P<password>[^@/\s]*)@")
_PASSWORD_PARAM: Final = re.compile(r"(?P<head>[?&]password=)(?P<password>[^&\s]*)", re.IGNORECASE)

Dialect = Literal["sqlite", "postgresql"]


@dataclass(frozen=True, slots=True)
class Target:
    """A resolved connection target (plain data: it may travel to a remote worker).

    Attributes:
        dialect: ``sqlite`` or ``postgresql``.
        location: the absolute SQLite path, :data:`MEMORY`, or the PostgreSQL URL.
    """

    dialect: Dialect
    location: str

    @property
    def display(self) -> str:
        """How messages name the database: the path, or the URL with its password masked."""
        if self.dialect == "sqlite":
            return "sqlite::memory:" if self.location == MEMORY else f"sqlite:{self.location}"
        return redact_url(self.location)

    def __repr__(self) -> str:
        return f"Target({self.dialect}, {self.display})"


def _invalid(message: str) -> NodeError:
    return NodeError("config.invalid", message, retryable=False, details={"field": "connection"})


def _sqlite_target(rest: str, root: Path) -> Target:
    if rest == MEMORY:
        return Target("sqlite", MEMORY)
    if rest.startswith("//"):
        if not rest.startswith("///"):
            raise _invalid(
                "field 'connection': SQLite URLs have no host: write sqlite:///abs/path.db, "
                "sqlite:relative.db or sqlite::memory:"
            )
        return Target("sqlite", str(Path("/" + rest[3:].lstrip("/"))))
    if not rest.strip():
        raise _invalid("field 'connection': the SQLite URL names no database file")
    from flowscript.runtimes._paths import resolve_in_root

    return Target("sqlite", str(resolve_in_root(root, rest).real))


def parse_target(connection: object, root: Path) -> Target:
    """Resolve a ``connection`` value.

    Args:
        connection: the rendered ``connection`` field.
        root: the base folder (relative SQLite paths resolve against it).

    Returns:
        The target.

    Raises:
        NodeError: ``config.invalid`` for a missing or unsupported connection string (the
            message never repeats it); ``file.path_outside_root`` for a relative SQLite path
            that leaves the base folder.
    """
    if not isinstance(connection, str) or not connection.strip():
        raise _invalid("field 'connection': a connection string is required")
    text = connection.strip()
    if text.startswith("sqlite:"):
        return _sqlite_target(text[len("sqlite:") :], root)
    if text.startswith(_POSTGRES_SCHEMES):
        return Target("postgresql", text)
    scheme = text.split(":", 1)[0] if ":" in text else ""
    shown = f"scheme {scheme!r}" if scheme.isalnum() else "the connection string"
    raise _invalid(
        f"field 'connection': {shown} is not supported; use sqlite:///abs/path.db, "
        "sqlite:relative.db, sqlite::memory: or postgresql://user:password@host/db"
    )


def redact_url(url: str) -> str:
    """``url`` with its password (user-info part or ``password=`` parameter) as ``***``."""
    url = _PASSWORD_IN_URL.sub(lambda m: f"{m.group('head')}***@", url)
    return _PASSWORD_PARAM.sub(lambda m: f"{m.group('head')}***", url)


def _passwords(url: str) -> set[str]:
    from flowscript.execution.redaction import MIN_SECRET_LENGTH

    found = {match.group("password") for match in _PASSWORD_PARAM.finditer(url)}
    with contextlib.suppress(ValueError):
        found.add(urlsplit(url).password or "")
    forms = {form for password in found for form in (password, unquote(password))}
    # Like the run's redactor, very short values are left alone (they would mangle the text).
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def scrub(text: str, target: Target | None) -> str:
    """Remove the connection string and its password from ``text`` (any message, any log).

    The password is also removed when it appears percent-decoded, as drivers report it.
    """
    if target is None or target.dialect != "postgresql":
        return text
    url = target.location
    text = text.replace(url, target.display)
    for password in sorted(_passwords(url), key=len, reverse=True):
        text = text.replace(password, "***")
    return text
