"""The database source and sink (runtimes.md §4): SQLite (built in) and PostgreSQL (psycopg 3).

Modules: :mod:`.source` and :mod:`.sink` (the runtimes), :mod:`._target` (connection strings
and their redaction), :mod:`._sqltext` (tokenizer, parameter binding), :mod:`._statements`
(sink SQL), :mod:`._values` (value conversion), :mod:`._errors` (driver errors → node
errors), :mod:`._sqlite` and :mod:`._postgres` (backends). No driver is imported until a node
runs.
"""

from __future__ import annotations

from flowscript.runtimes.database.sink import DatabaseSinkRuntime
from flowscript.runtimes.database.source import DatabaseSourceRuntime

__all__ = ["DatabaseSinkRuntime", "DatabaseSourceRuntime"]
