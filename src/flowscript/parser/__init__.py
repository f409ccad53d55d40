"""Text of a ``.flow.md`` file → the immutable :class:`~flowscript.model.Workflow`.

``parse`` never does I/O; ``parse_file`` reads the file it is given. Unrecoverable problems
(layout, YAML, XML well-formedness, unreadable files) raise
:class:`~flowscript.errors.WorkflowParseError`; everything else is collected in
``Workflow.parse_diagnostics`` and the validator reports it with its own findings.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from flowscript.errors import WorkflowParseError
from flowscript.model._gc import without_gc
from flowscript.model.diagnostics import Diagnostic, SourceSpan
from flowscript.parser.config import canonical_key
from flowscript.parser.footer import LOG_HEADING, find_log_section

if TYPE_CHECKING:
    from flowscript.model.workflow import Workflow
    from flowscript.parser._layout import Layout
    from flowscript.parser._xml import XmlElement

__all__ = [
    "LOG_HEADING",
    "MAX_FILE_SIZE",
    "canonical_key",
    "find_log_section",
    "parse",
    "parse_file",
]

MAX_FILE_SIZE = 20 * 1024 * 1024
"""Largest workflow file :func:`parse_file` reads (20 MB)."""


def _scan(layout: Layout) -> tuple[XmlElement, int]:
    from flowscript.parser._xml import XmlSyntaxError, scan_body

    try:
        return scan_body(layout.text, layout.body_offset)
    except XmlSyntaxError as exc:
        hint = exc.hint
        if exc.related is not None:
            line, column = layout.position(exc.related)
            hint = hint.replace("{where}", f"line {line}, column {column}")
        diagnostic = Diagnostic(
            code="PARSE_XML_INVALID",
            message=exc.message,
            span=layout.span(exc.offset),
            hints=(hint,),
        )
        raise WorkflowParseError([diagnostic]) from None


@without_gc
def parse(text: str, path: str = "<string>") -> Workflow:
    """Parse the text of a workflow file.

    Args:
        text: the whole file (LF or CRLF line endings; a UTF-8 BOM is ignored).
        path: the path shown in diagnostics.

    Returns:
        The workflow; non-fatal problems are in ``parse_diagnostics``.

    Raises:
        WorkflowParseError: ``PARSE_MISSING_FRONTMATTER``, ``PARSE_YAML_INVALID`` or
            ``PARSE_XML_INVALID``, with the line and column of the problem.
        TypeError: ``text`` is not a string.
    """
    from flowscript.model.workflow import Workflow
    from flowscript.parser._layout import split_layout
    from flowscript.parser.body import build_body
    from flowscript.parser.frontmatter import parse_frontmatter

    if not isinstance(text, str):
        raise TypeError(f"parse() needs the file text as str, not {type(text).__name__}")
    layout = split_layout(text, path)
    front = parse_frontmatter(layout.frontmatter, path, layout.frontmatter_line)
    root, footer_start = _scan(layout)
    body = build_body(layout, root)
    footer_offset = layout.source_offset(footer_start)
    return Workflow(
        path=path,
        source=text,
        name=front.name,
        version=front.version,
        nodes=body.nodes,
        workflow_span=layout.span(root.offset),
        description=front.description,
        trigger=front.trigger,
        config=front.config,
        secrets=front.secrets,
        input_schema=front.input_schema,
        output_schema=front.output_schema,
        runtime=front.runtime,
        schemas=front.schemas,
        evolution=front.evolution,
        tests=front.tests,
        frontmatter=front.data,
        key_spans=front.key_spans,
        on_workflow_error=body.on_workflow_error,
        footer=text[footer_offset:],
        footer_offset=footer_offset,
        parse_diagnostics=body.diagnostics,
    )


def _file_error(path: str, message: str, hint: str) -> WorkflowParseError:
    diagnostic = Diagnostic(
        code="PARSE_FILE_ERROR", message=message, span=SourceSpan(path, 1, 1), hints=(hint,)
    )
    return WorkflowParseError([diagnostic])


def _read(path: str) -> str:
    try:
        if os.path.isdir(path):
            raise _file_error(path, f"{path} is a directory", "give the path of a .flow.md file")
        size = os.path.getsize(path)
        if size > MAX_FILE_SIZE:
            raise _file_error(
                path,
                f"{path} is {size} bytes; workflow files are limited to {MAX_FILE_SIZE} bytes",
                "split the workflow into smaller flows with <include> or <call>",
            )
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_SIZE + 1)
    except FileNotFoundError:
        raise _file_error(path, f"{path} does not exist", "check the path") from None
    except OSError as exc:
        raise _file_error(
            path, f"{path} cannot be read: {exc.strerror or exc}", "check the path and permissions"
        ) from None
    if len(data) > MAX_FILE_SIZE:
        raise _file_error(
            path, f"{path} is larger than {MAX_FILE_SIZE} bytes", "split the workflow"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _file_error(
            path,
            f"{path} is not valid UTF-8 (bad byte at line {line})",
            "save the file as UTF-8",
        ) from None


def parse_file(path: str | os.PathLike[str]) -> Workflow:
    """Read and parse a workflow file (UTF-8, at most :data:`MAX_FILE_SIZE` bytes).

    Raises:
        WorkflowParseError: ``PARSE_FILE_ERROR`` when the file is missing, a directory,
            too large or not UTF-8; otherwise as :func:`parse`.
    """
    name = os.fspath(path)
    return parse(_read(name), name)
