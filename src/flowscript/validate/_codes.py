"""Every diagnostic code the validator emits: default severity, meaning and an example fix.

``docs/diagnostics.md`` lists the same table; a test keeps the two in step and checks that every
code a rule emits is listed here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from flowscript.model import Severity

__all__ = ["CODES", "CodeInfo", "severity_of"]

_E = Severity.ERROR
_W = Severity.WARNING


@dataclass(frozen=True, slots=True)
class CodeInfo:
    """A diagnostic code: its default severity, what it means and how to fix it."""

    severity: Severity
    meaning: str
    fix: str


CODES: Mapping[str, CodeInfo] = MappingProxyType(
    {
        "PARSE_MISSING_FRONTMATTER": CodeInfo(
            _E, "the file does not start with a `---` line", "add `---` as the first line"
        ),
        "PARSE_YAML_INVALID": CodeInfo(
            _E, "the frontmatter is not valid (safe) YAML", "fix the YAML at the position shown"
        ),
        "PARSE_XML_INVALID": CodeInfo(
            _E, "the body is not well-formed XML", "close the element or quote the attribute"
        ),
        "PARSE_FILE_ERROR": CodeInfo(
            _E, "the file cannot be read", "check the path and that the file is UTF-8"
        ),
        "VALID_MISSING_REQUIRED_FIELD": CodeInfo(
            _E,
            "a required key, attribute or config field is missing",
            "add `version: 1.0.0` to the frontmatter",
        ),
        "VALID_INVALID_VERSION": CodeInfo(
            _E,
            "`version` is not `MAJOR.MINOR[.PATCH][-pre][+build]`",
            "`version: v1` → `version: 1.0.0`",
        ),
        "VALID_UNKNOWN_FIELD": CodeInfo(
            _W,
            "a key, attribute or config field nobody reads",
            '`methd="POST"` → `method="POST"`',
        ),
        "VALID_INVALID_TYPE": CodeInfo(
            _E,
            "a frontmatter key has the wrong type",
            "`secrets: API_KEY` → `secrets: [API_KEY]`",
        ),
        "VALID_INVALID_VALUE": CodeInfo(
            _E,
            "a value outside what the element accepts",
            '`wait="some"` → `wait="any"` or `wait="n(2)"`',
        ),
        "CONFIG_INVALID": CodeInfo(
            _E,
            "a config value or default cannot be coerced to its declared type",
            '`pretty="maybe"` → `pretty="false"`',
        ),
        "VALID_INVALID_ID": CodeInfo(
            _E, "an id is not `[A-Za-z_][A-Za-z0-9_-]*`", '`id="fetch data"` → `id="fetch-data"`'
        ),
        "VALID_DUPLICATE_NODE_ID": CodeInfo(_E, "two nodes share an id", "rename the second node"),
        "VALID_DUPLICATE_FIELD": CodeInfo(
            _E,
            "the same config field is given twice (attribute and child)",
            "keep either the attribute or the child element",
        ),
        "VALID_UNEXPECTED_TEXT": CodeInfo(
            _E, "stray text between nodes", "remove the text or wrap it in an XML comment"
        ),
        "VALID_UNKNOWN_NODE_TYPE": CodeInfo(
            _E,
            "an unknown element, or a data-node `type` its role does not have",
            '`<sink type="fil">` → `<sink type="file">`',
        ),
        "VALID_INVALID_DURATION": CodeInfo(
            _E, "a duration that does not parse", '`timeout="10 secs"` → `timeout="10s"`'
        ),
        "VALID_UNDEFINED_NODE_REF": CodeInfo(
            _E,
            "`input=`, a fallback, `on-timeout`, a goto or a test names an unknown node",
            '`input="fetch-dat"` → `input="fetch-data"`',
        ),
        "VALID_INVALID_GOTO_TARGET": CodeInfo(
            _E,
            "a goto target is not in the same scope or an enclosing one",
            "jump to the node that encloses the target instead",
        ),
        "VALID_BREAK_OUTSIDE_LOOP": CodeInfo(
            _E,
            "`<break>` outside a loop, or `loop=` naming no enclosing loop",
            "move the `<break>` into the loop body",
        ),
        "VALID_HANDLER_ALSO_SCHEDULED": CodeInfo(
            _E,
            "a node depends on a fallback or on-timeout handler, which may never run",
            "depend on the node the handler serves instead",
        ),
        "VALID_CIRCULAR_DEPENDENCY": CodeInfo(
            _E, "nodes wait for each other", "remove one of the references on the cycle"
        ),
        "VALID_CIRCULAR_FALLBACK": CodeInfo(
            _E, "fallbacks form a cycle (or a node is its own fallback)", "end the chain"
        ),
        "VALID_UNDEFINED_SECRET_REF": CodeInfo(
            _E, "`$secrets.X` for a secret not declared", "add `X` to `secrets:`"
        ),
        "VALID_UNDEFINED_CONFIG_REF": CodeInfo(
            _W, "`$config.k` for a config field not declared", "declare `k` under `config:`"
        ),
        "VALID_UNDEFINED_ENV_REF": CodeInfo(
            _W,
            "`$env.X` for a variable not listed in `runtime.env` (it reads as undefined)",
            "add `X` to `runtime.env`",
        ),
        "VALID_UNDEFINED_SCHEMA_REF": CodeInfo(
            _E,
            "an AI `output-schema` names a schema not declared under `schemas:`",
            "declare it under `schemas:` or write the schema inline",
        ),
        "VALID_INCLUDE_NOT_FOUND": CodeInfo(
            _E, "an `<include>`/`<call>` workflow file does not exist", "fix the path"
        ),
        "VALID_CIRCULAR_INCLUDE": CodeInfo(
            _E, "workflows include each other", "break the include chain"
        ),
        "EXPR_PARSE_ERROR": CodeInfo(
            _E, "an expression or template does not parse", "`{{ a = 1 }}` → `{{ a == 1 }}`"
        ),
        "EXPR_UNDEFINED_FUNCTION": CodeInfo(
            _E, "a call to a function that is not built in", "`uper(x)` → `upper(x)`"
        ),
        "EXPR_BLOCKED_ACCESS": CodeInfo(
            _E,
            "a method outside the whitelist, or a blocked member",
            "`s.toLocaleUpperCase()` → `s.toUpperCase()`",
        ),
        "EXPR_LIMIT_EXCEEDED": CodeInfo(
            _E, "an expression nested too deeply or too long", "split it with `<set>` nodes"
        ),
        "EXPR_UNDEFINED_VARIABLE": CodeInfo(
            _W,
            "a name that is no node id, variable or special (it reads as undefined)",
            "`fech.items` → `fetch.items`",
        ),
        "EXPR_AMBIGUOUS_HYPHEN": CodeInfo(
            _W,
            "`a-b` names a node and is also `a - b`",
            "write `a - b` with spaces for a subtraction",
        ),
        "VALID_INTERNAL_ERROR": CodeInfo(
            _E,
            "a validation rule crashed (a bug in FlowScript; please report it)",
            "report the file that triggers it",
        ),
    }
)
"""Code → its default severity, meaning and an example fix."""


def severity_of(code: str) -> Severity:
    """The default severity of ``code`` (error for codes not in the table)."""
    info = CODES.get(code)
    return info.severity if info is not None else Severity.ERROR
