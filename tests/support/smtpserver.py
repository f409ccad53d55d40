"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, in its own thread.

It records every message it accepts (envelope sender and recipients, the raw bytes, the
login used), can require AUTH (LOGIN/PLAIN), offer STARTTLS or speak implicit TLS with a
certificate from a throwaway CA (``trustme``), and refuse chosen recipients.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class ReceivedMessage:
    """One accepted message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None
    tls: bool

    def parsed(self) -> EmailMessage:
        """The message parsed with the modern email policy (wire CRLFs read as newlines)."""
        message = message_from_bytes(self.data.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


@dataclass
class _Handler:
    reject: dict[str, str] = field(default_factory=dict)
    messages: list[ReceivedMessage] = field(default_factory=list)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            return self.reject[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        login = session.auth_data
        content = envelope.original_content or b""
        self.messages.append(
            ReceivedMessage(
                mail_from=str(envelope.mail_from),
                rcpt_tos=list(envelope.rcpt_tos),
                data=bytes(content),
                login=login.decode() if isinstance(login, bytes) else login,
                tls=_is_tls(server),
            )
        )
        return "250 2.0.0 Message accepted for delivery"


def _is_tls(server: SMTP) -> bool:
    transport = server.transport
    return transport is not None and transport.get_extra_info("ssl_object") is not None


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if self.users.get(user) == password:
                return AuthResult(success=True, auth_data=user.encode())
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TestCA:
    """A throwaway certificate authority and a server certificate for 127.0.0.1."""

    __test__ = False  # not a test class, despite the name

    def __init__(self, folder: Path) -> None:
        self._ca = trustme.CA()
        self._cert = self._ca.issue_cert("127.0.0.1", "localhost")
        self.ca_file = folder / "test-ca.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context presenting the 127.0.0.1 certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context


class _TestSMTP(SMTP):
    """aiosmtpd's server, allowing AUTH without STARTTLS: over implicit TLS (which aiosmtpd
    does not count as TLS) and in plain-text tests. Set after ``__init__``, because asking for
    it there emits a warning, and tests turn warnings into errors."""

    def __init__(self, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._auth_require_tls = False


class _Controller(Controller):
    def factory(self) -> SMTP:
        return _TestSMTP(self.handler, **self.SMTP_kwargs)


class LocalSmtpServer:
    """aiosmtpd on 127.0.0.1 with a free port.

    Args:
        users: accepted logins (user → password); with users, AUTH LOGIN/PLAIN is offered
            and required before MAIL.
        ca: a :class:`TestCA`, to offer STARTTLS (``implicit_tls=False``) or to speak TLS
            from the first byte (``implicit_tls=True``).
        reject: recipient → SMTP reply (``"550 5.1.1 no such user"``) for refused recipients.
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        ca: TestCA | None = None,
        implicit_tls: bool = False,
        reject: dict[str, str] | None = None,
    ) -> None:
        self.handler = _Handler(reject=dict(reject or {}))
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if users:
            kwargs |= {"authenticator": _Authenticator(users), "auth_required": True}
        if ca is not None and implicit_tls:
            kwargs["ssl_context"] = ca.server_context()
        elif ca is not None:
            kwargs["tls_context"] = ca.server_context()
        self._controller = _Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    @property
    def messages(self) -> list[ReceivedMessage]:
        """Accepted messages, in order."""
        return self.handler.messages

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()
