"""``flowscript run`` with an email sink, in a real subprocess: SMTP (aiosmtpd in this process,
STARTTLS and AUTH, the test CA trusted through SSL_CERT_FILE) and SendGrid (the local HTTP
server). Secrets come from the environment and appear nowhere: not in stdout/stderr, the state
file or the execution log written into the workflow file."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from smtpserver import LocalSmtpServer, TestCA

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

SMTP_PASSWORD = "smtp-pass-93c1e7"
SENDGRID_KEY = "SG.cli-key-5d2b8a"

SMTP_FLOW = """---
name: mailer
version: "1.0"
config:
  port:
    type: integer
    required: true
secrets: [SMTP_PASSWORD]
---
<workflow>
  <transform id="summary" template='{"total": 3, "ok": true}'/>
  <sink id="mail" type="email" input="summary" host="127.0.0.1" port="{{ $config.port }}"
        username="ann" password="{{ $secrets.SMTP_PASSWORD }}"
        from="Flow Bot &lt;bot@example.com&gt;" to="ann@example.com" bcc="boss@example.com"
        subject="Total {{ summary.total }}"/>
</workflow>
"""

SENDGRID_FLOW = """---
name: sendgrid-mailer
version: "1.0"
config:
  endpoint:
    type: string
    required: true
secrets: [SENDGRID_API_KEY]
---
<workflow>
  <sink id="mail" type="email" provider="sendgrid" api-key="{{ $secrets.SENDGRID_API_KEY }}"
        endpoint="{{ $config.endpoint }}" from="bot@example.com" to="ann@example.com"
        subject="Hello" text="Hello from the CLI"/>
</workflow>
"""


@pytest.fixture
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def smtp(ca: TestCA) -> Iterator[LocalSmtpServer]:
    server = LocalSmtpServer(users={"ann": SMTP_PASSWORD}, ca=ca)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def assert_secret_nowhere(
    secret: str, result: subprocess.CompletedProcess[str], root: Path
) -> None:
    assert secret not in result.stdout + result.stderr
    written = [path for path in root.rglob("*") if path.is_file()]
    assert any(path.suffix == ".json" for path in written)  # the state file exists
    for path in written:
        assert secret not in path.read_text(encoding="utf-8", errors="replace"), path


def test_smtp_sink_sends_with_secrets_from_the_environment(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, smtp: LocalSmtpServer, ca: TestCA
) -> None:
    flow = write_flow("mail.flow.md", SMTP_FLOW)
    env = {"SMTP_PASSWORD": SMTP_PASSWORD, "SSL_CERT_FILE": str(ca.ca_file)}
    result = flowscript("run", str(flow), "-c", f"port={smtp.port}", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    [received] = smtp.messages
    message = received.parsed()
    assert document["outputs"]["mail"] == {
        "provider": "smtp",
        "messageId": message["Message-ID"],
        "accepted": ["ann@example.com", "boss@example.com"],
    }
    assert (received.login, received.tls) == ("ann", True)
    assert received.rcpt_tos == ["ann@example.com", "boss@example.com"]
    assert (message["Subject"], message["Bcc"]) == ("Total 3", None)
    assert message.get_content() == '{\n  "total": 3,\n  "ok": true\n}\n'
    assert "| mail | success |" in flow.read_text(encoding="utf-8")  # the execution log
    assert_secret_nowhere(SMTP_PASSWORD, result, tmp_path)


def test_smtp_wrong_password_fails_without_leaking_it(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, smtp: LocalSmtpServer, ca: TestCA
) -> None:
    wrong = "wrong-pass-4f0aa2"
    flow = write_flow("mail.flow.md", SMTP_FLOW)
    env = {"SMTP_PASSWORD": wrong, "SSL_CERT_FILE": str(ca.ca_file)}
    result = flowscript("run", str(flow), "-c", f"port={smtp.port}", "--format", "json", env=env)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert (error["node"], error["type"]) == ("mail", "email.auth")
    assert smtp.messages == []
    assert_secret_nowhere(wrong, result, tmp_path)


def test_sendgrid_sink_sends_with_the_api_key_from_the_environment(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/v3/mail/send", status=202, headers={"X-Message-Id": "sg-msg-1"})
    flow = write_flow("sendgrid.flow.md", SENDGRID_FLOW)
    endpoint = f"{http_server.url}/v3/mail/send"
    env = {"SENDGRID_API_KEY": SENDGRID_KEY}
    result = flowscript("run", str(flow), "-c", f"endpoint={endpoint}", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outputs"]["mail"] == {
        "provider": "sendgrid",
        "messageId": "sg-msg-1",
        "accepted": ["ann@example.com"],
    }
    [request] = http_server.requests
    assert request.headers["authorization"] == f"Bearer {SENDGRID_KEY}"
    assert request.json()["content"] == [{"type": "text/plain", "value": "Hello from the CLI"}]
    assert_secret_nowhere(SENDGRID_KEY, result, tmp_path)


def test_sendgrid_refusal_is_reported_without_the_key(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/v3/mail/send", status=401, body={"errors": [{"message": "bad key"}]})
    flow = write_flow("sendgrid.flow.md", SENDGRID_FLOW)
    endpoint = f"{http_server.url}/v3/mail/send"
    env = {"SENDGRID_API_KEY": SENDGRID_KEY}
    result = flowscript("run", str(flow), "-c", f"endpoint={endpoint}", "--format", "json", env=env)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert (error["type"], error["message"]) == (
        "email.auth",
        "SendGrid refused the API key with HTTP 401: bad key",
    )
    assert_secret_nowhere(SENDGRID_KEY, result, tmp_path)
