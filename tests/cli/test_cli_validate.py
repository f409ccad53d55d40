"""``flowscript validate``, ``parse`` and ``inspect`` through a real subprocess."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

CliRunner = Callable[..., subprocess.CompletedProcess[str]]
WriteFlow = Callable[[str, str], Path]

VALID = """---
name: demo
version: "1.2"
description: A demo
config:
  limit:
    type: integer
    default: 3
secrets: [TOKEN]
---
<workflow>
  <source id="fetch-items" type="http" url="http://127.0.0.1:9/items">
    <headers>
      Authorization: Bearer {{ $secrets.TOKEN }}
    </headers>
  </source>
  <transform id="top" type="map" input="fetch-items" expression="item.id"/>
  <foreach id="each" collection="top">
    <set var="seen" value="{{ item }}"/>
  </foreach>
</workflow>
"""

BROKEN = """---
name: broken
version: "1.0"
---
<workflow>
  <source id="a" type="file" path="x.json"/>
  <transform id="a" type="template" template="{{ upperr(a) }}"/>
  <sink id="s" type="file" input="nope" path="out.json"/>
</workflow>
"""


def test_valid_file_prints_valid_and_node_count(
    flowscript: CliRunner, write_flow: WriteFlow
) -> None:
    path = write_flow("demo.flow.md", VALID)
    result = flowscript("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"Valid {path} (4 nodes)"


def test_invalid_file_shows_codes_locations_frames_and_hints(
    flowscript: CliRunner, write_flow: WriteFlow
) -> None:
    path = write_flow("broken.flow.md", BROKEN)
    result = flowscript("validate", str(path))
    assert result.returncode == 2
    err = result.stderr
    assert "error[VALID_DUPLICATE_NODE_ID]" in err
    assert f"--> {path}:7:" in err
    assert "error[EXPR_UNDEFINED_FUNCTION]" in err
    assert "did you mean" in err.lower() and "upper" in err
    assert "error[VALID_UNDEFINED_NODE_REF]" in err
    # code frame: the source line and a caret under it
    assert '<sink id="s" type="file" input="nope" path="out.json"/>' in err
    assert "^" in err
    assert "Traceback" not in err


def test_validate_json_output_lists_errors_with_positions(
    flowscript: CliRunner, write_flow: WriteFlow
) -> None:
    path = write_flow("broken.flow.md", BROKEN)
    result = flowscript("validate", "--format", "json", str(path))
    assert result.returncode == 2
    [report] = json.loads(result.stdout)
    assert report["file"] == str(path)
    assert report["valid"] is False
    codes = {(e["code"], e["line"]) for e in report["errors"]}
    assert ("VALID_DUPLICATE_NODE_ID", 7) in codes
    assert ("VALID_UNDEFINED_NODE_REF", 8) in codes
    for entry in report["errors"]:
        assert set(entry) >= {"code", "severity", "message", "line", "column", "hints"}


def test_strict_fails_on_warnings(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    path = write_flow(
        "warn.flow.md",
        VALID.replace("<workflow>", "<workflow>\n  <!-- c -->").replace(
            'url="http://127.0.0.1:9/items"', 'url="http://127.0.0.1:9/items" colour="red"'
        ),
    )
    assert flowscript("validate", str(path)).returncode == 0
    strict = flowscript("validate", "--strict", str(path))
    assert strict.returncode == 2
    assert "VALID_UNKNOWN_FIELD" in strict.stderr


def test_parse_prints_the_model_as_json(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    path = write_flow("demo.flow.md", VALID)
    result = flowscript("parse", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["name"] == "demo"
    assert data["version"] == "1.2"
    assert [n["id"] for n in data["nodes"]] == ["fetch-items", "top", "each"]
    assert data["nodes"][0]["kind"] == "http:source"
    assert data["nodes"][0]["line"] == 12


def test_parse_error_exits_2_with_location(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    path = write_flow(
        "bad.flow.md", "---\nname: x\nversion: '1.0'\n---\n<workflow>\n  <if>\n</workflow>\n"
    )
    result = flowscript("parse", str(path))
    assert result.returncode == 2
    assert "PARSE_XML_INVALID" in result.stderr
    assert str(path) in result.stderr


def test_inspect_shows_nodes_deps_waves_and_schema(
    flowscript: CliRunner, write_flow: WriteFlow
) -> None:
    path = write_flow("demo.flow.md", VALID)
    result = flowscript("inspect", str(path), "--deps", "--schema")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "demo 1.2" in out
    assert "limit: integer (default 3)" in out
    assert "Secrets: TOKEN" in out
    assert "top [transform:map] input=fetch-items  ← fetch-items" in out
    assert "0: fetch-items" in out
    assert "Runtime http:source:" in out and "url: " in out


def test_inspect_graph_is_a_mermaid_flowchart(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    path = write_flow("demo.flow.md", VALID)
    result = flowscript("inspect", str(path), "--graph")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert "  n_fetch_items --> n_top" in lines
    assert any(line.strip().startswith("subgraph n_each_body") for line in lines)


def test_inspect_json(flowscript: CliRunner, write_flow: WriteFlow) -> None:
    path = write_flow("demo.flow.md", VALID)
    data = json.loads(flowscript("inspect", str(path), "--format", "json").stdout)
    assert data["name"] == "demo"
    assert data["waves"][0] == ["fetch-items"]
    assert {n["id"]: n["dependencies"] for n in data["nodes"]}["each"] == ["top"]
