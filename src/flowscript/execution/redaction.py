"""Replace secret values with ``***`` in everything the engine writes (format.md §2.2).

The engine hands every message, log line, state file and CLI output through one
:class:`Redactor` built from the run's secret values. Besides the raw value, the forms in which
a secret usually leaks are covered too: percent-encoded (a token in a URL's query string) and
JSON-escaped (a value containing quotes or backslashes inside serialised JSON).

Values shorter than :data:`MIN_SECRET_LENGTH` characters are not redacted: replacing every
occurrence of a one-to-three character string (``"1"``, ``"abc"``) would mangle ordinary text
everywhere (numbers, words, JSON punctuation) and, worse, the pattern of ``***`` marks would
reveal the secret it was meant to hide. Such a value is not a meaningful secret anyway.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, Final
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "MIN_SECRET_LENGTH", "Redactor"]

MASK: Final = "***"
MIN_SECRET_LENGTH: Final = 4


def _variants(secret: str) -> set[str]:
    """The secret as written plus the encodings under which it commonly appears in text."""
    forms = {secret, quote(secret, safe=""), quote_plus(secret, safe=""), json.dumps(secret)[1:-1]}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


class Redactor:
    """Masks secret values in text and in JSON-like data.

    Args:
        secret_values: the run's secret values; empty and very short values are ignored (see
            the module docstring for why).

    Example:
        >>> Redactor(["s3cr3t-token"]).redact("Authorization: Bearer s3cr3t-token")
        'Authorization: Bearer ***'
    """

    __slots__ = ("_pattern",)

    def __init__(self, secret_values: Iterable[str]) -> None:
        forms: set[str] = set()
        for value in secret_values:
            if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
                forms |= _variants(value)
        # Longest first: at a given position the regex engine takes the first alternative that
        # matches, so a secret that contains another one is masked whole.
        ordered = sorted(forms, key=lambda form: (-len(form), form))
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    @property
    def active(self) -> bool:
        """True when there is at least one value to mask."""
        return self._pattern is not None

    def redact(self, text: str) -> str:
        """Return ``text`` with every occurrence of a secret value replaced by ``***``."""
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)

    def redact_value(self, value: Any) -> Any:
        """Redact every string (and object key) inside JSON-like data, returning a copy.

        Non-string leaves (numbers, booleans, ``None``, other objects) are kept as they are;
        with no secrets the value itself is returned unchanged.
        """
        if self._pattern is None:
            return value
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, dict):
            return {self._walk(key): self._walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._walk(item) for item in value]
        if isinstance(value, tuple):
            return tuple(self._walk(item) for item in value)
        return value
