"""Secret values never reach the terminal, the state file or the log (format.md §2.2)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

SECRET = "supersecret-4711"

FLOW = """---
name: secretive
version: "1.0"
secrets: [API_TOKEN]
---
<workflow>
  <transform id="leak" type="template" template="token is {{ $secrets.API_TOKEN }}"/>
  <source id="fail" type="file" input="leak" path="missing-{{ $secrets.API_TOKEN }}.json"/>
</workflow>
"""


def test_secret_values_are_redacted_everywhere(
    flowscript: CliRunner, write_flow: WriteFlow, tmp_path: Path
) -> None:
    flow = write_flow("secretive.flow.md", FLOW)
    env = {"API_TOKEN": SECRET}
    text = flowscript("run", str(flow), env=env)
    as_json = flowscript("run", str(flow), "--format", "json", env=env)
    assert text.returncode == 1 and as_json.returncode == 1
    for result in (text, as_json):
        assert SECRET not in result.stdout + result.stderr
    document = json.loads(as_json.stdout)
    assert document["outputs"]["leak"] == "token is ***"
    assert "***" in document["error"]["message"]
    assert "***" in text.stdout + text.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".json" for p in written)  # the state files exist ...
    for path in written:
        assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
