"""File source and sink runtimes on real files under ``tmp_path``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes._paths import resolve_in_root
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.file import FileSinkRuntime, FileSourceRuntime

ROWS = [{"id": 1, "name": "Ann", "ok": True}, {"id": 2, "name": "Bo, Jr.", "score": 2.5}]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "root"
    folder.mkdir()
    return folder


def _context(root: Path) -> RuntimeContext:
    return RuntimeContext(root=root, workflow_dir=root)


async def read(root: Path, **config: Any) -> Any:
    request = NodeRequest(
        node_id="src", kind="file:source", config=coerce_config("file:source", config), input=None
    )
    return await FileSourceRuntime().run(request, _context(root))


async def write(root: Path, value: Any, **config: Any) -> Any:
    request = NodeRequest(
        node_id="out", kind="file:sink", config=coerce_config("file:sink", config), input=value
    )
    return await FileSinkRuntime().run(request, _context(root))


# ------------------------------------------------------------------------------------ reading


@pytest.mark.parametrize(
    ("name", "content", "extra", "expected"),
    [
        ("a.json", '{"n": 1, "x": [1.5, null]}', {}, {"n": 1, "x": [1.5, None]}),
        ("a.jsonl", '{"a": 1}\n\n{"a": 2}\n', {}, [{"a": 1}, {"a": 2}]),
        ("a.ndjson", "1\n2\n", {}, [1, 2]),
        (
            "a.csv",
            "id,name\n1,Ann\n2,Bo\n",
            {},
            [{"id": "1", "name": "Ann"}, {"id": "2", "name": "Bo"}],
        ),
        (
            "a.csv",
            "n,f,b,z,e,s\n42,-1.5,TRUE,007,,x\n",
            {"types": "infer"},
            [{"n": 42, "f": -1.5, "b": True, "z": "007", "e": None, "s": "x"}],
        ),
        ("a.tsv", "k\tv\nx\t1\n", {}, [{"k": "x", "v": "1"}]),
        ("a.tsv", "k\tv\nx\t1\n", {"types": "infer"}, [{"k": "x", "v": 1}]),
        (
            "a.yaml",
            "a: 1\nwhen: 2024-01-02\nl: [x]\n",
            {},
            {"a": 1, "when": "2024-01-02", "l": ["x"]},
        ),
        ("a.yml", "- 1\n- two\n", {}, [1, "two"]),
        ("a.txt", "hello\nworld\n", {}, "hello\nworld\n"),
        ("a.md", "# Title\n", {}, "# Title\n"),
        ("a.unknown", '{"not": "parsed"}', {}, '{"not": "parsed"}'),
        ("a.txt", "l1\nl2\r\nl3", {"format": "lines"}, ["l1", "l2", "l3"]),
        ("data.dat", "[1, 2]", {"format": "json"}, [1, 2]),
        ("quoted.csv", 'a,b\n"x, y","multi\nline"\n', {}, [{"a": "x, y", "b": "multi\nline"}]),
        ("short.csv", "a,b,c\n1\n", {}, [{"a": "1", "b": None, "c": None}]),
        ("empty.csv", "", {}, []),
    ],
    ids=[
        "json",
        "jsonl",
        "ndjson",
        "csv-strings",
        "csv-infer",
        "tsv",
        "tsv-infer",
        "yaml",
        "yml",
        "txt",
        "md",
        "unknown-ext",
        "lines",
        "explicit-format",
        "csv-quoting",
        "csv-short-row",
        "csv-empty",
    ],
)
async def test_read_formats(root, name, content, extra, expected) -> None:
    (root / name).write_text(content, encoding="utf-8", newline="")
    assert await read(root, path=name, **extra) == expected


async def test_read_strips_utf8_bom(root) -> None:
    (root / "bom.csv").write_bytes(b"\xef\xbb\xbfid\n1\n")
    assert await read(root, path="bom.csv") == [{"id": "1"}]


async def test_read_other_encoding(root) -> None:
    (root / "latin.txt").write_bytes("café".encode("latin-1"))
    assert await read(root, path="latin.txt", encoding="latin-1") == "café"


async def test_missing_file(root) -> None:
    with pytest.raises(NodeError, match=r"nope\.json: file not found") as info:
        await read(root, path="nope.json")
    assert info.value.type == "file.not_found"
    assert info.value.retryable is False


@pytest.mark.parametrize(
    ("name", "content", "match", "line"),
    [
        ("bad.json", '{\n  "a": 1,\n  oops\n}', "line 3, column 3: invalid JSON", 3),
        ("bad.jsonl", '{"a": 1}\n{"a": \n', "line 2, column 7: invalid JSON line", 2),
        ("bad.csv", "a,b\n1,2\n1,2,3\n", "line 3: row has 3 cells", 3),
        ("bad.yaml", "a: 1\nb: [1, 2\n", "invalid YAML", 3),
        ("bin.txt", b"ok\n\xff\xfe", "line 2: cannot decode as utf-8", 2),
    ],
    ids=["json", "jsonl", "csv-long-row", "yaml", "undecodable"],
)
async def test_parse_errors_give_the_line(root, name, content, match, line) -> None:
    path = root / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    with pytest.raises(NodeError, match=match) as info:
        await read(root, path=name)
    assert info.value.type == "file.parse"
    assert info.value.details["line"] == line


async def test_yaml_alias_bomb_is_refused(root, monkeypatch) -> None:
    from flowscript.runtimes import _formats

    monkeypatch.setattr(_formats, "_MAX_YAML_NODES", 1000)
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    pairs = zip("abcd", "bcde", strict=True)
    levels += [f"{c}: &{c} [{', '.join(['*' + p] * 10)}]" for p, c in pairs]
    (root / "bomb.yaml").write_text("\n".join(levels) + "\n")
    with pytest.raises(NodeError, match="too many values"):
        await read(root, path="bomb.yaml")


async def test_unknown_encoding_is_config_invalid(root) -> None:
    (root / "a.txt").write_text("x")
    with pytest.raises(NodeError, match="unknown encoding 'klingon'") as info:
        await read(root, path="a.txt", encoding="klingon")
    assert info.value.type == "config.invalid"


async def test_reading_a_folder(root) -> None:
    (root / "sub").mkdir()
    with pytest.raises(NodeError, match="sub is a folder") as info:
        await read(root, path="sub")
    assert info.value.type == "file.is_directory"


# ------------------------------------------------------------------------------------ writing


@pytest.mark.parametrize(
    ("name", "value", "extra", "text", "fmt"),
    [
        ("o.json", {"a": [1, 2.0]}, {}, '{\n  "a": [\n    1,\n    2\n  ]\n}\n', "json"),
        ("o.json", {"a": 0.1 + 0.2}, {"pretty": "false"}, '{"a":0.30000000000000004}\n', "json"),
        ("o.txt", [1, "x"], {}, '[\n  1,\n  "x"\n]\n', "json"),
        ("o.json", "plain text", {}, "plain text", "text"),
        ("o.jsonl", [{"a": 1}, {"b": 2}], {}, '{"a":1}\n{"b":2}\n', "jsonl"),
        ("o.csv", ROWS, {}, 'id,name,ok,score\n1,Ann,true,\n2,"Bo, Jr.",,2.5\n', "csv"),
        ("o.tsv", {"k": "v", "n": [1]}, {}, "k\tn\nv\t[1]\n", "tsv"),
        ("o.yaml", {"a": [1, "x"]}, {}, "a:\n- 1\n- x\n", "yaml"),
        ("o.out", [1, None, "z"], {"format": "lines"}, "1\n\nz\n", "lines"),
        ("o.out", 12.0, {"format": "text"}, "12", "text"),
        ("o.out", {"x": 1}, {"format": "text", "pretty": "no"}, '{"x":1}', "text"),
        ("o.md", None, {}, "null\n", "json"),
    ],
    ids=[
        "json-pretty",
        "json-compact",
        "auto-array-json",
        "auto-string-text",
        "jsonl",
        "csv-union",
        "tsv-nested",
        "yaml",
        "lines",
        "text-number",
        "text-object",
        "null",
    ],
)
async def test_write_formats(root, name, value, extra, text, fmt) -> None:
    result = await write(root, value, path=name, **extra)
    written = (root / name).read_bytes()
    assert written.decode() == text
    assert result == {"path": name, "bytes": len(written), "format": fmt}


@pytest.mark.parametrize(
    ("name", "fmt", "value"),
    [
        ("r.json", "json", {"a": [1, 2.5, None, True], "b": "ü"}),
        ("r.jsonl", "jsonl", [{"a": 1}, [2], "three"]),
        ("r.csv", "csv", [{"a": "1", "b": "x,y"}, {"a": "2", "b": 'quote " here'}]),
        ("r.tsv", "tsv", [{"a": "1", "b": "x y"}]),
        ("r.yaml", "yaml", {"nested": {"list": [1, "two", None]}, "flag": False}),
        ("r.txt", "text", "line one\nline two\n"),
        ("r.lst", "lines", ["a", "b", "c"]),
    ],
    ids=["json", "jsonl", "csv", "tsv", "yaml", "text", "lines"],
)
async def test_round_trip(root, name, fmt, value) -> None:
    await write(root, value, path=name, format=fmt)
    assert await read(root, path=name, format=fmt) == value


async def test_output_path_is_relative_to_root_and_normalised(root) -> None:
    result = await write(root, {"a": 1}, path="./deep/er/../x.json")
    assert result["path"] == "deep/x.json"
    assert (root / "deep" / "x.json").is_file()


async def test_create_dirs_false(root) -> None:
    with pytest.raises(NodeError, match="the folder does not exist") as info:
        await write(root, "x", path="missing/o.txt", **{"create-dirs": "false"})
    assert info.value.type == "file.not_found"
    assert not (root / "missing").exists()


async def test_failing_serialisation_leaves_previous_file(root) -> None:
    target = root / "keep.csv"
    target.write_text("id\n1\n")
    with pytest.raises(NodeError, match="needs an object or a list of objects") as info:
        await write(root, [1, 2, 3], path="keep.csv")
    assert info.value.type == "file.serialize"
    assert target.read_text() == "id\n1\n"
    assert sorted(p.name for p in root.iterdir()) == ["keep.csv"]


async def test_overwrite_replaces_and_keeps_permissions(root) -> None:
    target = root / "o.txt"
    target.write_text("old content that is longer")
    target.chmod(0o640)
    await write(root, "new", path="o.txt")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in root.iterdir()) == ["o.txt"]


async def test_write_through_symlink_inside_root_keeps_link(root) -> None:
    (root / "data").mkdir()
    (root / "data" / "real.txt").write_text("old")
    (root / "link.txt").symlink_to(root / "data" / "real.txt")
    result = await write(root, "new", path="link.txt")
    assert (root / "link.txt").is_symlink()
    assert (root / "data" / "real.txt").read_text() == "new"
    assert result["path"] == "link.txt"


@pytest.mark.parametrize(
    ("name", "first", "second", "expected"),
    [
        ("a.jsonl", [{"a": 1}], {"a": 2}, '{"a":1}\n{"a":2}\n'),
        ("a.json", {"a": 1}, [2], '{"a":1}\n[2]\n'),
        ("a.txt", "one\n", "two\n", "one\ntwo\n"),
        ("a.csv", [{"x": 1, "y": 2}], [{"y": 3, "x": 4}], "x,y\n1,2\n4,3\n"),
    ],
    ids=["jsonl", "json-lines", "text", "csv-header-once"],
)
async def test_append(root, name, first, second, expected) -> None:
    await write(root, first, path=name, mode="append")
    await write(root, second, path=name, mode="append")
    assert (root / name).read_text() == expected


async def test_concurrent_appends_never_interleave(root) -> None:
    import asyncio

    rows = [{"n": i, "pad": "x" * 5000} for i in range(20)]
    await asyncio.gather(*(write(root, row, path="log.jsonl", mode="append") for row in rows))
    written = await read(root, path="log.jsonl")
    assert sorted(row["n"] for row in written) == list(range(20))
    assert all(row["pad"] == "x" * 5000 for row in written)


async def test_append_reports_appended_bytes(root) -> None:
    (root / "log.txt").write_text("12345")
    result = await write(root, "abc", path="log.txt", mode="append")
    assert result == {"path": "log.txt", "bytes": 3, "format": "text"}
    assert (root / "log.txt").read_text() == "12345abc"


async def test_append_csv_with_unknown_column_fails(root) -> None:
    (root / "t.csv").write_text("x,y\n1,2\n")
    with pytest.raises(NodeError, match="column 'z' is not in the file's existing header"):
        await write(root, {"x": 1, "z": 3}, path="t.csv", mode="append")
    assert (root / "t.csv").read_text() == "x,y\n1,2\n"


async def test_write_other_encoding(root) -> None:
    await write(root, "café", path="l.txt", encoding="latin-1")
    assert (root / "l.txt").read_bytes() == "café".encode("latin-1")


async def test_unencodable_output(root) -> None:
    with pytest.raises(NodeError, match="cannot be encoded as ascii") as info:
        await write(root, "café", path="a.txt", encoding="ascii")
    assert info.value.type == "file.serialize"
    assert not (root / "a.txt").exists()


async def test_undefined_cannot_be_written_as_json(root) -> None:
    from flowscript.expressions.values import UNDEFINED

    with pytest.raises(NodeError, match="no value to write"):
        await write(root, UNDEFINED, path="u.json")


# ------------------------------------------------------------------------------------ sandbox


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("../outside.txt", "leaves the base folder"),
        ("a/../../outside.txt", "leaves the base folder"),
        ("/etc/passwd", "leaves the base folder"),
        ("ok\x00.txt", "contains a NUL byte"),
        ("C:\\Windows\\win.ini", "Windows drive"),
        ("c:/x.txt", "Windows drive"),
        ("\\\\server\\share\\x", "network path"),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "nul", "drive-backslash", "drive-slash", "unc"],
)
@pytest.mark.parametrize("operation", ["read", "write"])
async def test_escapes_are_refused(root, path, match, operation) -> None:
    (root.parent / "outside.txt").write_text("secret")
    with pytest.raises(NodeError, match=match) as info:
        if operation == "read":
            await read(root, path=path)
        else:
            await write(root, "x", path=path)
    assert info.value.type == "file.path_outside_root"
    assert info.value.retryable is False
    assert (root.parent / "outside.txt").read_text() == "secret"


@pytest.mark.parametrize("operation", ["read", "write"])
async def test_symlink_leading_outside_is_refused(root, operation) -> None:
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("secret")
    (root / "escape").symlink_to(outside, target_is_directory=True)
    with pytest.raises(NodeError, match="through a symbolic link") as info:
        if operation == "read":
            await read(root, path="escape/x.txt")
        else:
            await write(root, "x", path="escape/x.txt")
    assert info.value.type == "file.path_outside_root"
    assert (outside / "x.txt").read_text() == "secret"


async def test_absolute_path_inside_root_is_allowed(root) -> None:
    (root / "in.txt").write_text("inside")
    assert await read(root, path=str(root / "in.txt")) == "inside"


def test_resolve_in_root_relative_root(root, monkeypatch) -> None:
    monkeypatch.chdir(root.parent)
    resolved = resolve_in_root(Path(root.name), "a/b.txt")
    assert resolved.display == "a/b.txt"
    assert resolved.real == root / "a" / "b.txt"


def test_empty_path_is_config_invalid(root) -> None:
    with pytest.raises(NodeError, match="a file path is required") as info:
        resolve_in_root(root, "  ")
    assert info.value.type == "config.invalid"


async def test_no_temp_files_after_many_writes(root) -> None:
    for i in range(5):
        await write(root, {"i": i}, path="same.json")
    assert os.listdir(root) == ["same.json"]
    assert await read(root, path="same.json") == {"i": 4}


async def test_auto_format_uses_the_written_name_not_the_link_target(root) -> None:
    (root / "blob.bin").write_text('{"via": "link"}')
    (root / "data.json").symlink_to(root / "blob.bin")
    assert await read(root, path="data.json") == {"via": "link"}
