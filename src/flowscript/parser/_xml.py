"""A relaxed XML scanner for the workflow body (format.md §3.1).

It reads the subset of XML a workflow uses — elements, quoted attributes, text, comments,
CDATA, processing instructions (skipped) — and keeps the offset of every element, attribute,
attribute value and text piece, so every diagnostic can name a line and a column. Relaxations
so expressions read naturally: a ``&`` that does not start an entity reference and a ``<``
that does not start markup are literal text. DTDs are rejected, so no entity is ever defined
by the file.

The scanner is a loop over regular-expression matches with an explicit stack (no recursion
per nesting level); it runs in linear time. Nesting is capped at :data:`MAX_NESTING`.
"""

from __future__ import annotations

import re

from flowscript.parser._xml_tree import XmlAttribute, XmlElement, XmlText

__all__ = ["MAX_NESTING", "XmlAttribute", "XmlElement", "XmlSyntaxError", "XmlText", "scan_body"]

MAX_NESTING = 200
"""Deepest element nesting accepted (brief: a clear error instead of unbounded depth)."""

_NAME = re.compile(r"(?:[^\W\d]|:)[\w.:-]*")
_NAME_START = re.compile(r"[^\W\d]|:")
_SPACE = re.compile(r"\s*")
_CONTENT_SPECIAL = re.compile(r"[<&]")
_ATTRIBUTE_SPECIAL = {'"': re.compile(r'["<&]'), "'": re.compile(r"['<&]")}
_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9A-Fa-f]+)|((?:[^\W\d]|:)[\w.:-]*));")
_END_TAG = re.compile(r"</((?:[^\W\d]|:)[\w.:-]*)\s*>")
_DTD = re.compile(r"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_PREDEFINED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# Blanks, then the end of a start tag (group 1) or a plain attribute (name in group 2, value
# in 3 or 4): a quoted value holding no `<` and no `&`, i.e. one that needs no decoding and
# no error check. One match per attribute makes start tags ~2× faster than reading them piece
# by piece; everything else takes the long way (`_Scanner.tag_item`).
_TAG_ITEM = re.compile(
    r"""\s*(?:(/?>)|((?:[^\W\d]|:)[\w.:-]*)\s*=\s*(?:"([^"<&]*)"|'([^'<&]*)'))"""
)
_MAX_REFERENCE_DIGITS = 8


class XmlSyntaxError(Exception):
    """Malformed body markup at ``offset`` (an offset into the scanned text).

    A hint may contain ``{where}``: the caller replaces it with the line and column of
    ``related`` (an offset too, such as the start tag an end tag fails to match).
    """

    def __init__(self, message: str, offset: int, hint: str, related: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.hint = hint
        self.related = related


def _decode_reference(match: re.Match[str]) -> str:
    number, hexadecimal, name = match.groups()
    if name is not None:
        if name not in _PREDEFINED:
            raise XmlSyntaxError(
                f"unknown entity `&{name};`",
                match.start(),
                "only &lt; &gt; &amp; &quot; &apos; and numeric references are defined; "
                "write `&amp;` for a literal `&`",
            )
        return _PREDEFINED[name]
    digits = number if number is not None else hexadecimal
    code = int(digits, 10 if number is not None else 16)
    if len(digits) > _MAX_REFERENCE_DIGITS or not _is_xml_char(code):
        raise XmlSyntaxError(
            f"`{match.group()}` is not a valid character", match.start(), "remove the reference"
        )
    return chr(code)


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


class _Scanner:
    """One pass over the body text; see :func:`scan_body`."""

    def __init__(self, text: str) -> None:
        self.text = text

    def entity(self, pos: int) -> tuple[str, int, bool]:
        """Decode an entity at ``pos``: ``(text, next position, verbatim)``."""
        match = _ENTITY.match(self.text, pos)
        if match is None:
            return "&", pos + 1, True
        return _decode_reference(match), match.end(), False

    def skip_until(self, pos: int, terminator: str, what: str) -> int:
        """The position after ``terminator``, searching from ``pos``."""
        end = self.text.find(terminator, pos)
        if end < 0:
            raise XmlSyntaxError(f"unclosed {what}", pos, f"close it with `{terminator}`")
        return end + len(terminator)

    def attribute_value(self, start: int, quote: str) -> tuple[str, int]:
        """Read a quoted value starting after the opening quote; return it and the end."""
        text = self.text
        end = text.find(quote, start)
        if end >= 0 and "<" not in text[start:end] and "&" not in text[start:end]:
            return text[start:end], end + 1  # the common case: nothing to decode
        parts: list[str] = []
        pos = start
        special = _ATTRIBUTE_SPECIAL[quote]
        while True:
            match = special.search(text, pos)
            if match is None:
                raise XmlSyntaxError(
                    "unterminated attribute value", start - 1, f"close the value with {quote}"
                )
            parts.append(text[pos : match.start()])
            pos = match.start()
            char = text[pos]
            if char == quote:
                return "".join(parts), pos + 1
            if char == "&":
                decoded, pos, _ = self.entity(pos)
                parts.append(decoded)
            elif _NAME_START.match(text, pos + 1):
                raise XmlSyntaxError(
                    "a `<` followed by a name inside an attribute value is ambiguous",
                    pos,
                    "write `&lt;` (or a space after `<`); if a closing quote is missing, add it",
                )
            else:
                parts.append("<")
                pos += 1

    def attribute(self, pos: int, element: XmlElement) -> int:
        """Read one ``name="value"`` at ``pos`` into ``element``; return the end."""
        text = self.text
        match = _NAME.match(text, pos)
        if match is None:
            raise XmlSyntaxError(
                f"unexpected `{text[pos]}` in the start tag of <{element.tag}>",
                pos,
                'attributes are written name="value"; end the tag with `>` or `/>`',
            )
        name = match.group()
        eq = _SPACE.match(text, match.end()).end()  # type: ignore[union-attr]
        if not text.startswith("=", eq):
            raise XmlSyntaxError(
                f"attribute `{name}` of <{element.tag}> has no value",
                pos,
                f'write {name}="…" (XML attributes always have a quoted value)',
            )
        quote_at = _SPACE.match(text, eq + 1).end()  # type: ignore[union-attr]
        quote = text[quote_at : quote_at + 1]
        if quote not in ('"', "'") or not quote:
            raise XmlSyntaxError(
                f"the value of attribute `{name}` is not quoted",
                quote_at,
                f'put the value in quotes: {name}="…"',
            )
        value, end = self.attribute_value(quote_at + 1, quote)
        if name in element.attributes:
            raise XmlSyntaxError(
                f"attribute `{name}` appears twice on <{element.tag}>", pos, "remove one of them"
            )
        element.attributes[name] = XmlAttribute(name, value, pos, quote_at + 1)
        return end

    def start_tag(self, pos: int) -> tuple[XmlElement, bool, int]:
        """Read a start tag at ``pos``: ``(element, self-closing, end)``."""
        text = self.text
        name = _NAME.match(text, pos + 1)
        assert name is not None  # callers check _NAME_START first
        element = XmlElement(name.group(), pos)
        attributes = element.attributes
        cursor = name.end()
        match = _TAG_ITEM.match
        while True:
            item = match(text, cursor)
            if item is None:  # anything else: read (or reject) it the long way
                cursor = self.tag_item(element, pos, cursor)
                continue
            closer, attribute, double, single = item.groups()
            cursor = item.end()
            if closer is not None:
                element.content_start = cursor
                if closer == ">":
                    return element, False, cursor
                element.content_end = element.end = cursor
                return element, True, cursor
            if attribute in attributes:
                self.attribute(item.start(2), element)  # raises: the attribute appears twice
            if double is not None:
                attributes[attribute] = XmlAttribute(
                    attribute, double, item.start(2), cursor - len(double) - 1
                )
            else:
                attributes[attribute] = XmlAttribute(
                    attribute, single, item.start(2), cursor - len(single) - 1
                )

    def tag_item(self, element: XmlElement, pos: int, cursor: int) -> int:
        """Skip blanks, then read one attribute that :data:`_TAG_ITEM` does not cover."""
        text = self.text
        cursor = _SPACE.match(text, cursor).end()  # type: ignore[union-attr]
        if cursor >= len(text):
            raise XmlSyntaxError(
                f"unclosed start tag <{element.tag}>", pos, "end the tag with `>` or `/>`"
            )
        return self.attribute(cursor, element)

    def markup_declaration(self, pos: int, parent: XmlElement | None) -> int:
        """``<!-- -->``, ``<![CDATA[ ]]>`` or a rejected ``<!DOCTYPE``; return the end."""
        text = self.text
        if text.startswith("<!--", pos):
            return self.skip_until(pos + 4, "-->", "comment")
        if text.startswith("<![CDATA[", pos):
            if parent is None:
                raise XmlSyntaxError(
                    "unexpected text before <workflow>",
                    pos,
                    "only whitespace and XML comments may come before <workflow>",
                )
            end = self.skip_until(pos + 9, "]]>", "CDATA section")
            _add_text(parent, text[pos + 9 : end - 3], pos + 9, verbatim=True)
            return end
        if _DTD.match(text, pos):
            raise XmlSyntaxError(
                "DTDs are not allowed", pos, "remove the <!DOCTYPE …> / <!ENTITY …> declaration"
            )
        raise XmlSyntaxError(
            "unexpected `<!`", pos, "comments are written <!-- … -->, raw text <![CDATA[ … ]]>"
        )


def _add_text(element: XmlElement, piece: str, offset: int, *, verbatim: bool) -> None:
    if not piece:
        return
    last = element.children[-1] if element.children else None
    if not isinstance(last, XmlText):
        last = XmlText()
        element.children.append(last)
    last.pieces.append((piece, offset, verbatim))


def _root(scanner: _Scanner, pos: int) -> tuple[XmlElement, bool, int]:
    """Skip whitespace, comments and processing instructions up to ``<workflow``."""
    text = scanner.text
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if pos >= len(text):
            raise XmlSyntaxError(
                "the body has no <workflow> element",
                pos,
                "write the nodes inside <workflow> … </workflow> after the frontmatter",
            )
        if text.startswith("<!", pos):
            pos = scanner.markup_declaration(pos, None)
        elif text.startswith("<?", pos):
            pos = scanner.skip_until(pos + 2, "?>", "processing instruction")
        elif text.startswith("<", pos) and _NAME_START.match(text, pos + 1):
            element, closed, end = scanner.start_tag(pos)
            if element.tag != "workflow":
                raise XmlSyntaxError(
                    f"expected <workflow> but found <{element.tag}>",
                    pos,
                    "put every node inside one <workflow> … </workflow> element",
                )
            return element, closed, end
        else:
            raise XmlSyntaxError(
                "unexpected text before <workflow>",
                pos,
                "only whitespace and XML comments may come before <workflow>; "
                "Markdown belongs after </workflow>",
            )


def _end_tag(scanner: _Scanner, pos: int, stack: list[XmlElement]) -> int:
    match = _END_TAG.match(scanner.text, pos)
    current = stack[-1]
    if match is None:
        raise XmlSyntaxError("malformed end tag", pos, f"write </{current.tag}>")
    if match.group(1) != current.tag:
        raise XmlSyntaxError(
            f"</{match.group(1)}> does not match the open <{current.tag}>",
            pos,
            f"close <{current.tag}> (opened at {{where}}) first",
            current.offset,
        )
    current.content_end, current.end = pos, match.end()
    stack.pop()
    return match.end()


def _open(scanner: _Scanner, pos: int, stack: list[XmlElement]) -> int:
    element, closed, end = scanner.start_tag(pos)
    stack[-1].children.append(element)
    if not closed:
        if len(stack) >= MAX_NESTING:
            raise XmlSyntaxError(
                f"elements are nested deeper than {MAX_NESTING} levels",
                pos,
                "split the workflow into smaller flows with <include> or <call>",
            )
        stack.append(element)
    return end


def _markup(scanner: _Scanner, pos: int, stack: list[XmlElement]) -> int:
    """Handle a ``<`` at ``pos`` inside an element; return the next position."""
    text = scanner.text
    follower = text[pos + 1 : pos + 2]
    if follower == "/":
        return _end_tag(scanner, pos, stack)
    if follower == "!":
        return scanner.markup_declaration(pos, stack[-1])
    if follower == "?":
        return scanner.skip_until(pos + 2, "?>", "processing instruction")
    if _NAME_START.match(text, pos + 1):
        return _open(scanner, pos, stack)
    _add_text(stack[-1], "<", pos, verbatim=True)
    return pos + 1


def _content(scanner: _Scanner, root: XmlElement, pos: int) -> int:
    text = scanner.text
    stack = [root]
    while stack:
        match = _CONTENT_SPECIAL.search(text, pos)
        if match is None:
            open_element = stack[-1]
            raise XmlSyntaxError(
                f"<{open_element.tag}> is never closed",
                open_element.offset,
                f"add </{open_element.tag}>",
            )
        start = match.start()
        if start > pos:  # no call for the empty text between two tags
            _add_text(stack[-1], text[pos:start], pos, verbatim=True)
        pos = start
        if text[pos] == "&":
            decoded, end, verbatim = scanner.entity(pos)
            _add_text(stack[-1], decoded, pos, verbatim=verbatim)
            pos = end
        else:
            pos = _markup(scanner, pos, stack)
    return pos


def scan_body(text: str, start: int) -> tuple[XmlElement, int]:
    """Scan the ``<workflow>`` element that begins the body at ``start``.

    Returns:
        The root element and the offset right after ``</workflow>`` (the footer start).

    Raises:
        XmlSyntaxError: malformed markup, text before ``<workflow>``, DTDs, unknown entities,
            nesting deeper than :data:`MAX_NESTING`.
    """
    scanner = _Scanner(text)
    root, closed, pos = _root(scanner, start)
    if closed:
        return root, pos
    return root, _content(scanner, root, pos)
