"""Sending through an SMTP server with aiosmtplib (runtimes.md §5).

Settings come from ``host``/``port``/``username``/``password``/``security`` or one ``url``
(``smtp://user:pass@host:port``; ``smtps://`` means implicit TLS, default port 465). Fields
fill what the URL leaves out, so a password can come from its own secret. Certificates are
verified against the system trust store; a private CA is added with the standard
``SSL_CERT_FILE`` environment variable.

Delivery is all or nothing: every recipient is offered (``RCPT``) before the message is sent,
and if the server refuses one, the transaction is reset and the node fails with
``email.rejected`` naming that recipient, so nobody receives a message the node reports as
failed. aiosmtplib exceptions become node errors in exactly one place,
:func:`_translate`, which knows the stage (connect, auth, send) the failure happened in.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from flowscript.errors import NodeError
from flowscript.runtimes.email.message import EmailContent, build_message

if TYPE_CHECKING:
    import aiosmtplib

__all__ = ["SmtpSettings", "send_smtp", "smtp_settings"]

DEFAULT_PORT: Final = 587  # message submission with STARTTLS (RFC 6409)
DEFAULT_TLS_PORT: Final = 465  # submission over implicit TLS (RFC 8314)
TIMEOUT_S: Final = 60.0  # per SMTP command; the node's own timeout still cuts the attempt
_SCHEMES: Final = {"smtp": None, "smtps": "tls"}
# RFC 4954 §6: authentication required / too weak / credentials invalid / encryption required
_AUTH_CODES: Final = frozenset({530, 534, 535, 538})


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpSettings:
    """Where and how to connect.

    Attributes:
        host: server host name.
        port: server port.
        security: ``starttls`` (upgrade required), ``tls`` (implicit TLS) or ``none``.
        username: login name, or ``None`` for no AUTH.
        password: login password (never shown).
    """

    host: str
    port: int
    security: str = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        """``host:port`` for messages (never the credentials)."""
        return f"{self.host}:{self.port}"


def _invalid(message: str) -> NodeError:
    return NodeError("config.invalid", message, retryable=False)


def _text(config: Mapping[str, Any], name: str) -> str | None:
    value = config.get(name)
    return None if value is None or value == "" else str(value)


def smtp_settings(config: Mapping[str, Any]) -> SmtpSettings:
    """Read the SMTP settings from a node's coerced config.

    Raises:
        NodeError: ``config.invalid`` without a host, or for a malformed ``url`` (the URL
            itself is not repeated: it may hold a password).
    """
    url = _text(config, "url")
    if url is not None:
        return _from_url(url, config)
    host = _text(config, "host")
    if host is None:
        raise _invalid("field 'host': an SMTP server is required (host=… or url=smtp://…)")
    return SmtpSettings(
        host=host,
        port=int(config.get("port") or DEFAULT_PORT),
        security=str(config.get("security") or "starttls"),
        username=_text(config, "username"),
        password=_text(config, "password"),
    )


def _from_url(url: str, config: Mapping[str, Any]) -> SmtpSettings:
    usage = "field 'url': expected smtp://user:password@host:port or smtps://…"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise _invalid(usage) from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not parts.hostname:
        raise _invalid(usage)
    security = _SCHEMES[scheme] or str(config.get("security") or "starttls")
    default_port = DEFAULT_TLS_PORT if scheme == "smtps" else DEFAULT_PORT
    username = unquote(parts.username) if parts.username else _text(config, "username")
    password = unquote(parts.password) if parts.password else _text(config, "password")
    return SmtpSettings(
        host=parts.hostname,
        port=port or default_port,
        security=security,
        username=username,
        password=password,
    )


# ------------------------------------------------------------------------------- sending


async def send_smtp(content: EmailContent, settings: SmtpSettings) -> str:
    """Send ``content`` and return its ``Message-ID``.

    Raises:
        NodeError: ``email.connect`` (retryable unless TLS is missing or fails),
            ``email.auth``, ``email.rejected`` (retryable for a 4xx reply), ``email.smtp``.
    """
    import aiosmtplib

    domain = content.sender.address.rpartition("@")[2]
    message_id = make_msgid(domain=domain)
    message = build_message(content, message_id=message_id)
    client = aiosmtplib.SMTP(
        hostname=settings.host,
        port=settings.port,
        use_tls=settings.security == "tls",
        start_tls=False,  # done in _secure, so a server without STARTTLS gets a clear error
        timeout=TIMEOUT_S,
    )
    stage = _Stage()
    try:
        await client.connect()
        await _secure(client, settings, stage)
        if settings.username is not None:
            stage.name = "auth"
            await client.login(settings.username, settings.password or "")
        stage.name = "send"
        await _transmit(client, content, message)
        with suppress(aiosmtplib.SMTPException, OSError):
            await client.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise _translate(exc, stage.name, settings) from exc
    finally:
        client.close()
    return message_id


@dataclass(slots=True)
class _Stage:
    """How far the conversation got (decides how a failure is classified)."""

    name: str = "connect"


async def _secure(client: aiosmtplib.SMTP, settings: SmtpSettings, stage: _Stage) -> None:
    """Upgrade with STARTTLS when ``security`` is ``starttls`` (required, never optional)."""
    if settings.security != "starttls":
        return
    stage.name = "tls"
    await client.ehlo()
    if not client.supports_extension("starttls"):
        raise NodeError(
            "email.connect",
            f"SMTP server {settings.address} does not offer STARTTLS; "
            "use security=tls for an implicit-TLS port, or security=none",
            retryable=False,
            details={"server": settings.address, "stage": "tls"},
        )
    await client.starttls()


async def _transmit(client: aiosmtplib.SMTP, content: EmailContent, message: EmailMessage) -> None:
    """MAIL, every RCPT, then DATA; a refused recipient resets the envelope (nothing sent)."""
    import aiosmtplib
    from aiosmtplib.email import flatten_message

    recipients = content.recipients
    utf8 = not all(a.isascii() for a in (content.sender.address, *recipients))
    if utf8 and not client.supports_extension("smtputf8"):
        raise aiosmtplib.SMTPNotSupported("the server cannot take non-ASCII addresses (SMTPUTF8)")
    options = ["SMTPUTF8"] if utf8 else []
    eight_bit = client.supports_extension("8bitmime")
    if eight_bit:
        options.append("BODY=8BITMIME")
    encoding = "utf-8" if utf8 else "ascii"
    await client.mail(content.sender.address, options=options, encoding=encoding)
    try:
        for recipient in recipients:
            await client.rcpt(recipient, encoding=encoding)
    except aiosmtplib.SMTPRecipientRefused:
        with suppress(aiosmtplib.SMTPException, OSError):
            await client.rset()
        raise
    cte_type = "8bit" if eight_bit else "7bit"
    await client.data(flatten_message(message, utf8=utf8, cte_type=cte_type))


# ------------------------------------------------------------------------------- errors


def _tls_failure(exc: BaseException) -> BaseException | None:
    import ssl

    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _refusal(exc: Exception, where: str) -> tuple[str, str] | None:
    """(type, message) when the server refused the sender, a recipient or the message."""
    import aiosmtplib

    reply = _reply_text(exc)
    if isinstance(exc, aiosmtplib.SMTPRecipientRefused):
        return "email.rejected", f"{where} refused recipient {exc.recipient}: {reply}"
    if isinstance(exc, aiosmtplib.SMTPSenderRefused):
        return "email.rejected", f"{where} refused sender {exc.sender}: {reply}"
    if isinstance(exc, aiosmtplib.SMTPDataError):
        return "email.rejected", f"{where} refused the message: {reply}"
    return None


def _classify(exc: Exception, stage: str, settings: SmtpSettings) -> tuple[str, str, bool]:
    """(type, message, retryable) of an SMTP failure; a 4xx reply is always retryable."""
    where = f"SMTP server {settings.address}"
    code = getattr(exc, "code", None)
    transient = isinstance(code, int) and 400 <= code <= 499
    reply = _reply_text(exc)
    if (tls := _tls_failure(exc)) is not None:
        return "email.connect", f"TLS with {where} failed: {tls}", False
    lost = isinstance(exc, ConnectionError | TimeoutError)
    if stage in ("connect", "tls") or lost:
        return "email.connect", f"could not talk to {where}: {reply}", True
    if stage == "auth":
        return (
            "email.auth",
            f"{where} refused the login of {settings.username!r}: {reply}",
            transient,
        )
    if code in _AUTH_CODES:
        return "email.auth", f"{where} requires a login (set username and password): {reply}", False
    if (refusal := _refusal(exc, where)) is not None:
        return (*refusal, transient)
    return "email.smtp", f"{where} failed: {reply}", transient


def _translate(exc: Exception, stage: str, settings: SmtpSettings) -> NodeError:
    """The one translation of an aiosmtplib/socket failure into a node error."""
    type_, message, retryable = _classify(exc, stage, settings)
    if settings.password and settings.password in message:
        message = message.replace(settings.password, "***")
    details: dict[str, Any] = {"server": settings.address, "stage": stage}
    if isinstance(code := getattr(exc, "code", None), int):
        details["code"] = code
    if (recipient := getattr(exc, "recipient", None)) is not None:
        details["recipient"] = recipient
    return NodeError(type_, message, retryable=retryable, details=details)


def _reply_text(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    text = str(getattr(exc, "message", "") or exc or type(exc).__name__)
    text = " ".join(text.split())
    return f"{code} {text}" if isinstance(code, int) else text
