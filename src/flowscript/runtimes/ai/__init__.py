"""The AI runtime (runtimes.md §6): OpenAI-compatible chat completions with structured output.

Public names: :class:`AiRuntime` (registered for ``transform:ai``, which ``<ai>`` also parses
to), the schema DSL (:func:`parse_schema_dsl`, :class:`SchemaSyntaxError`), output-schema
resolution (:func:`resolve_output_schema`), the JSON Schema validator (:func:`validate_json`),
the pre-run key check (:func:`check_ai_credentials`) and usage helpers.
"""

from __future__ import annotations

from flowscript.runtimes.ai.endpoint import (
    OPENROUTER_BASE_URL,
    Endpoint,
    check_ai_credentials,
    resolve_endpoint,
)
from flowscript.runtimes.ai.runtime import AiRuntime
from flowscript.runtimes.ai.schema import OutputSchema, resolve_output_schema
from flowscript.runtimes.ai.schema_dsl import SchemaSyntaxError, parse_schema_dsl
from flowscript.runtimes.ai.usage import combine_usage, describe_usage, run_usage
from flowscript.runtimes.ai.validator import validate_json

__all__ = [
    "OPENROUTER_BASE_URL",
    "AiRuntime",
    "Endpoint",
    "OutputSchema",
    "SchemaSyntaxError",
    "check_ai_credentials",
    "combine_usage",
    "describe_usage",
    "parse_schema_dsl",
    "resolve_endpoint",
    "resolve_output_schema",
    "run_usage",
    "validate_json",
]
