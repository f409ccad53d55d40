"""The name catalogue the validator reads matches the registered implementations exactly."""

from __future__ import annotations

import subprocess
import sys

import pytest

from flowscript.expressions import catalog
from flowscript.expressions.builtins import ALIASES, FUNCTIONS
from flowscript.expressions.methods import METHOD_NAMES


def test_catalog_lists_every_builtin_with_its_arity() -> None:
    registered = {name: (b.min_args, b.max_args) for name, b in FUNCTIONS.items()}
    assert dict(catalog.FUNCTION_ARITIES) == registered


def test_catalog_aliases_are_the_builtin_aliases() -> None:
    assert dict(catalog.ALIASES) == dict(ALIASES)
    assert set(catalog.ALIASES.values()) <= set(FUNCTIONS)


def test_catalog_methods_are_the_whitelisted_methods() -> None:
    assert dict(catalog.METHOD_NAMES) == dict(METHOD_NAMES)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("upper", True),
        ("Math.floor", True),
        ("JSON.stringify", True),
        ("toUpperCase", False),
        ("Math.upper", False),
    ],
    ids=["function", "math-alias", "json-alias", "method-is-not-a-function", "unknown-alias"],
)
def test_callable_names(name: str, expected: bool) -> None:
    assert (name in catalog.CALLABLE_NAMES) is expected


def test_method_names_merges_every_receiver_type() -> None:
    names = catalog.method_names()
    assert {"toUpperCase", "findIndex", "toFixed"} <= names
    assert len(names) == len(set().union(*METHOD_NAMES.values()))


def test_importing_the_catalog_loads_no_implementation() -> None:
    code = (
        "import sys, flowscript.expressions.catalog; "
        "print(sorted(m for m in sys.modules if m.startswith('flowscript.expressions.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['flowscript.expressions.catalog']"
