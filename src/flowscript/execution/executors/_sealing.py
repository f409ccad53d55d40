"""Secret values never travel with node work: they are sealed into tokens and reopened on the
worker from its own environment.

The coordinator renders a node's config with the real secret values (as the local executor
does), then, before the task leaves the process, replaces every occurrence of every secret
value in the config, the input and the runtime-context extras with a token such as
``@@fs-secret-3f9a…-2@@``. The forms under which a secret commonly appears are covered too —
as written, JSON-escaped, percent-encoded and form-encoded (the same forms the redactor masks)
— each with its own token, so the worker puts back exactly the same form of *its* value. The
task carries the tokens with the secret names, never the values.

The worker reads the values from its environment, reopens the tokens, runs the node, then
seals its own secret values in the output, warnings and error details with the same tokens;
the coordinator reopens them with its values. So nothing that crosses the scheduler holds a
secret, whichever way it goes.

Limits: a secret transformed by an expression before it reaches the config (base64, hashing,
slicing, upper-casing …) is no longer recognisable and is sent as transformed. Put secrets
verbatim in config fields (runtimes do the encoding, e.g. HTTP basic auth, on the worker).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets as _random
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote, quote_plus

__all__ = ["FORMS", "Sealer", "Substitution"]

FORMS: Final[dict[str, Callable[[str], str]]] = {
    "raw": lambda value: value,
    "json": lambda value: json.dumps(value)[1:-1],
    "url": lambda value: quote(value, safe=""),
    "form": lambda value: quote_plus(value, safe=""),
}
"""Form name → how the secret is written in that form."""


class Substitution:
    """Replaces whole strings inside every string and key of JSON-like data.

    Longer texts are tried first at each position, so a secret containing another one is
    replaced whole.

    Args:
        mapping: text to find → its replacement.

    Attributes:
        used: the replacements made so far (to know which secrets a payload needed).
    """

    __slots__ = ("_mapping", "_pattern", "used")

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._mapping = dict(mapping)
        ordered = sorted(self._mapping, key=lambda text: (-len(text), text))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self.used: set[str] = set()

    def text(self, value: str) -> str:
        """``value`` with every occurrence replaced."""
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(self._replace, value)

    def _replace(self, match: re.Match[str]) -> str:
        replacement = self._mapping[match.group(0)]
        self.used.add(replacement)
        return replacement

    def apply(self, value: Any) -> Any:
        """A copy of JSON-like ``value`` with every string (and key) substituted."""
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(key): self._walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self._walk(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            # Runtimes prepare plain dataclasses (an AI call with its key, a database target
            # with its URL): their fields cross to workers too.
            changes = {
                field.name: self._walk(getattr(value, field.name))
                for field in dataclasses.fields(value)
                if field.init
            }
            return dataclasses.replace(value, **changes)
        return value


class Sealer:
    """The tokens of one task: seals values on one side and opens them on the other.

    Args:
        names: the secret names the task may need (all of the workflow's secrets).
        nonce: makes the tokens of this task unique (random by default).
    """

    __slots__ = ("tokens",)

    def __init__(self, names: Iterable[str], nonce: str | None = None) -> None:
        tag = nonce if nonce is not None else _random.token_hex(8)
        self.tokens: dict[str, tuple[str, str]] = {}
        for index, name in enumerate(names):
            for form in FORMS:
                self.tokens[f"@@fs-secret-{tag}-{index}-{form}@@"] = (name, form)

    @classmethod
    def from_task(cls, tokens: Mapping[str, Iterable[str]]) -> Sealer:
        """The sealer described by a task's ``tokens`` entry (token → ``[name, form]``)."""
        sealer = cls(())
        for token, pair in tokens.items():
            name, form = tuple(pair)
            sealer.tokens[token] = (str(name), str(form))
        return sealer

    def to_task(self) -> dict[str, list[str]]:
        """The tokens as plain data for the task (names and forms, never values)."""
        return {token: [name, form] for token, (name, form) in self.tokens.items()}

    def _texts(self, values: Mapping[str, str]) -> dict[str, str]:
        """Token → the text it stands for, for the secrets that have a value."""
        texts: dict[str, str] = {}
        for token, (name, form) in self.tokens.items():
            value = values.get(name)
            if value:
                texts[token] = FORMS[form](value)
        return texts

    def sealing(self, values: Mapping[str, str]) -> Substitution:
        """A substitution replacing each form of each value with its token."""
        mapping: dict[str, str] = {}
        for token, text in self._texts(values).items():
            mapping.setdefault(text, token)  # forms equal to the raw text share its token
        return Substitution(mapping)

    def opening(self, values: Mapping[str, str]) -> Substitution:
        """A substitution replacing each token with its form of the value."""
        return Substitution(self._texts(values))

    def names(self, tokens: Iterable[str]) -> set[str]:
        """The secret names behind ``tokens`` (e.g. ``Substitution.used`` after sealing)."""
        return {self.tokens[token][0] for token in tokens if token in self.tokens}
