"""find_log_section: where the execution-log section starts (format.md §4 "Replacement")."""

from __future__ import annotations

import pytest

from flowscript.parser import find_log_section, parse

HEAD = "---\nname: x\nversion: 1.0.0\n---\n"
BODY = '<workflow>\n  <transform id="t" template="hi"/>\n</workflow>\n'
LOG = "---\n\n## Execution Log\n\n**Run ID:** `r1`\n"


def _section(text: str) -> str | None:
    offset = find_log_section(text)
    return None if offset is None else text[offset:]


def test_existing_log_starts_at_the_rule_before_the_heading() -> None:
    text = HEAD + BODY + "\nSome notes.\n\n" + LOG
    assert _section(text) == LOG


def test_heading_without_a_rule_starts_at_the_heading() -> None:
    text = HEAD + BODY + "\nSome notes.\n\n## Execution Log\n\nold\n"
    assert _section(text) == "## Execution Log\n\nold\n"


def test_a_rule_separated_by_text_is_not_part_of_the_section() -> None:
    text = HEAD + BODY + "\n---\nnotes\n## Execution Log\nold\n"
    assert _section(text) == "## Execution Log\nold\n"


def test_html_comment_placeholder() -> None:
    placeholder = "<!-- ## Execution Log will be written here -->\n"
    text = HEAD + BODY + "\nNotes.\n\n" + placeholder
    assert _section(text) == placeholder


def test_placeholder_after_a_rule() -> None:
    text = HEAD + BODY + "\n---\n\n<!--\n## Execution Log\n-->\n"
    assert _section(text) == "---\n\n<!--\n## Execution Log\n-->\n"


def test_the_first_marker_wins() -> None:
    text = HEAD + BODY + "\n<!-- ## Execution Log -->\n\n" + LOG
    assert _section(text) == "<!-- ## Execution Log -->\n\n" + LOG


def test_comment_without_the_heading_is_not_a_placeholder() -> None:
    text = HEAD + BODY + "\n<!-- notes -->\n\n" + LOG
    assert _section(text) == LOG


@pytest.mark.parametrize(
    "body",
    [
        '<workflow>\n  <transform id="t">\n    <template>\n---\n\n## Execution Log\n'
        "    </template>\n  </transform>\n</workflow>\n",
        '<workflow>\n  <transform id="t"><template><![CDATA[\n## Execution Log\n]]></template>'
        "</transform>\n</workflow>\n",
        "<!--\n## Execution Log\n-->\n<workflow/>\n",
    ],
    ids=["template", "cdata", "comment-before-workflow"],
)
def test_heading_inside_the_body_is_never_matched(body: str) -> None:
    assert find_log_section(HEAD + body + "\nNo log yet.\n") is None
    assert _section(HEAD + body + "\n" + LOG) == LOG


def test_no_footer_and_no_log() -> None:
    assert find_log_section(HEAD + BODY) is None
    assert find_log_section(HEAD + BODY.rstrip("\n")) is None


def test_heading_must_be_a_whole_line() -> None:
    text = HEAD + BODY + "\nSee ## Execution Log below\n### Execution Log\n"
    assert find_log_section(text) is None


def test_crlf_file() -> None:
    text = (HEAD + BODY + "\nnotes\r\n\r\n" + LOG).replace("\n", "\r\n").replace("\r\r", "\r")
    section = _section(text)
    assert section == LOG.replace("\n", "\r\n")


def test_unparseable_file_has_no_section() -> None:
    assert find_log_section("no frontmatter\n" + LOG) is None
    assert find_log_section(HEAD + "<workflow>\n" + LOG) is None


def test_known_footer_offset_skips_the_scan() -> None:
    text = HEAD + BODY + "\n" + LOG
    workflow = parse(text)
    assert find_log_section(text, footer_offset=workflow.footer_offset) == len(text) - len(LOG)
    assert text[: workflow.footer_offset].endswith("</workflow>")


def test_log_replacement_keeps_the_text_before_it_byte_for_byte() -> None:
    prefix = HEAD + BODY + "\n\u00e9 notes \r\n  \n"
    text = prefix + LOG
    offset = find_log_section(text)
    assert offset is not None
    assert text[:offset] == prefix
