"""The message a node sends (runtimes.md §5): what it says, to whom, and the MIME form of it.

:func:`read_content` turns the node's coerced config and input into an :class:`EmailContent`
(addresses validated, attachments read from the base folder); :func:`build_message` renders it
as an :class:`email.message.EmailMessage` for SMTP. SendGrid builds its JSON payload from the
same :class:`EmailContent`.

Body rules: ``text`` and ``html`` together make a ``multipart/alternative`` message; with
neither, the text is the node input (a string as it is, anything else as indented JSON). Bcc
recipients are only ever in the envelope, never in a header.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED, to_json
from flowscript.runtimes.email.addresses import Mailbox, parse_mailbox, parse_mailboxes

__all__ = ["Attachment", "EmailContent", "build_message", "default_text", "read_content"]

_DEFAULT_MIME: Final = "application/octet-stream"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    """One attached file.

    Attributes:
        filename: the name shown to the recipient (the file's base name).
        mime_type: ``maintype/subtype``, guessed from the name.
        data: the file's bytes.
    """

    filename: str
    mime_type: str
    data: bytes = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailContent:
    """A message ready for any provider.

    Attributes:
        sender: the ``From`` address.
        to: ``To`` recipients.
        cc: ``Cc`` recipients.
        bcc: blind recipients (envelope only).
        subject: the subject line, or ``None``.
        text: the plain-text body, or ``None``.
        html: the HTML body, or ``None``.
        attachments: attached files.
    """

    sender: Mailbox
    to: tuple[Mailbox, ...]
    cc: tuple[Mailbox, ...] = ()
    bcc: tuple[Mailbox, ...] = ()
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def recipients(self) -> list[str]:
        """Every envelope recipient (to, cc, bcc), each address once, in that order."""
        seen: dict[str, None] = {}
        for mailbox in (*self.to, *self.cc, *self.bcc):
            seen.setdefault(mailbox.address, None)
        return list(seen)


def _invalid(message: str) -> NodeError:
    return NodeError("config.invalid", message, retryable=False)


def default_text(value: Any) -> str:
    """The body used when neither ``text`` nor ``html`` is given: the input as text."""
    if value is None or value is UNDEFINED:
        return ""
    if isinstance(value, str):
        return value
    return to_json(value, indent=2)


def _sender(config: Mapping[str, Any]) -> Mailbox:
    """``from``; without it, an SMTP ``username`` that is an address."""
    if config.get("from") not in (None, ""):
        return parse_mailbox("from", config["from"])
    username = config.get("username")
    if isinstance(username, str) and "@" in username:
        return parse_mailbox("username", username)
    raise _invalid("field 'from': a sender address is required")


def _optional_text(config: Mapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    return None if value is None or value is UNDEFINED else str(value)


def read_content(config: Mapping[str, Any], input_value: Any, root: Path) -> EmailContent:
    """Build the message content from a node's coerced config and input.

    Raises:
        NodeError: ``email.invalid_address``; ``config.invalid`` without a sender or a
            recipient; ``file.path_outside_root``/``file.not_found`` for an attachment.
    """
    to = parse_mailboxes("to", config.get("to"))
    cc = parse_mailboxes("cc", config.get("cc"))
    bcc = parse_mailboxes("bcc", config.get("bcc"))
    if not (to or cc or bcc):
        raise _invalid("field 'to': at least one recipient is required")
    text, html = _optional_text(config, "text"), _optional_text(config, "html")
    if text is None and html is None:
        text = default_text(input_value)
    return EmailContent(
        sender=_sender(config),
        to=to,
        cc=cc,
        bcc=bcc,
        subject=_optional_text(config, "subject"),
        text=text,
        html=html,
        attachments=read_attachments(config.get("attachments"), root),
    )


def read_attachments(paths: Any, root: Path) -> tuple[Attachment, ...]:
    """Read the ``attachments`` files (paths under the base folder)."""
    if paths is None:
        return ()
    items = paths if isinstance(paths, list) else [paths]
    return tuple(_read_attachment(str(item), root) for item in items if str(item).strip())


def _read_attachment(path: str, root: Path) -> Attachment:
    from flowscript.runtimes._paths import resolve_in_root
    from flowscript.runtimes.file import _os_error

    target = resolve_in_root(root, path.strip())
    try:
        data = target.real.read_bytes()
    except OSError as exc:
        raise _os_error(exc, target, "attach") from exc
    mime_type, encoding = mimetypes.guess_type(target.real.name, strict=False)
    if mime_type is None or encoding is not None:
        # A compressed file (``.tar.gz``) is sent as the bytes it is, not as its inner type.
        mime_type = _DEFAULT_MIME if encoding is None else f"application/{encoding}"
    return Attachment(filename=target.real.name, mime_type=mime_type, data=data)


# ------------------------------------------------------------------------------ MIME form


def _header_address(mailbox: Mailbox) -> Address:
    return Address(display_name=mailbox.name, addr_spec=mailbox.address)


def build_message(content: EmailContent, *, message_id: str) -> EmailMessage:
    """The MIME message (headers without Bcc; text, html, attachments)."""
    message = EmailMessage()
    message["From"] = _header_address(content.sender)
    if content.to:
        message["To"] = tuple(_header_address(m) for m in content.to)
    if content.cc:
        message["Cc"] = tuple(_header_address(m) for m in content.cc)
    if content.subject is not None:
        message["Subject"] = content.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id
    _set_body(message, content)
    for attachment in content.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _set_body(message: EmailMessage, content: EmailContent) -> None:
    if content.text is not None:
        message.set_content(content.text)
        if content.html is not None:
            message.add_alternative(content.html, subtype="html")
    elif content.html is not None:
        message.set_content(content.html, subtype="html")
    else:
        message.set_content("")
