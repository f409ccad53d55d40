"""A real, throwaway PostgreSQL server for tests and benchmarks.

Uses Debian's ``postgresql`` package (``.ci/run`` installs it when missing): ``initdb`` into a
temporary folder, password (SCRAM) authentication, a free port on 127.0.0.1, a Unix socket in
the same folder, and ``fsync=off`` (the data is thrown away). When the tests run as root the
server runs as the ``postgres`` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PostgresServer", "PostgresUnavailable", "find_bindir"]

USER = "flowscript"
PASSWORD = "pg-S3cret-pw"


class PostgresUnavailable(RuntimeError):
    """The server could not be installed or started; the message says why."""


def find_bindir() -> Path:
    """The folder holding ``initdb``/``pg_ctl`` (newest Debian version first)."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb). "
        "Install them with: apt-get install -y postgresql  (.ci/run does this)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """One PostgreSQL cluster in a temporary folder; ``start()`` then ``stop()``."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="flowscript-pg-"))
        self.data = self.folder / "data"
        self._user = "postgres" if os.geteuid() == 0 else None

    @property
    def url(self) -> str:
        """A ``postgresql://`` URL for the default database, with the password."""
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def database_url(self, name: str) -> str:
        """The URL of database ``name`` (see :meth:`create_database`)."""
        return f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            user=self._user,
            check=False,
            timeout=120,
        )
        if result.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(
                f"{args[0]} failed ({result.returncode}): {result.stderr.strip()}\n{tail}"
            )

    def start(self) -> PostgresServer:
        """initdb and start the server; wait until it accepts connections."""
        if self._user is not None:
            entry = pwd.getpwnam(self._user)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)
        pwfile = self.folder / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if self._user is not None:
            os.chown(pwfile, pwd.getpwnam(self._user).pw_uid, -1)
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, f"--pwfile={pwfile}",
            "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
            "-l", str(self.folder / "server.log"), "-o", options,
        )  # fmt: skip
        return self

    def create_database(self, name: str) -> str:
        """Create database ``name`` and return its URL."""
        env = {**os.environ, "PGPASSWORD": PASSWORD}
        result = subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", USER, name],
            capture_output=True, text=True, env=env, check=False, timeout=60,
        )  # fmt: skip
        if result.returncode != 0:
            raise PostgresUnavailable(f"createdb {name} failed: {result.stderr.strip()}")
        return self.database_url(name)

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        with contextlib.suppress(PostgresUnavailable):
            self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate")
        shutil.rmtree(self.folder, ignore_errors=True)
