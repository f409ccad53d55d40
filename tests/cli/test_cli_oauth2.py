"""``flowscript run`` with OAuth2 client-credentials auth, in a real subprocess, against the
local HTTP server as token endpoint and API: one token request for the whole run, and neither
the client secret nor the access token anywhere in the output, state file or execution log."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

CLIENT_SECRET = "oauth-client-secret-6a1f"
ACCESS_TOKEN = "access-token-b7e2c9d4"

FLOW = """---
name: oauth2-client
version: "1.0"
config:
  base:
    type: string
    required: true
secrets: [CLIENT_SECRET]
---
<workflow>
  <source id="items" type="http" url="{{ $config.base }}/api/items" extract="items">
    <auth>
      type: oauth2
      token-url: "{{ $config.base }}/token"
      client-id: flow-client
      client-secret: "{{ $secrets.CLIENT_SECRET }}"
      scope: items.read
    </auth>
  </source>
  <sink id="report" type="http" input="items" url="{{ $config.base }}/api/report">
    <auth>
      type: oauth2
      token-url: "{{ $config.base }}/token"
      client-id: flow-client
      client-secret: "{{ $secrets.CLIENT_SECRET }}"
      scope: items.read
    </auth>
  </sink>
</workflow>
"""


def run(flowscript: CliRunner, flow: Path, server: Any) -> subprocess.CompletedProcess[str]:
    env = {"CLIENT_SECRET": CLIENT_SECRET}
    return flowscript("run", str(flow), "-c", f"base={server.url}", "--format", "json", env=env)


def assert_nowhere(secrets: tuple[str, ...], result: Any, root: Path) -> None:
    written = [path for path in root.rglob("*") if path.is_file()]
    assert any(path.suffix == ".json" for path in written)  # the state file exists
    for secret in secrets:
        assert secret not in result.stdout + result.stderr
        for path in written:
            assert secret not in path.read_text(encoding="utf-8", errors="replace"), path


def test_oauth2_run_fetches_one_token_and_leaks_nothing(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    http_server.route("/token", body={"access_token": ACCESS_TOKEN, "expires_in": 3600})
    http_server.route("/api/items", body={"items": [{"id": 1}, {"id": 2}]})
    http_server.route("/api/report", status=201, body={"stored": 2})
    flow = write_flow("oauth2.flow.md", FLOW)
    result = run(flowscript, flow, http_server)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["outputs"]["items"] == [{"id": 1}, {"id": 2}]
    assert document["outputs"]["report"]["status"] == 201
    assert [r.path for r in http_server.requests] == ["/token", "/api/items", "/api/report"]
    token_request = http_server.requests[0]
    assert parse_qs(token_request.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["items.read"],
    }
    assert token_request.headers["authorization"].startswith("Basic ")
    api_auth = [r.headers["authorization"] for r in http_server.requests[1:]]
    assert api_auth == [f"Bearer {ACCESS_TOKEN}"] * 2
    assert "| report | success |" in flow.read_text(encoding="utf-8")  # the execution log
    assert_nowhere((CLIENT_SECRET, ACCESS_TOKEN), result, tmp_path)


def test_a_refused_client_fails_the_run_without_leaking_the_secret(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path, http_server: Any
) -> None:
    http_server.route(
        "/token",
        status=401,
        body={"error": "invalid_client", "error_description": "unknown client"},
    )
    flow = write_flow("oauth2.flow.md", FLOW)
    result = run(flowscript, flow, http_server)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert (error["node"], error["type"]) == ("items", "auth.token")
    assert error["message"].endswith("with HTTP 401: invalid_client: unknown client")
    assert_nowhere((CLIENT_SECRET,), result, tmp_path)
