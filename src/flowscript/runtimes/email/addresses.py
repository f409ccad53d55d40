"""Email addresses from config fields (runtimes.md §5): parsed, validated, never guessed.

``to``/``cc``/``bcc`` arrive as lists (the ``list`` field type splits a comma list); each item
is one address, plain (``ann@example.com``) or with a display name
(``Ann Lee <ann@example.com>``, ``"Lee, Ann" <ann@example.com>`` in a JSON array). Anything
that is not exactly one well-formed address fails with ``email.invalid_address`` naming the
field and the value, before any connection is made.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formataddr, getaddresses
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED, to_json, to_string

__all__ = ["Mailbox", "parse_mailbox", "parse_mailboxes"]

_ATOM: Final = r"[\w!#$%&'*+/=?^`{|}~-]+"
_LABEL: Final = r"[^\W_](?:(?:[^\W_]|-){0,61}[^\W_])?"
# RFC 5321 dot-atom local part @ a domain of letter/digit/hyphen labels (unicode allowed, a
# single label such as ``localhost`` too); quoted local parts and address literals are refused.
_ADDRESS: Final = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*")


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One address with an optional display name.

    Attributes:
        address: the bare address (``ann@example.com``), used in the SMTP envelope.
        name: the display name, or ``""``.
    """

    address: str
    name: str = ""

    def __str__(self) -> str:
        return formataddr((self.name, self.address)) if self.name else self.address


def _invalid(field: str, value: str, why: str = "is not a valid email address") -> NodeError:
    return NodeError(
        "email.invalid_address",
        f"field '{field}': {value!r} {why}",
        retryable=False,
        details={"field": field, "value": value},
    )


def parse_mailbox(field: str, value: Any) -> Mailbox:
    """Parse one address (``a@b.c`` or ``Name <a@b.c>``).

    Raises:
        NodeError: ``email.invalid_address`` for anything but exactly one valid address.
    """
    text = value if isinstance(value, str) else to_string(value)
    text = text.strip()
    if "\r" in text or "\n" in text:
        raise _invalid(field, text, "contains a line break")
    found = [(name, addr) for name, addr in getaddresses([text]) if name or addr]
    if not found:
        raise _invalid(field, text)
    if len(found) > 1:
        raise _invalid(field, text, "must be exactly one email address")
    name, address = found[0]
    if not _ADDRESS.fullmatch(address):
        raise _invalid(field, text)
    return Mailbox(address=address, name=name.strip())


def parse_mailboxes(field: str, value: Any) -> tuple[Mailbox, ...]:
    """Parse a list of addresses (``None`` or an empty list → none).

    Raises:
        NodeError: ``email.invalid_address`` naming the first bad item.
    """
    if value is None or value is UNDEFINED:
        return ()
    items: Sequence[Any] = value if isinstance(value, list | tuple) else [value]
    mailboxes: list[Mailbox] = []
    for item in items:
        if item is None or (isinstance(item, str) and not item.strip()):
            continue
        if isinstance(item, dict):
            raise _invalid(field, to_json(item), "is not an address (expected text)")
        mailboxes.append(parse_mailbox(field, item))
    return tuple(mailboxes)
