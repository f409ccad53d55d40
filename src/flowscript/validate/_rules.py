"""The table of validation rules, run in order by :func:`flowscript.validate.validate`."""

from __future__ import annotations

from flowscript.validate._config import check_config_fields, check_schema_refs
from flowscript.validate._context import Rule
from flowscript.validate._expressions import check_expressions
from flowscript.validate._fields import check_field_sections
from flowscript.validate._frontmatter import (
    check_evolution,
    check_identity,
    check_runtime,
    check_schemas,
    check_secrets,
    check_unknown_keys,
)
from flowscript.validate._includes import check_includes
from flowscript.validate._nodes import (
    check_data_types,
    check_duplicate_ids,
    check_ids,
    parse_diagnostics,
)
from flowscript.validate._references import (
    check_breaks,
    check_cycles,
    check_fallback_cycles,
    check_gotos,
    check_handler_targets,
    check_handlers_not_scheduled,
    check_inputs,
)
from flowscript.validate._testcases import check_tests
from flowscript.validate._trigger import check_trigger
from flowscript.validate._values import check_control_values, check_durations, check_retry_values

__all__ = ["RULES"]

RULES: tuple[tuple[str, Rule], ...] = (
    ("parse-diagnostics", parse_diagnostics),
    ("frontmatter-identity", check_identity),
    ("frontmatter-unknown-keys", check_unknown_keys),
    ("frontmatter-fields", check_field_sections),
    ("frontmatter-secrets", check_secrets),
    ("frontmatter-runtime", check_runtime),
    ("frontmatter-trigger", check_trigger),
    ("frontmatter-schemas", check_schemas),
    ("frontmatter-evolution", check_evolution),
    ("frontmatter-tests", check_tests),
    ("node-ids", check_ids),
    ("node-duplicate-ids", check_duplicate_ids),
    ("node-data-types", check_data_types),
    ("node-config", check_config_fields),
    ("node-schema-refs", check_schema_refs),
    ("durations", check_durations),
    ("control-values", check_control_values),
    ("retry-values", check_retry_values),
    ("inputs", check_inputs),
    ("handler-targets", check_handler_targets),
    ("fallback-cycles", check_fallback_cycles),
    ("gotos", check_gotos),
    ("breaks", check_breaks),
    ("handlers-not-scheduled", check_handlers_not_scheduled),
    ("cycles", check_cycles),
    ("expressions", check_expressions),
    ("includes", check_includes),
)
"""``(name, rule)`` pairs; every rule yields diagnostics and never stops the others."""
