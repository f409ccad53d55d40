"""The file source and sink runtimes (runtimes.md §1).

Paths stay inside the base folder (:mod:`flowscript.runtimes._paths`); formats live in
:mod:`flowscript.runtimes._formats`. Blocking file I/O runs in a worker thread so the event
loop is never blocked. Writes are atomic: the new content goes to a temporary file in the
same folder, is flushed to disk, and replaces the target with ``os.replace`` — a crash leaves
either the old file or the new one, never half of one. Appends hold an exclusive ``flock``.
``OSError`` is translated into ``NodeError`` in exactly one place, :func:`_os_error`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import to_json
from flowscript.runtimes._formats import (
    FormatError,
    delimited_text,
    format_for_extension,
    read_value,
    sink_format,
    write_value,
)
from flowscript.runtimes._paths import SandboxedPath, resolve_in_root
from flowscript.runtimes.base import NodeRequest, RuntimeContext

__all__ = ["FileSinkRuntime", "FileSourceRuntime"]

_DELIMITERS: Final = {"csv": ",", "tsv": "\t"}


def _os_error(exc: OSError, target: SandboxedPath, action: str) -> NodeError:
    """The one translation of ``OSError`` into a node error (none of these is retryable)."""
    reason = exc.strerror or exc.__class__.__name__
    details = {"path": target.display, "errno": exc.errno}
    if isinstance(exc, FileNotFoundError):
        return NodeError("file.not_found", f"{target.display}: file not found", details=details)
    if isinstance(exc, IsADirectoryError):
        return NodeError("file.is_directory", f"{target.display} is a folder", details=details)
    if isinstance(exc, PermissionError):
        message = f"cannot {action} {target.display}: permission denied"
        return NodeError("file.permission", message, details=details)
    return NodeError("file.io", f"cannot {action} {target.display}: {reason}", details=details)


def _decode(data: bytes, encoding: str, target: SandboxedPath) -> str:
    codec = encoding
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        codec = "utf-8-sig"  # a byte-order mark is not part of the content
    try:
        return data.decode(codec)
    except LookupError as exc:
        raise NodeError(
            "config.invalid", f"field 'encoding': unknown encoding {encoding!r}"
        ) from exc
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise NodeError(
            "file.parse",
            f"{target.display}: line {line}: cannot decode as {encoding} (byte {exc.start})",
            details={"path": target.display, "line": line},
        ) from exc


def _location(exc: FormatError) -> str:
    if exc.line is None:
        return ""
    column = f", column {exc.column}" if exc.column is not None else ""
    return f"line {exc.line}{column}: "


def _read_file(root: Path, path: str, config: Mapping[str, Any]) -> Any:
    target = resolve_in_root(root, path)
    fmt = str(config.get("format", "auto"))
    if fmt == "auto":
        fmt = format_for_extension(_suffix(target))
    try:
        data = target.real.read_bytes()
    except OSError as exc:
        raise _os_error(exc, target, "read") from exc
    text = _decode(data, str(config.get("encoding", "utf-8")), target)
    try:
        return read_value(text, fmt, types=str(config.get("types", "string")))
    except FormatError as exc:
        raise NodeError(
            "file.parse",
            f"{target.display}: {_location(exc)}{exc} (format {fmt})",
            details={"path": target.display, "line": exc.line, "column": exc.column},
        ) from exc


def _suffix(target: SandboxedPath) -> str:
    """The extension of the name the workflow wrote (not of a symlink's target)."""
    return Path(target.display).suffix


class FileSourceRuntime:
    """``<source type="file">``: read a file under the base folder and parse it."""

    kind = "file:source"
    raw_fields: frozenset[str] = frozenset()

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Read and parse the file named by ``path``; the parsed value is the output."""
        path = request.config.get("path", "")
        return await asyncio.to_thread(_read_file, context.root, path, request.config)


# ------------------------------------------------------------------------------------ sink


def _temporary_sibling(target: Path) -> Path:
    return target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform can open a folder.
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _atomic_write(target: Path, data: bytes) -> None:
    temporary = _temporary_sibling(target)
    # os.open with 0o666 lets the umask decide the mode, as a plain open() would.
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _fsync_folder(target.parent)


@contextlib.contextmanager
def _locked_append(target: Path) -> Iterator[int]:
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: appends are not locked
            yield descriptor
            return
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield descriptor
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


def _existing_header(target: Path, delimiter: str, encoding: str) -> list[str] | None:
    """The header row of a non-empty CSV/TSV file being appended to, else ``None``."""
    import csv

    if not target.exists() or target.stat().st_size == 0:
        return None
    try:
        with target.open(encoding=encoding, newline="") as handle:
            return next(csv.reader(handle, delimiter=delimiter), None)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise FormatError(f"cannot read the header of the existing file: {exc}") from exc


def _append_text(value: Any, fmt: str, target: Path, encoding: str, pretty: bool) -> str:
    if fmt in _DELIMITERS:
        header = _existing_header(target, _DELIMITERS[fmt], encoding)
        return delimited_text(value, _DELIMITERS[fmt], header=header)[0]
    if fmt == "json":
        # One compact document per line: appending pretty JSON to JSON gives neither.
        return to_json(value) + "\n"
    return write_value(value, fmt, pretty=pretty)


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding)
    except LookupError as exc:
        raise NodeError(
            "config.invalid", f"field 'encoding': unknown encoding {encoding!r}"
        ) from exc
    except UnicodeEncodeError as exc:
        message = f"the output cannot be encoded as {encoding}: {exc.reason}"
        raise NodeError("file.serialize", message) from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class _SinkOptions:
    fmt: str
    pretty: bool
    append: bool
    create_dirs: bool
    encoding: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> _SinkOptions:
        return cls(
            fmt=str(config.get("format", "auto")),
            pretty=bool(config.get("pretty", True)),
            append=config.get("mode", "overwrite") == "append",
            create_dirs=bool(config.get("create-dirs", True)),
            encoding=str(config.get("encoding", "utf-8")),
        )


def _prepare_folder(target: SandboxedPath, create: bool) -> None:
    folder = target.real.parent
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise NodeError(
            "file.not_found",
            f"{target.display}: the folder does not exist (create-dirs is false)",
            details={"path": target.display},
        )


def _write_file(root: Path, path: str, value: Any, options: _SinkOptions) -> dict[str, Any]:
    target = resolve_in_root(root, path)
    fmt = sink_format(options.fmt, _suffix(target), value)
    try:
        _prepare_folder(target, options.create_dirs)
        if options.append:
            text = _append_text(value, fmt, target.real, options.encoding, options.pretty)
            data = _encode(text, options.encoding)
            with _locked_append(target.real) as descriptor:
                os.write(descriptor, data)
                os.fsync(descriptor)
        else:
            data = _encode(write_value(value, fmt, pretty=options.pretty), options.encoding)
            _atomic_write(target.real, data)
    except FormatError as exc:
        raise NodeError("file.serialize", f"{target.display}: {exc} (format {fmt})") from exc
    except OSError as exc:
        raise _os_error(exc, target, "write") from exc
    return {"path": target.display, "bytes": len(data), "format": fmt}


class FileSinkRuntime:
    """``<sink type="file">``: write the input to a file under the base folder."""

    kind = "file:sink"
    raw_fields: frozenset[str] = frozenset()

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Write the node's input; the output is ``{path, bytes, format}``."""
        path = request.config.get("path", "")
        options = _SinkOptions.from_config(request.config)
        return await asyncio.to_thread(_write_file, context.root, path, request.input, options)
