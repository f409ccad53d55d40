"""Email content (runtimes.md §5): addresses, bodies, attachments and the MIME form."""

from __future__ import annotations

import os
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.email.addresses import Mailbox, parse_mailboxes
from flowscript.runtimes.email.message import (
    EmailContent,
    build_message,
    default_text,
    read_content,
)


def content(tmp_path: Path, input_value: Any = None, **config: Any) -> EmailContent:
    base = {"from": "Flow Bot <bot@example.com>", "to": "ann@example.com"}
    return read_content(coerce_config("email:sink", {**base, **config}), input_value, tmp_path)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ann@example.com", [Mailbox("ann@example.com")]),
        ("ann@x.com, bob@example.org", [Mailbox("ann@x.com"), Mailbox("bob@example.org")]),
        (["Ann Lee <ann@example.com>"], [Mailbox("ann@example.com", "Ann Lee")]),
        (['"Lee, Ann" <ann@example.com>'], [Mailbox("ann@example.com", "Lee, Ann")]),
        ("root@localhost", [Mailbox("root@localhost")]),
        ("jörg@bücher.example", [Mailbox("jörg@bücher.example")]),
        ("first.last+tag@sub.example.co.uk", [Mailbox("first.last+tag@sub.example.co.uk")]),
        ([], []),
        ("", []),
    ],
    ids=["plain", "comma-list", "display-name", "quoted-comma-name", "single-label-domain",
         "unicode", "dots-and-plus", "empty-list", "empty-text"],
)  # fmt: skip
def test_addresses_parse(value: Any, expected: list[Mailbox]) -> None:
    assert list(parse_mailboxes("to", coerce_config("email:sink", {"to": value}).get("to"))) == (
        expected
    )


@pytest.mark.parametrize(
    ("value", "shown", "why"),
    [
        ("bob@", "bob@", "is not a valid email address"),
        ("bob", "bob", "is not a valid email address"),
        ("@example.com", "@example.com", "is not a valid email address"),
        ("a b@example.com", "a b@example.com", "is not a valid email address"),
        ("bob@exa_mple.com", "bob@exa_mple.com", "is not a valid email address"),
        ("bob@example..com", "bob@example..com", "is not a valid email address"),
        (["a@x.com\r\nBcc: victim@x.com"], "a@x.com\r\nBcc: victim@x.com", "contains a line break"),
        (["a@x.com, b@x.com"], "a@x.com, b@x.com", "must be exactly one email address"),
    ],
    ids=["no-domain", "no-at", "no-local", "space", "underscore-domain", "empty-label",
         "header-injection", "two-in-one-item"],
)  # fmt: skip
def test_invalid_addresses_are_named(value: Any, shown: str, why: str) -> None:
    with pytest.raises(NodeError) as info:
        parse_mailboxes("cc", coerce_config("email:sink", {"cc": value})["cc"])
    error = info.value
    assert (error.type, error.retryable) == ("email.invalid_address", False)
    assert error.message == f"field 'cc': {shown!r} {why}"
    assert error.details == {"field": "cc", "value": shown}


def test_recipients_are_envelope_order_without_duplicates(tmp_path: Path) -> None:
    built = content(tmp_path, to="a@x.com, b@x.com", cc="b@x.com, c@x.com", bcc="Hidden <d@x.com>")
    assert built.recipients == ["a@x.com", "b@x.com", "c@x.com", "d@x.com"]


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"to": []}, "field 'to': at least one recipient is required"),
        ({"from": None}, "field 'from': a sender address is required"),
    ],
    ids=["no-recipient", "no-sender"],
)
def test_missing_sender_or_recipient_is_config_invalid(
    tmp_path: Path, config: dict[str, Any], match: str
) -> None:
    with pytest.raises(NodeError, match=match) as info:
        content(tmp_path, **config)
    assert info.value.type == "config.invalid"


def test_sender_defaults_to_an_address_username(tmp_path: Path) -> None:
    built = content(tmp_path, **{"from": None, "username": "news@example.com"})
    assert built.sender == Mailbox("news@example.com")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"total": 3, "items": ["a"]}, '{\n  "total": 3,\n  "items": [\n    "a"\n  ]\n}'),
        ("already text", "already text"),
        (None, ""),
        ([1, 2], "[\n  1,\n  2\n]"),
    ],
    ids=["object", "string", "null", "array"],
)
def test_default_text_is_the_input(value: Any, expected: str) -> None:
    assert default_text(value) == expected


def test_without_text_or_html_the_body_is_the_input_as_json(tmp_path: Path) -> None:
    built = content(tmp_path, {"ok": True})
    assert (built.text, built.html) == ('{\n  "ok": true\n}', None)
    assert content(tmp_path, {"ok": True}, html="<p>hi</p>").text is None


def parse(raw: bytes) -> Any:
    return message_from_bytes(raw, policy=policy.default)


def test_text_and_html_make_multipart_alternative(tmp_path: Path) -> None:
    built = content(tmp_path, text="Hello", html="<p>Hello</p>", subject="Hi", cc="c@x.com")
    message = parse(build_message(built, message_id="<m1@example.com>").as_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert message.get_body(("plain",)).get_content() == "Hello\n"
    assert message.get_body(("html",)).get_content() == "<p>Hello</p>\n"
    assert message["From"] == "Flow Bot <bot@example.com>"
    assert (message["To"], message["Cc"], message["Subject"]) == (
        "ann@example.com",
        "c@x.com",
        "Hi",
    )
    assert message["Message-ID"] == "<m1@example.com>"


def test_bcc_is_never_a_header(tmp_path: Path) -> None:
    built = content(tmp_path, bcc="secret-boss@example.com", text="x")
    raw = build_message(built, message_id="<m@x>").as_bytes()
    assert b"secret-boss" not in raw
    assert "secret-boss@example.com" in built.recipients


def test_html_only(tmp_path: Path) -> None:
    message = build_message(content(tmp_path, html="<b>hi</b>"), message_id="<m@x>")
    assert message.get_content_type() == "text/html"


def test_attachments_are_read_under_the_base_folder(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "q1.csv").write_bytes(b"a,b\r\n1,2\r\n")
    (tmp_path / "blob.unknownext").write_bytes(bytes(range(256)))
    built = content(tmp_path, text="see attached", attachments="reports/q1.csv, blob.unknownext")
    assert [(a.filename, a.mime_type, len(a.data)) for a in built.attachments] == [
        ("q1.csv", "text/csv", 10),
        ("blob.unknownext", "application/octet-stream", 256),
    ]
    message = parse(build_message(built, message_id="<m@x>").as_bytes())
    assert message.get_content_type() == "multipart/mixed"
    files = [
        (p.get_filename(), p.get_content_type(), p.get_content())
        for p in message.iter_attachments()
    ]
    assert files == [
        ("q1.csv", "text/csv", "a,b\r\n1,2\r\n"),
        ("blob.unknownext", "application/octet-stream", bytes(range(256))),
    ]


@pytest.mark.parametrize(
    ("path", "error_type"),
    [
        ("../outside.txt", "file.path_outside_root"),
        ("/etc/passwd", "file.path_outside_root"),
        ("missing.pdf", "file.not_found"),
    ],
    ids=["dotdot", "absolute-elsewhere", "missing"],
)
def test_attachment_errors(tmp_path: Path, path: str, error_type: str) -> None:
    with pytest.raises(NodeError) as info:
        content(tmp_path, text="x", attachments=[path])
    assert (info.value.type, info.value.retryable) == (error_type, False)


def test_attachment_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s")
    root = tmp_path / "root"
    root.mkdir()
    os.symlink(outside / "secret.txt", root / "link.txt")
    with pytest.raises(NodeError) as info:
        read_content(
            coerce_config(
                "email:sink", {"from": "a@x.com", "to": "b@x.com", "attachments": "link.txt"}
            ),
            None,
            root,
        )
    assert info.value.type == "file.path_outside_root"
