"""The tree the relaxed XML scanner (:mod:`._xml`) builds: elements, attributes, text runs.

Split from :mod:`._xml` for size; import these names from there.
"""

from __future__ import annotations

__all__ = ["XmlAttribute", "XmlElement", "XmlText"]

# The three node types below are plain slotted classes rather than dataclasses: a 10,000-node
# file makes ~70,000 of them, and a hand-written ``__init__`` is ~2× cheaper than the
# generated one with default factories (they compare by identity, as before).


class XmlAttribute:
    """An attribute: decoded value, offsets of its name and of the value's first character."""

    __slots__ = ("name", "offset", "value", "value_offset")

    def __init__(self, name: str, value: str, offset: int, value_offset: int) -> None:
        self.name = name
        self.value = value
        self.offset = offset
        self.value_offset = value_offset

    def __repr__(self) -> str:
        return f"XmlAttribute({self.name!r}, {self.value!r}, {self.offset}, {self.value_offset})"


class XmlText:
    """Character data between markup (comments inside it are dropped).

    ``pieces`` are ``(decoded, source offset, verbatim)``: a verbatim piece maps character
    for character onto the source; an entity reference is one non-verbatim piece.
    """

    __slots__ = ("pieces",)

    def __init__(self, pieces: list[tuple[str, int, bool]] | None = None) -> None:
        self.pieces: list[tuple[str, int, bool]] = [] if pieces is None else pieces

    def __repr__(self) -> str:
        return f"XmlText({self.pieces!r})"

    @property
    def value(self) -> str:
        """The decoded text."""
        return "".join(piece for piece, _, _ in self.pieces)

    @property
    def offset(self) -> int:
        """Source offset of the first piece."""
        return self.pieces[0][1]

    def first_visible_offset(self) -> int | None:
        """Source offset of the first non-whitespace character, ``None`` if all blank."""
        for piece, offset, verbatim in self.pieces:
            stripped = piece.lstrip()
            if stripped:
                return offset + len(piece) - len(stripped) if verbatim else offset
        return None


class XmlElement:
    """An element with its attributes (in document order) and children.

    Attributes:
        tag: the element name.
        offset: offset of its ``<``.
        attributes: name → attribute, in document order.
        children: child elements and text runs, in document order.
        content_start / content_end: the offsets of its content (after the start tag, up to
            the end tag); both the end of the tag for a self-closing element.
        end: offset after its end tag.
    """

    __slots__ = ("attributes", "children", "content_end", "content_start", "end", "offset", "tag")

    def __init__(self, tag: str, offset: int) -> None:
        self.tag = tag
        self.offset = offset
        self.attributes: dict[str, XmlAttribute] = {}
        self.children: list[XmlElement | XmlText] = []
        self.content_start = 0
        self.content_end = 0
        self.end = 0

    def __repr__(self) -> str:
        return f"XmlElement({self.tag!r}, {self.offset}, children={len(self.children)})"

    @property
    def elements(self) -> list[XmlElement]:
        """The child elements."""
        return [child for child in self.children if isinstance(child, XmlElement)]

    @property
    def texts(self) -> list[XmlText]:
        """The child text runs."""
        return [child for child in self.children if isinstance(child, XmlText)]
