"""Readers and writers of the file runtime's formats (runtimes.md §1).

Readers turn decoded text into JSON-like values and raise :class:`FormatError` (with a 1-based
line, and a column when known) on malformed input; writers turn a value into text and raise
:class:`FormatError` when the value does not fit the format. Both are pure functions, chosen
from dispatch tables by format name; the file runtime does the I/O and the error translation.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, Final

from flowscript.expressions.values import (
    UNDEFINED,
    JSFunction,
    number_to_string,
    plain_json,
    to_json,
)

__all__ = [
    "READERS",
    "WRITERS",
    "FormatError",
    "format_for_extension",
    "read_value",
    "sink_format",
    "write_value",
]

_EXTENSION_FORMATS: Final[Mapping[str, str]] = {
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".txt": "text",
    ".md": "text",
}
# A YAML alias bomb builds a small graph that expands exponentially; converting it to plain
# values walks the expansion, so the walk is capped (same order as the sandbox's size limit).
_MAX_YAML_NODES: Final = 10_000_000


class FormatError(ValueError):
    """A value could not be read from, or written as, a format.

    Attributes:
        line: 1-based line of the problem in the input, when known.
        column: 1-based column, when known.
    """

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line = line
        self.column = column


def format_for_extension(suffix: str) -> str:
    """The reader format for a file extension (``.csv`` → ``csv``); unknown → ``text``."""
    return _EXTENSION_FORMATS.get(suffix.lower(), "text")


# ---------------------------------------------------------------------------------- readers


def _read_json(text: str, _types: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from exc


def _read_jsonl(text: str, _types: str) -> Any:
    values: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append(json.loads(line))
        except json.JSONDecodeError as exc:
            message = f"invalid JSON line: {exc.msg}"
            raise FormatError(message, line=number, column=exc.colno) from exc
    return values


_INT_CELL: Final = re.compile(r"-?(?:0|[1-9]\d*)")
_FLOAT_CELL: Final = re.compile(
    r"-?(?:0|[1-9]\d*)?\.\d+(?:[eE][+-]?\d+)?|-?(?:0|[1-9]\d*)[eE][+-]?\d+"
)
_BOOL_CELLS: Final[Mapping[str, bool]] = {"true": True, "false": False}


def infer_cell(cell: str | None) -> Any:
    """``types="infer"``: numbers and booleans from a CSV cell; empty → ``None``.

    Numbers with leading zeros (``007``, ``01234``) stay strings: they are identifiers such as
    postal codes far more often than quantities.
    """
    if cell is None or cell == "":
        return None
    text = cell.strip()
    if _INT_CELL.fullmatch(text):
        return int(text)
    if _FLOAT_CELL.fullmatch(text):
        return float(text)
    return _BOOL_CELLS.get(text.lower(), cell)


def _read_delimited(text: str, types: str, delimiter: str) -> list[dict[str, Any]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            return []
        rows = [_row(header, cells, reader.line_num, types) for cells in reader if cells]
    except csv.Error as exc:
        raise FormatError(f"invalid CSV: {exc}", line=reader.line_num) from exc
    return rows


def _row(header: Sequence[str], cells: Sequence[str], line: int, types: str) -> dict[str, Any]:
    if len(cells) > len(header):
        raise FormatError(
            f"row has {len(cells)} cells but the header has {len(header)} columns", line=line
        )
    padded: list[str | None] = [*cells, *([None] * (len(header) - len(cells)))]
    if types == "infer":
        return {key: infer_cell(cell) for key, cell in zip(header, padded, strict=True)}
    return dict(zip(header, padded, strict=True))


def _yaml_plain(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise FormatError("YAML document expands to too many values (an alias bomb?)")
    if isinstance(value, dict):
        return {_yaml_key(k): _yaml_plain(v, budget) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_yaml_plain(v, budget) for v in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def _yaml_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def _read_yaml(text: str, _types: str) -> Any:
    import yaml

    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        if mark is None:
            raise FormatError(f"invalid YAML: {problem}") from exc
        raise FormatError(
            f"invalid YAML: {problem}", line=mark.line + 1, column=mark.column + 1
        ) from exc
    return _yaml_plain(loaded, [_MAX_YAML_NODES])


READERS: Final[Mapping[str, Callable[[str, str], Any]]] = {
    "json": _read_json,
    "jsonl": _read_jsonl,
    "csv": lambda text, types: _read_delimited(text, types, ","),
    "tsv": lambda text, types: _read_delimited(text, types, "\t"),
    "yaml": _read_yaml,
    "text": lambda text, _types: text,
    "lines": lambda text, _types: text.splitlines(),
}
"""Format name → ``reader(text, types) -> value``."""


def read_value(text: str, fmt: str, *, types: str = "string") -> Any:
    """Parse ``text`` in format ``fmt`` (not ``auto``); raise :class:`FormatError` on errors."""
    return READERS[fmt](text, types)


# ---------------------------------------------------------------------------------- writers


def _text_of(value: Any, pretty: bool) -> str:
    """Text rendering of one value: strings as is, null empty, others as JSON/JS numbers."""
    if isinstance(value, str):
        return value
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return number_to_string(value)
    return to_json(value, indent=2 if pretty and isinstance(value, list | dict) else None)


def _write_json(value: Any, pretty: bool) -> str:
    if value is UNDEFINED or isinstance(value, JSFunction):
        raise FormatError("there is no value to write (undefined)")
    return to_json(value, indent=2 if pretty else None) + "\n"


def _write_jsonl(value: Any, _pretty: bool) -> str:
    items = value if isinstance(value, list) else [value]
    return "".join(to_json(item) + "\n" for item in items)


def _cell(value: Any) -> str:
    if isinstance(value, list | dict):
        return to_json(value)
    return _text_of(value, False)


def _records(value: Any) -> list[dict[str, Any]]:
    rows = [value] if isinstance(value, dict) else value
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise FormatError("CSV/TSV output needs an object or a list of objects")
    return rows


def delimited_text(
    value: Any, delimiter: str, *, header: Sequence[str] | None = None
) -> tuple[str, list[str]]:
    """Rows of ``value`` as CSV/TSV text.

    Args:
        value: an object or a list of objects.
        delimiter: ``,`` or a tab.
        header: the columns of an existing file being appended to; ``None`` writes a header
            row with the union of the keys, in first-seen order.

    Returns:
        The text and the columns used.
    """
    rows = _records(value)
    columns = (
        list(header) if header is not None else list(dict.fromkeys(k for r in rows for k in r))
    )
    extra = [key for row in rows for key in row if key not in columns]
    if extra:
        raise FormatError(f"column {extra[0]!r} is not in the file's existing header")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    if header is None:
        writer.writerow(columns)
    writer.writerows([_cell(row.get(column)) for column in columns] for row in rows)
    return buffer.getvalue(), columns


def _write_yaml(value: Any, _pretty: bool) -> str:
    import yaml

    return yaml.safe_dump(plain_json(value), sort_keys=False, allow_unicode=True)


def _write_text(value: Any, pretty: bool) -> str:
    return _text_of(value, pretty)


def _write_lines(value: Any, _pretty: bool) -> str:
    items = value if isinstance(value, list) else [value]
    return "".join(_text_of(item, False) + "\n" for item in items)


WRITERS: Final[Mapping[str, Callable[[Any, bool], str]]] = {
    "json": _write_json,
    "jsonl": _write_jsonl,
    "csv": lambda value, _pretty: delimited_text(value, ",")[0],
    "tsv": lambda value, _pretty: delimited_text(value, "\t")[0],
    "yaml": _write_yaml,
    "text": _write_text,
    "lines": _write_lines,
}
"""Format name → ``writer(value, pretty) -> text``."""

_STRUCTURED_EXTENSIONS: Final = frozenset({"json", "jsonl", "csv", "tsv", "yaml"})


def sink_format(fmt: str, suffix: str, value: Any) -> str:
    """The concrete format a sink writes with.

    ``auto`` follows the spec's rule (strings → text, objects/arrays → JSON), refined by the
    file extension for non-string values: a list written to ``out.csv`` is CSV, not JSON.
    """
    if fmt != "auto":
        return fmt
    if isinstance(value, str):
        return "text"
    by_extension = format_for_extension(suffix)
    return by_extension if by_extension in _STRUCTURED_EXTENSIONS else "json"


def write_value(value: Any, fmt: str, *, pretty: bool = True) -> str:
    """Serialise ``value`` in format ``fmt`` (not ``auto``); raise :class:`FormatError`."""
    return WRITERS[fmt](value, pretty)
