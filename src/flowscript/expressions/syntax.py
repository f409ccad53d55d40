"""The expression AST: frozen, slotted dataclasses produced by :mod:`.parser`.

Every node carries ``offset``, the 0-based position in the expression source of the token
that best identifies it (used for error columns, which are 1-based for users):

* literals, identifiers, arrays, objects, template literals, arrows: their first character;
* unary operators: the operator; binary operators and ``?:``: the operator (``?``);
* ``a.b`` / ``a?.b``: the member name ``b``; ``a[i]``: the ``[``; ``f(x)``: the callee name
  when the callee is a name or a member (so errors point at ``f`` / ``m`` in ``a.m()``),
  otherwise the ``(``.

``offset`` does not take part in equality, so two parses of equivalent source compare equal.

Hyphenated names (expressions.md §2.3) are :class:`HyphenName` nodes holding both readings;
see that class for how the subtraction reading keeps JavaScript precedence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowscript.model._build import slot_builder

__all__ = [
    "ArrayLiteral",
    "Arrow",
    "Binary",
    "BooleanLiteral",
    "Call",
    "Conditional",
    "Expr",
    "HyphenName",
    "Identifier",
    "Index",
    "Member",
    "Node",
    "NullLiteral",
    "NumberLiteral",
    "ObjectLiteral",
    "Property",
    "Spread",
    "StringLiteral",
    "TemplateLiteral",
    "Unary",
    "UndefinedLiteral",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Base of every syntax node.

    Attributes:
        offset: 0-based source offset (see the module docstring); ignored by ``==``.
    """

    offset: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Expr(Node):
    """Base of every expression node."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberLiteral(Expr):
    """A number: ``12``, ``1.5``, ``1e3``, ``0x1F``, ``.5``."""

    value: int | float


@dataclass(frozen=True, slots=True, kw_only=True)
class StringLiteral(Expr):
    """A quoted string, escapes already decoded."""

    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BooleanLiteral(Expr):
    """``true`` or ``false``."""

    value: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class NullLiteral(Expr):
    """``null``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UndefinedLiteral(Expr):
    """``undefined``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TemplateLiteral(Expr):
    """A backtick template: ``quasis[0] ${expressions[0]} quasis[1] …``.

    Attributes:
        quasis: the decoded text pieces; always ``len(expressions) + 1`` of them.
        expressions: the ``${…}`` substitutions.
    """

    quasis: tuple[str, ...]
    expressions: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Spread(Expr):
    """``...argument`` inside an array, an object or call arguments."""

    argument: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class ArrayLiteral(Expr):
    """``[a, ...rest]``; elements may be :class:`Spread`."""

    elements: tuple[Expr, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Property(Node):
    """One ``key: value`` entry of an object literal.

    Attributes:
        key: a :class:`StringLiteral` for ``a:``, ``"a":``, ``1:`` and shorthand ``{a}``;
            any expression for a computed key ``[k]:``.
        value: the value (``Identifier("a")`` for shorthand ``{a}``).
        computed: True for ``[k]: v``.
    """

    key: Expr
    value: Expr
    computed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectLiteral(Expr):
    """``{a: 1, "b-c": 2, [k]: v, short, ...other}``."""

    properties: tuple[Property | Spread, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Identifier(Expr):
    """A name read from the scope (``input``, ``$config``, ``item``, a node id)."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HyphenName(Expr):
    """A hyphenated run such as ``fetch-joke`` or ``x-1`` (expressions.md §2.3).

    At evaluation ``whole`` is used when the scope defines ``name``, otherwise the
    subtraction ``parts[0] - parts[1] - … - parts[-1]`` (left-associative).

    To keep JavaScript precedence in the subtraction reading, the parser folds neighbouring
    tighter operators into both readings: ``2 * x-1`` gives ``whole = 2 * (x-1)`` and
    ``parts = (2 * x, 1)``; ``x-1.y`` gives ``whole = (x-1).y`` and ``parts = (x, 1.y)``.
    A parenthesised run is *grouped*: its subtraction is folded into a single part, and
    nothing around it is folded in any more.

    Attributes:
        name: the whole hyphenated name, e.g. ``"fetch-joke"``.
        whole: the expression for the whole-name reading (contains ``Identifier(name)``).
        parts: the operands of the subtraction reading (one part once grouped).
    """

    name: str
    whole: Expr
    parts: tuple[Expr, ...]

    @property
    def grouped(self) -> bool:
        """True once the run was parenthesised (no more folding of neighbours)."""
        return len(self.parts) == 1

    @property
    def subtraction(self) -> Expr:
        """The subtraction reading as one expression."""
        result = self.parts[0]
        for part in self.parts[1:]:
            result = Binary(operator="-", left=result, right=part, offset=part.offset)
        return result


@dataclass(frozen=True, slots=True, kw_only=True)
class Member(Expr):
    """``object.name`` or ``object?.name``."""

    object: Expr
    name: str
    optional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Index(Expr):
    """``object[index]`` or ``object?.[index]``."""

    object: Expr
    index: Expr
    optional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Call(Expr):
    """``callee(arguments…)``; a :class:`Member` callee makes it a method call ``a.m(x)``."""

    callee: Expr
    arguments: tuple[Expr, ...]
    optional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Unary(Expr):
    """``!x``, ``-x``, ``+x``, ``typeof x``."""

    operator: str
    operand: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary(Expr):
    """A binary operator, including the short-circuit ``&&``, ``||`` and ``??``."""

    operator: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Conditional(Expr):
    """``test ? consequent : alternate``."""

    test: Expr
    consequent: Expr
    alternate: Expr


@dataclass(frozen=True, slots=True, kw_only=True)
class Arrow(Expr):
    """``x => body``, ``(a, b) => body``, ``() => body``."""

    params: tuple[str, ...]
    body: Expr


# Positional builders for the parser's hot paths (see :mod:`flowscript.model._build`): the
# same objects as the constructors make, about twice as fast. Arguments in field order.
make_identifier = slot_builder(Identifier, "name", "offset")
make_number = slot_builder(NumberLiteral, "value", "offset")
make_string = slot_builder(StringLiteral, "value", "offset")
make_binary = slot_builder(Binary, "operator", "left", "right", "offset")
make_unary = slot_builder(Unary, "operator", "operand", "offset")
make_member = slot_builder(Member, "object", "name", "optional", "offset")
make_index = slot_builder(Index, "object", "index", "optional", "offset")
make_call = slot_builder(Call, "callee", "arguments", "optional", "offset")
make_hyphen_name = slot_builder(HyphenName, "name", "whole", "parts", "offset")
