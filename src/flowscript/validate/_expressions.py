"""Expression and template rules (expressions.md §1–§5, format.md §2.2).

Every bare expression and template is parsed (``EXPR_PARSE_ERROR`` at its real file
position); calls must name built-in functions, methods must be whitelisted, members must not be
blocked; names must be node ids, variables or specials in effect; ``$secrets.X``, ``$config.k``
and ``$env.X`` must be declared. Everything is read from the syntax tree, never from the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flowscript.errors import ExpressionError, LimitExceededError
from flowscript.graph import NameRef, names_in
from flowscript.model import Diagnostic, NodeSpec, Text
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean, one_of
from flowscript.validate._names import ALWAYS_SPECIALS, CONTEXT_SPECIALS, Names, NameTable
from flowscript.validate._symbols import check_special_member

__all__ = ["BLOCKED_MEMBERS", "check_expressions"]

BLOCKED_MEMBERS = frozenset({"constructor", "prototype", "__proto__"})
"""Member names the sandbox always refuses (expressions.md §4.2), besides ``__*``."""

_RUN_CHARS = re.compile(r"[A-Za-z0-9_$-]")


def check_expressions(ctx: ValidationContext) -> Iterator[Diagnostic]:
    """Parse and check every expression and template of every node."""
    check = _Checker(ctx, NameTable(ctx)).check
    for node in ctx.nodes:
        for field, text, role in ctx.texts_of(node):
            found = check(node, field, text, role)
            if found:
                yield from found


class _Checker:
    def __init__(self, ctx: ValidationContext, table: NameTable) -> None:
        from flowscript.expressions.catalog import CALLABLE_NAMES, method_names

        self.ctx = ctx
        self.table = table
        self.functions = CALLABLE_NAMES
        self.methods = method_names()

    def check(self, node: NodeSpec, field: str, text: Text, role: str) -> list[Diagnostic]:
        """The problems of one text (a list, not a generator: this runs for every text)."""
        value = text.value
        if role == "literal" or (role == "expression" and not value.strip()):
            return []
        texts = self.ctx.graph.texts
        try:
            parts = texts.parts(value, role)
        except ExpressionError as exc:
            return [self._syntax(node, field, text, role, exc)]
        if not parts:
            return []  # a literal template, or a duration that is not a template
        names = self.table.for_text(node, field, role)
        found: list[Diagnostic] = []
        calls = "(" in value  # no call without a parenthesis
        members = _may_name_blocked(value)
        if calls or members:
            for expr, base in parts:
                if calls:
                    found.extend(self._calls(node, text, expr, base, names))
                if members:
                    found.extend(self._members(node, text, expr, base))
        if names.extra and "-" in value:
            # Extra names only change how hyphenated runs read; without a `-` the names the
            # analysis already found (shared with the graph) are the same.
            uses = names_in(parts, _Either(self.ctx.graph.defined, names.extra))
        else:
            uses = texts.names(value, role)
        if uses:
            found.extend(self._names(node, text, uses, names))
        return found

    def _syntax(
        self, node: NodeSpec, field: str, text: Text, role: str, exc: ExpressionError
    ) -> Diagnostic:
        code = "EXPR_LIMIT_EXCEEDED" if isinstance(exc, LimitExceededError) else "EXPR_PARSE_ERROR"
        hints: tuple[str, ...] = ()
        if "{{" in text.value and role == "expression":
            hints = (f"`{field}` is a bare expression: write it without `{{{{ }}}}`",)
        return self.ctx.diagnostic(
            code,
            f"`{field}` of `{node.id}`: {exc.message}",
            self.ctx.text_span(text, (exc.column or 1) - 1),
            hints=hints,
            node=node.id,
        )

    def _calls(
        self, node: NodeSpec, text: Text, expr: Any, base: int, names: Names
    ) -> Iterator[Diagnostic]:
        from flowscript.expressions.analysis import call_sites

        functions, methods = call_sites(expr)
        for name, offset in functions:
            if name not in self.functions and not names.has_plain(name):
                yield self.ctx.diagnostic(
                    "EXPR_UNDEFINED_FUNCTION",
                    f"unknown function `{name}`",
                    self.ctx.text_span(text, base + offset),
                    hints=did_you_mean(name, self.functions)
                    or ("`flowscript functions` lists the built-in functions",),
                    node=node.id,
                )
        for name, offset in methods:
            if name not in self.methods:
                yield self._blocked(
                    node,
                    text,
                    base + offset,
                    f"method `{name}` is not allowed",
                    (
                        *did_you_mean(name, self.methods),
                        one_of("methods", sorted(self.methods), limit=60),
                    ),
                )

    def _blocked(
        self, node: NodeSpec, text: Text, offset: int, message: str, hints: tuple[str, ...]
    ) -> Diagnostic:
        return self.ctx.diagnostic(
            "EXPR_BLOCKED_ACCESS",
            message,
            self.ctx.text_span(text, offset),
            hints=hints,
            node=node.id,
        )

    def _members(self, node: NodeSpec, text: Text, expr: Any, base: int) -> Iterator[Diagnostic]:
        from flowscript.expressions.analysis import walk
        from flowscript.expressions.syntax import Index, Member, StringLiteral

        # One reading of each hyphenated run is enough: both readings hold the same
        # member accesses (the postfix chain after a run is shared).
        for sub in walk(expr, self.ctx.graph.defined):
            name = None
            if isinstance(sub, Member):
                name = sub.name
            elif isinstance(sub, Index) and isinstance(sub.index, StringLiteral):
                name = sub.index.value
            if name is not None and (name.startswith("__") or name in BLOCKED_MEMBERS):
                yield self._blocked(
                    node, text, base + sub.offset, f"access to `{name}` is blocked", ()
                )

    def _names(
        self, node: NodeSpec, text: Text, uses: tuple[NameRef, ...], names: Names
    ) -> Iterator[Diagnostic]:
        reported_runs: set[int] = set()
        for use in uses:
            if use.ambiguous:
                yield self._ambiguous(node, text, use.name, use.offset)
            if use.name.startswith("$"):
                yield from self._special(node, text, use, use.offset, names)
            elif not names.has_plain(use.name):
                start, run = _hyphen_run(text.value, use.offset)
                if start in reported_runs:
                    continue
                reported_runs.add(start)
                yield self._undefined(node, text, use.name, run, start, names)

    def _ambiguous(self, node: NodeSpec, text: Text, name: str, offset: int) -> Diagnostic:
        parts = " - ".join(name.split("-"))
        return self.ctx.diagnostic(
            "EXPR_AMBIGUOUS_HYPHEN",
            f"`{name}` is a name here, but `{parts}` would also be defined",
            self.ctx.text_span(text, offset),
            hints=(f"write `{parts}` with spaces if you mean a subtraction",),
            node=node.id,
        )

    def _special(
        self, node: NodeSpec, text: Text, use: Any, offset: int, names: Names
    ) -> Iterator[Diagnostic]:
        if use.name in names.specials:
            yield from check_special_member(self.ctx, self.table, node, use, text, offset)
            return
        span = self.ctx.text_span(text, offset)
        where = CONTEXT_SPECIALS.get(use.name)
        hints = (
            (f"`{use.name}` is only defined {where}",)
            if where
            else did_you_mean(use.name, ALWAYS_SPECIALS | set(CONTEXT_SPECIALS))
        )
        yield self.ctx.diagnostic(
            "EXPR_UNDEFINED_VARIABLE",
            f"`{use.name}` is not defined here; it reads as undefined",
            span,
            hints=hints,
            node=node.id,
        )

    def _undefined(
        self, node: NodeSpec, text: Text, name: str, run: str, start: int, names: Names
    ) -> Diagnostic:
        written = run if "-" in run else name
        message = f"`{written}` is not a node id or variable; it reads as undefined"
        if written != name:
            reading = " - ".join(written.split("-"))
            message = f"`{written}` is not a node id or variable (it reads as `{reading}`)"
        candidates = names.candidates() - {"input"}
        return self.ctx.diagnostic(
            "EXPR_UNDEFINED_VARIABLE",
            message,
            self.ctx.text_span(text, start),
            hints=did_you_mean(written, candidates),
            node=node.id,
        )


_BLOCKED_HINT = re.compile(r"__|constructor|prototype|\\")


def _may_name_blocked(value: str) -> bool:
    """Cheap pre-check: a blocked member name (or an escape spelling one) is in the text."""
    return _BLOCKED_HINT.search(value) is not None


class _Either:
    """Membership in either of two sets, without building their union."""

    __slots__ = ("first", "second")

    def __init__(self, first: frozenset[str], second: frozenset[str]) -> None:
        self.first = first
        self.second = second

    def __contains__(self, name: object) -> bool:
        return name in self.first or name in self.second


def _hyphen_run(value: str, offset: int) -> tuple[int, str]:
    """The hyphenated run of name characters around ``offset`` (start, text)."""
    start = offset
    while start > 0 and _RUN_CHARS.match(value[start - 1]):
        start -= 1
    end = offset
    while end < len(value) and _RUN_CHARS.match(value[end]):
        end += 1
    run = value[start:end].strip("-")
    if "-" not in run:
        return offset, value[offset:end]
    return start, run
