"""Members of ``$secrets``, ``$config``, ``$env`` and ``$context`` must be declared."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from flowscript.model import Diagnostic, NodeSpec, Text
from flowscript.validate._context import ValidationContext
from flowscript.validate._hints import did_you_mean
from flowscript.validate._names import NameTable

__all__ = ["check_special_member"]


def _secrets(ctx: ValidationContext, table: NameTable) -> Collection[str]:
    return ctx.workflow.secrets


def _config(ctx: ValidationContext, table: NameTable) -> Collection[str]:
    return ctx.workflow.config


def _env(ctx: ValidationContext, table: NameTable) -> Collection[str]:
    return ctx.workflow.runtime.env


def _context(ctx: ValidationContext, table: NameTable) -> Collection[str]:
    return table.variables


_Declared = Callable[[ValidationContext, NameTable], Collection[str]]

_DECLARED: Mapping[str, tuple[_Declared, str, str]] = {
    "$secrets": (_secrets, "VALID_UNDEFINED_SECRET_REF", "add `{name}` to `secrets:`"),
    "$config": (_config, "VALID_UNDEFINED_CONFIG_REF", "declare `{name}` under `config:`"),
    "$env": (_env, "VALID_UNDEFINED_ENV_REF", "list `{name}` in `runtime.env`"),
    "$context": (_context, "EXPR_UNDEFINED_VARIABLE", "set it with <set> or <context>"),
}

_WHAT = {
    "$secrets": "secret `{name}` is not declared",
    "$config": "config field `{name}` is not declared",
    "$env": "environment variable `{name}` is not listed in `runtime.env`; it reads as undefined",
    "$context": "no <set> or <context> sets `{name}`; it reads as undefined",
}


def check_special_member(
    ctx: ValidationContext, table: NameTable, node: NodeSpec, use: Any, text: Text, offset: int
) -> Iterator[Diagnostic]:
    """Report ``$secrets.X`` / ``$config.k`` / ``$env.X`` / ``$context.k`` not declared.

    ``use`` is a name read at character ``offset`` of ``text`` (a ``NameRef`` of the graph); a
    member that is not statically known (``$config[key]``) is not checked.
    """
    entry = _DECLARED.get(use.name)
    member = use.member
    if entry is None or member is None:
        return
    declared_of, code, fix = entry
    declared = declared_of(ctx, table)
    if member in declared:
        return
    yield ctx.diagnostic(
        code,
        _WHAT[use.name].format(name=member),
        ctx.text_span(text, offset),
        hints=did_you_mean(member, declared) or (fix.format(name=member),),
        node=node.id,
    )
