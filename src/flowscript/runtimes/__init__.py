"""Node runtimes. For now this package exposes the config-field declarations only."""

from flowscript.runtimes.fields import (
    RUNTIME_FIELDS,
    RUNTIME_TYPES,
    FieldDecl,
    fields_for,
)

__all__ = ["RUNTIME_FIELDS", "RUNTIME_TYPES", "FieldDecl", "fields_for"]
