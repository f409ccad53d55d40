"""The email sink over SMTP (runtimes.md §5) against a real aiosmtpd server in this process,
with AUTH, STARTTLS and implicit TLS using a throwaway CA (trusted through SSL_CERT_FILE)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from smtpserver import LocalSmtpServer, TestCA, free_port

from flowscript.errors import NodeError
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.email import EmailSinkRuntime

PASSWORD = "pw-correct-horse"
USERS = {"ann": PASSWORD}

MakeServer = Callable[..., LocalSmtpServer]


@pytest.fixture
def ca(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> TestCA:
    authority = TestCA(tmp_path_factory.mktemp("ca"))
    monkeypatch.setenv("SSL_CERT_FILE", str(authority.ca_file))
    return authority


@pytest.fixture
def smtp_server() -> Iterator[MakeServer]:
    """Start SMTP servers for a test (``smtp_server(users=…, ca=…)``); all stop after it."""
    started: list[LocalSmtpServer] = []

    def make(**kwargs: Any) -> LocalSmtpServer:
        server = LocalSmtpServer(**kwargs)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


async def send(context: RuntimeContext, input_value: Any = None, **config: Any) -> Any:
    base = {"from": "Flow Bot <bot@example.com>", "to": "ann@example.com"}
    coerced = coerce_config("email:sink", {**base, **config})
    request = NodeRequest(node_id="mail", kind="email:sink", config=coerced, input=input_value)
    return await EmailSinkRuntime().run(request, context)


def server_config(server: LocalSmtpServer, **extra: Any) -> dict[str, Any]:
    return {"host": "127.0.0.1", "port": server.port, **extra}


async def test_starttls_with_auth_delivers_the_whole_message(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext, tmp_path: Path
) -> None:
    server = smtp_server(users=USERS, ca=ca)
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4 fake\x00\xff")
    result = await send(
        context,
        **server_config(server, username="ann", password=PASSWORD),
        to="Ann <ann@example.com>, bob@example.com",
        cc="carol@example.com",
        bcc="dave@example.com",
        subject="Weekly report – ready",
        text="Grüße, see attached",
        html="<p>Grüße</p>",
        attachments="report.pdf",
    )
    [received] = server.messages
    assert (received.mail_from, received.login, received.tls) == ("bot@example.com", "ann", True)
    recipients = ["ann@example.com", "bob@example.com", "carol@example.com", "dave@example.com"]
    assert received.rcpt_tos == recipients
    message = received.parsed()
    assert message["From"] == "Flow Bot <bot@example.com>"
    assert message["To"] == "Ann <ann@example.com>, bob@example.com"
    assert message["Cc"] == "carol@example.com"
    assert message["Bcc"] is None and b"dave@" not in received.data
    assert message["Subject"] == "Weekly report – ready"
    assert message.get_body(("plain",)).get_content() == "Grüße, see attached\n"
    assert message.get_body(("html",)).get_content() == "<p>Grüße</p>\n"
    [attachment] = message.iter_attachments()
    assert (attachment.get_filename(), attachment.get_content_type()) == (
        "report.pdf",
        "application/pdf",
    )
    assert attachment.get_content() == b"%PDF-1.4 fake\x00\xff"
    assert result == {
        "provider": "smtp",
        "messageId": message["Message-ID"],
        "accepted": recipients,
    }
    assert result["messageId"].endswith("@example.com>")


async def test_default_body_is_the_input_as_json(
    smtp_server: MakeServer, context: RuntimeContext
) -> None:
    server = smtp_server()
    await send(context, {"total": 2}, **server_config(server, security="none"))
    [received] = server.messages
    assert received.tls is False
    assert received.parsed().get_content() == '{\n  "total": 2\n}\n'


@pytest.mark.parametrize(
    "settings",
    [
        {"security": "tls", "username": "ann", "password": PASSWORD},
        {"url": "smtps://ann:{password}@127.0.0.1:{port}"},
    ],
    ids=["security-tls", "smtps-url"],
)
async def test_implicit_tls(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext, settings: dict[str, Any]
) -> None:
    server = smtp_server(users=USERS, ca=ca, implicit_tls=True)
    if "url" in settings:
        settings = {"url": settings["url"].format(password=PASSWORD, port=server.port)}
    else:
        settings = server_config(server, **settings)
    await send(context, text="over TLS", **settings)
    [received] = server.messages
    assert (received.tls, received.login) == (True, "ann")


async def test_smtp_url_with_encoded_password_uses_starttls(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext
) -> None:
    server = smtp_server(users={"ann@example.com": "p@ss:w/rd"}, ca=ca)
    url = f"smtp://ann%40example.com:p%40ss%3Aw%2Frd@127.0.0.1:{server.port}"
    await send(context, text="hi", url=url)
    [received] = server.messages
    assert (received.tls, received.login) == (True, "ann@example.com")


async def test_url_password_may_come_from_its_own_field(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext
) -> None:
    server = smtp_server(users=USERS, ca=ca)
    await send(context, text="hi", url=f"smtp://ann@127.0.0.1:{server.port}", password=PASSWORD)
    assert [m.login for m in server.messages] == ["ann"]


async def test_wrong_password_is_email_auth(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext
) -> None:
    server = smtp_server(users=USERS, ca=ca)
    with pytest.raises(NodeError) as info:
        await send(context, **server_config(server, username="ann", password="wrong-password"))
    error = info.value
    assert (error.type, error.retryable) == ("email.auth", False)
    assert error.message.startswith(f"SMTP server 127.0.0.1:{server.port} refused the login")
    assert "wrong-password" not in error.message + str(error.details)
    assert server.messages == []


async def test_a_rejected_recipient_fails_and_nothing_is_sent(
    smtp_server: MakeServer, context: RuntimeContext
) -> None:
    server = smtp_server(reject={"ghost@example.com": "550 5.1.1 <ghost@example.com>: unknown"})
    with pytest.raises(NodeError) as info:
        await send(
            context,
            **server_config(server, security="none"),
            to="ann@example.com, ghost@example.com, bob@example.com",
        )
    error = info.value
    assert (error.type, error.retryable) == ("email.rejected", False)
    assert error.message == (
        f"SMTP server 127.0.0.1:{server.port} refused recipient ghost@example.com: "
        "550 5.1.1 <ghost@example.com>: unknown"
    )
    assert error.details["recipient"] == "ghost@example.com"
    assert error.details["code"] == 550
    assert server.messages == []  # all or nothing: the others did not get it either


async def test_a_transient_refusal_is_retryable(
    smtp_server: MakeServer, context: RuntimeContext
) -> None:
    server = smtp_server(reject={"ann@example.com": "450 4.2.1 mailbox busy, try later"})
    with pytest.raises(NodeError) as info:
        await send(context, **server_config(server, security="none"))
    assert (info.value.type, info.value.retryable) == ("email.rejected", True)


async def test_an_unreachable_server_is_email_connect(context: RuntimeContext) -> None:
    with pytest.raises(NodeError) as info:
        await send(context, host="127.0.0.1", port=free_port(), security="none")
    error = info.value
    assert (error.type, error.retryable) == ("email.connect", True)
    assert error.message.startswith("could not talk to SMTP server 127.0.0.1:")


async def test_starttls_is_required_when_asked(
    smtp_server: MakeServer, context: RuntimeContext
) -> None:
    server = smtp_server()  # no certificate: the server does not offer STARTTLS
    with pytest.raises(NodeError, match="does not offer STARTTLS") as info:
        await send(context, **server_config(server))
    assert (info.value.type, info.value.retryable) == ("email.connect", False)
    assert server.messages == []


async def test_an_untrusted_certificate_is_not_retried(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = smtp_server(ca=ca)
    monkeypatch.delenv("SSL_CERT_FILE")
    with pytest.raises(NodeError, match=r"TLS with SMTP server .* failed") as info:
        await send(context, **server_config(server))
    assert (info.value.type, info.value.retryable) == ("email.connect", False)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({}, "field 'host': an SMTP server is required"),
        ({"url": "http://u:hunter22@example.com"}, "field 'url': expected smtp://"),
        ({"url": "smtp://u:hunter22@example.com:notaport"}, "field 'url': expected smtp://"),
        ({"provider": "sendgrid"}, "field 'api-key': SendGrid needs an API key"),
    ],
    ids=["no-host", "wrong-scheme", "bad-port", "sendgrid-without-key"],
)
async def test_config_errors(context: RuntimeContext, config: dict[str, Any], match: str) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await send(context, **config)
    assert info.value.type == "config.invalid"
    assert "hunter22" not in info.value.message


async def test_invalid_address_fails_before_connecting(context: RuntimeContext) -> None:
    with pytest.raises(NodeError) as info:
        await send(context, host="127.0.0.1", port=free_port(), to="not-an-address")
    assert info.value.type == "email.invalid_address"


async def test_a_server_requiring_auth_without_credentials_is_email_auth(
    smtp_server: MakeServer, ca: TestCA, context: RuntimeContext
) -> None:
    server = smtp_server(users=USERS, ca=ca)
    with pytest.raises(NodeError) as info:
        await send(context, **server_config(server))
    error = info.value
    assert (error.type, error.retryable, error.details["code"]) == ("email.auth", False, 530)
    assert "requires a login (set username and password): 530" in error.message
