"""Property tests for the expression language: the parser and evaluator only ever fail with
``ExpressionError`` subclasses, and printed trees parse back to the same tree."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowscript.errors import ExpressionError
from flowscript.expressions import (
    Limits,
    MapScope,
    evaluate,
    free_names,
    function_calls,
    method_calls,
    parse_expression,
    render_json_template,
    to_source,
)
from flowscript.expressions.syntax import (
    ArrayLiteral,
    Arrow,
    Binary,
    BooleanLiteral,
    Call,
    Conditional,
    Expr,
    Identifier,
    Index,
    Member,
    NullLiteral,
    NumberLiteral,
    ObjectLiteral,
    Property,
    Spread,
    StringLiteral,
    TemplateLiteral,
    Unary,
    UndefinedLiteral,
)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
NAMES = ["a", "b", "x", "items", "$item", "_tmp", "café"]
MEMBER_NAMES = [*NAMES, "length", "in", "typeof", "null", "output", "__proto__", "constructor"]
FUNCTIONS = ["length", "upper", "keys", "map", "filter", "sum", "json_encode", "nope", "a"]
METHODS = ["map", "toUpperCase", "slice", "includes", "join", "nope", "length"]
BINARY = ["??", "||", "&&", "==", "!=", "===", "!==", "<", ">", "<=", ">=", "in", "+", "-", "*",
          "/", "%", "**"]  # fmt: skip
SMALL_LIMITS = Limits(max_steps=20_000, max_depth=50, max_size=20_000)

EXPRESSION_ALPHABET = "abx01 .,+-*/%=!<>?:()[]{}'\"`$\\&|;_eé\n"

# -- strategies ------------------------------------------------------------------------------

literals: st.SearchStrategy[Expr] = st.one_of(
    st.integers(min_value=0, max_value=2**53 - 1).map(lambda v: NumberLiteral(value=v)),
    st.floats(min_value=0, allow_nan=False, allow_infinity=False).map(
        lambda v: NumberLiteral(value=v)
    ),
    st.text(max_size=8).map(lambda v: StringLiteral(value=v)),
    st.booleans().map(lambda v: BooleanLiteral(value=v)),
    st.just(NullLiteral()),
    st.just(UndefinedLiteral()),
    st.sampled_from(NAMES).map(lambda n: Identifier(name=n)),
)


def _items(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[tuple[Expr, ...]]:
    item = st.one_of(children, children.map(lambda c: Spread(argument=c)))
    return st.lists(item, max_size=3).map(tuple)


def _properties(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[tuple[Any, ...]]:
    static = st.builds(
        lambda key, value: Property(key=StringLiteral(value=key), value=value),
        st.text(max_size=5),
        children,
    )
    computed = st.builds(
        lambda key, value: Property(key=key, value=value, computed=True), children, children
    )
    spread = children.map(lambda c: Spread(argument=c))
    return st.lists(st.one_of(static, computed, spread), max_size=3).map(tuple)


def _template(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.lists(children, max_size=2).flatmap(
        lambda exprs: st.lists(
            st.text(max_size=5), min_size=len(exprs) + 1, max_size=len(exprs) + 1
        ).map(lambda quasis: TemplateLiteral(quasis=tuple(quasis), expressions=tuple(exprs)))
    )


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(
            lambda op, left, right: Binary(operator=op, left=left, right=right),
            st.sampled_from(BINARY),
            children,
            children,
        ),
        st.builds(
            lambda op, o: Unary(operator=op, operand=o),
            st.sampled_from(["!", "-", "+", "typeof"]),
            children,
        ),
        st.builds(
            lambda t, c, a: Conditional(test=t, consequent=c, alternate=a),
            children,
            children,
            children,
        ),
        st.builds(
            lambda o, n, opt: Member(object=o, name=n, optional=opt),
            children,
            st.sampled_from(MEMBER_NAMES),
            st.booleans(),
        ),
        st.builds(
            lambda o, i, opt: Index(object=o, index=i, optional=opt),
            children,
            children,
            st.booleans(),
        ),
        st.builds(
            lambda name, args, opt: Call(
                callee=Identifier(name=name), arguments=args, optional=opt
            ),
            st.sampled_from(FUNCTIONS),
            _items(children),
            st.booleans(),
        ),
        st.builds(
            lambda o, m, args: Call(callee=Member(object=o, name=m), arguments=args),
            children,
            st.sampled_from(METHODS),
            _items(children),
        ),
        st.builds(lambda c, args: Call(callee=c, arguments=args), children, _items(children)),
        st.builds(
            lambda params, body: Arrow(params=tuple(params), body=body),
            st.lists(st.sampled_from(NAMES), unique=True, max_size=2),
            children,
        ),
        _items(children).map(lambda elements: ArrayLiteral(elements=elements)),
        _properties(children).map(lambda props: ObjectLiteral(properties=props)),
        _template(children),
    )


expressions: st.SearchStrategy[Expr] = st.recursive(literals, _extend, max_leaves=12)

json_values: st.SearchStrategy[Any] = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**60), max_value=2**60),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=6),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from([*MEMBER_NAMES, "0", "1", "k"]), children, max_size=4),
    ),
    max_leaves=10,
)
scopes = st.fixed_dictionaries(dict.fromkeys(NAMES, json_values))


# -- properties ------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(st.text(max_size=80))
def test_parsing_arbitrary_text_fails_only_with_expression_errors(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        parse_expression(text)


@PROPERTY_SETTINGS
@given(st.text(alphabet=EXPRESSION_ALPHABET, max_size=60))
def test_parsing_expression_like_text_fails_only_with_expression_errors(text: str) -> None:
    try:
        tree = parse_expression(text)
    except ExpressionError:
        return
    assert parse_expression(to_source(tree)) == tree


@PROPERTY_SETTINGS
@given(expressions)
def test_printed_trees_parse_back_to_equal_trees(tree: Expr) -> None:
    source = to_source(tree)
    assert parse_expression(source) == tree, source


@PROPERTY_SETTINGS
@given(expressions, scopes)
def test_evaluation_fails_only_with_expression_errors(
    tree: Expr, variables: dict[str, Any]
) -> None:
    scope = MapScope(variables, nodes={"output": variables["a"]})
    with contextlib.suppress(ExpressionError):
        evaluate(tree, scope, limits=SMALL_LIMITS)


@PROPERTY_SETTINGS
@given(expressions)
def test_analysis_never_fails(tree: Expr) -> None:
    for use in free_names(tree, {"a", "x"}):
        assert use.name in NAMES or use.name in FUNCTIONS
    assert all(isinstance(name, str) for name, _ in function_calls(tree))
    assert all(name in METHODS or name in MEMBER_NAMES for name, _ in method_calls(tree))


@PROPERTY_SETTINGS
@given(st.text(alphabet=EXPRESSION_ALPHABET + "{}", max_size=60), scopes)
def test_templates_fail_only_with_expression_errors(text: str, variables: dict[str, Any]) -> None:
    with contextlib.suppress(ExpressionError):
        render_json_template(text, variables, limits=SMALL_LIMITS)
