"""Run inputs: effective config, workflow input and secrets (format.md §2, execution.md §1).

Everything here runs before the first node: a problem is a :class:`~flowscript.errors.ConfigError`
(``CONFIG_INVALID``) naming the field, and nothing has run yet.

- :func:`resolve_config`: declared defaults overridden by the caller, coerced to the declared
  types (a CLI string is read as JSON when it parses), enum values checked, required fields
  and undeclared overrides reported.
- :func:`resolve_input`: the workflow input checked against the frontmatter ``input:`` schema,
  with its defaults applied.
- :func:`load_secrets`: the declared secrets, from the environment first, then a ``.env`` next
  to the workflow, then ``--env-file`` (read with python-dotenv, never touching
  ``os.environ``).
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import json
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from flowscript.errors import ConfigError
from flowscript.expressions.values import UNDEFINED
from flowscript.model.workflow import FieldSpec, Workflow
from flowscript.runtimes.coerce import coerce_value

__all__ = [
    "load_secrets",
    "parse_cli_assignments",
    "resolve_config",
    "resolve_input",
    "secret_lookup",
]

_TEXT_TYPES = frozenset({"string", "enum"})


def parse_cli_assignments(items: Sequence[str]) -> dict[str, str]:
    """``["limit=5", "name=a=b"]`` → ``{"limit": "5", "name": "a=b"}`` (values stay strings).

    Splits at the first ``=``; keys are stripped, values kept as written; the last assignment
    of a key wins.

    Raises:
        ConfigError: an item without ``=`` or with an empty key.
    """
    result: dict[str, str] = {}
    for item in items:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise ConfigError(f"expected key=value, got {item!r}", field=key.strip() or None)
        result[key.strip()] = value
    return result


def _read_override(spec: FieldSpec, raw: Any) -> Any:
    """A string override as JSON when it parses; text fields keep other JSON as text."""
    if not isinstance(raw, str):
        return raw
    try:
        parsed = json.loads(raw)
    except ValueError:
        return raw
    if spec.type in _TEXT_TYPES and not isinstance(parsed, str):
        # "true" for a string field stays "true", not the boolean; an enum compares the
        # declared values with both readings (see _enum_value).
        return raw
    return parsed


def _coerce(spec: FieldSpec, value: Any, what: str) -> Any:
    try:
        if spec.type == "enum":
            return _enum_value(spec, value)
        return coerce_value(spec.type, value)
    except ValueError as exc:
        raise ConfigError(f"{what} '{spec.name}': {exc}", field=spec.name) from exc


def _enum_readings(value: Any) -> Iterator[Any]:
    yield value
    if not isinstance(value, str):
        yield str(value)
        return
    with contextlib.suppress(ValueError):
        yield json.loads(value)


def _enum_value(spec: FieldSpec, value: Any) -> Any:
    """The declared enum value equal to ``value`` as given, or read as JSON/text."""
    allowed = spec.values or ()
    for reading in _enum_readings(value):
        with contextlib.suppress(ValueError):
            return coerce_value("enum", reading, values=allowed)
    return coerce_value("enum", value, values=allowed)  # raises, naming the choices


def _did_you_mean(name: str, candidates: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _fill_fields(
    fields: Mapping[str, FieldSpec], given: Mapping[str, Any], what: str
) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` for every declared field: the given value coerced, or the default."""
    for name, spec in fields.items():
        if name in given and given[name] is not UNDEFINED:
            yield name, _coerce(spec, given[name], what)
        elif spec.has_default:
            yield name, copy.deepcopy(spec.default)
        elif spec.required:
            raise ConfigError(f"{what} '{name}' is required and has no default", field=name)


def resolve_config(workflow: Workflow, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The effective config of a run (format.md §2.1).

    Args:
        workflow: the parsed workflow (its ``config`` declarations).
        overrides: values from the caller (``--config key=value`` strings or API values);
            strings are read as JSON when they parse, else kept as strings.

    Returns:
        Every declared field with a value (overrides coerced to the declared type, else the
        default); optional fields without a default are left out.

    Raises:
        ConfigError: an override for an undeclared key, a value that cannot be coerced, an
            enum value outside ``values``, or a missing required field.
    """
    given = dict(overrides or {})
    for name in given:
        if name not in workflow.config:
            hint = _did_you_mean(name, workflow.config)
            raise ConfigError(f"config '{name}' is not declared by the workflow{hint}", field=name)
    read = {name: _read_override(workflow.config[name], raw) for name, raw in given.items()}
    return dict(_fill_fields(workflow.config, read, "config"))


def resolve_input(workflow: Workflow, value: Any) -> Any:
    """The workflow input, checked against the ``input:`` schema with defaults applied.

    Without a schema the value is returned as given (``{}`` for none). With one, the input
    must be an object (a JSON object string is read); declared fields are coerced, defaulted
    and required like config fields; undeclared keys are kept as they are.

    Raises:
        ConfigError: a non-object input, a field that cannot be coerced, or a missing
            required field.
    """
    if value is None or value is UNDEFINED:
        value = {}
    if not workflow.input_schema:
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    if not isinstance(value, Mapping):
        fields = ", ".join(workflow.input_schema)
        raise ConfigError(f"the workflow input must be an object with the fields {fields}")
    given = dict(value)
    filled = dict(_fill_fields(workflow.input_schema, given, "input"))
    return {**given, **filled}


def _dotenv(path: Path) -> dict[str, str]:
    from dotenv import dotenv_values

    return {key: val for key, val in dotenv_values(path).items() if val is not None}


def _secret_sources(
    workflow: Workflow,
    env_file: Path | None,
    workflow_dir: Path | None,
    environ: Mapping[str, str] | None,
) -> list[Mapping[str, str]]:
    """Where secret values come from, first match wins: the environment, then ``--env-file``
    when given, otherwise the ``.env`` next to the workflow (format.md §2.2: "a .env file next
    to the workflow (or given by --env-file)")."""
    sources: list[Mapping[str, str]] = [os.environ if environ is None else environ]
    if env_file is not None:
        sources.append(_dotenv(env_file))
        return sources
    folder = workflow_dir
    if folder is None and not workflow.path.startswith("<"):
        folder = Path(workflow.path).parent
    if folder is not None and (folder / ".env").is_file():
        sources.append(_dotenv(folder / ".env"))
    return sources


def secret_lookup(
    workflow: Workflow,
    *,
    env_file: Path | None = None,
    workflow_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Callable[[str], str | None]:
    """Reads one value by name from the sources :func:`load_secrets` uses (first match wins),
    for values a runtime needs without the workflow declaring them (the AI keys)."""
    sources = _secret_sources(workflow, env_file, workflow_dir, environ)

    def lookup(name: str) -> str | None:
        return next((source[name] for source in sources if name in source), None)

    return lookup


def load_secrets(
    workflow: Workflow,
    *,
    env_file: Path | None = None,
    workflow_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    referenced: Collection[str] | None = None,
) -> dict[str, str]:
    """The values of the workflow's declared secrets (format.md §2.2).

    Args:
        workflow: declares the secret names.
        env_file: ``--env-file``; must exist when given (checked even when the workflow
            declares no secrets, so a mistyped path is never silently ignored).
        workflow_dir: where to look for ``.env`` (default: the workflow file's folder).
        environ: the process environment (default ``os.environ``, which is never modified).
        referenced: the secrets the workflow uses; ``None`` means all of them.

    Returns:
        Secret name → value for every declared secret that has a value.

    Raises:
        ConfigError: a referenced secret has no value anywhere (all missing names listed).
    """
    if env_file is not None and not env_file.is_file():
        raise ConfigError(f"env file {env_file} does not exist")
    if not workflow.secrets:
        return {}
    sources = _secret_sources(workflow, env_file, workflow_dir, environ)
    secrets: dict[str, str] = {}
    missing: list[str] = []
    for name in workflow.secrets:
        value = next((source[name] for source in sources if name in source), None)
        if value is not None:
            secrets[name] = value
        elif referenced is None or name in referenced:
            missing.append(name)
    if missing:
        raise ConfigError(
            f"secret(s) without a value: {', '.join(missing)} — set them in the environment, "
            "in a .env file next to the workflow, or in a file given with --env-file",
            field=missing[0],
        )
    return secrets
