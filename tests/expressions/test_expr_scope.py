"""MapScope: lookup order, ``has``, ``is_node``, parents, the protocol."""

from __future__ import annotations

from flowscript.expressions import UNDEFINED, EvalScope, MapScope, evaluate


def test_lookup_variables_then_nodes_then_parent() -> None:
    parent = MapScope({"p": 1, "shared": "parent"}, nodes={"n": {"x": 1}})
    child = MapScope({"shared": "child", "v": None}, nodes={"m": 2}, parent=parent)
    assert child.lookup("shared") == "child"
    assert child.lookup("p") == 1
    assert child.lookup("n") == {"x": 1}
    assert child.lookup("m") == 2
    assert child.lookup("v") is None
    assert child.lookup("missing") is UNDEFINED


def test_has_counts_names_bound_to_undefined() -> None:
    scope = MapScope({"v": UNDEFINED}, nodes={"skipped": UNDEFINED})
    assert scope.has("v") and scope.has("skipped")
    assert not scope.has("other")
    assert MapScope(parent=scope).has("skipped")


def test_is_node() -> None:
    parent = MapScope(nodes={"fetch": 1, "both": 2})
    child = MapScope({"both": 3}, parent=parent)
    assert child.is_node("fetch")
    assert not child.is_node("both")
    assert not child.is_node("missing")
    assert MapScope({"x": 1}, nodes={"x": 2}).is_node("x") is False


def test_child_scope() -> None:
    scope = MapScope({"a": 1}).child({"b": 2})
    assert (scope.lookup("a"), scope.lookup("b")) == (1, 2)


def test_dollar_names_are_ordinary_variables() -> None:
    scope = MapScope({"$input": {"q": 1}, "$item": 5, "$config": {"k": "v"}})
    assert evaluate("$input.q + $item", scope) == 6
    assert evaluate("$config.k", scope) == "v"


def test_protocol_is_runtime_checkable_and_custom_scopes_work() -> None:
    class Upper:
        def lookup(self, name: str) -> object:
            return name.upper() if name.islower() else UNDEFINED

        def has(self, name: str) -> bool:
            return name.islower()

        def is_node(self, name: str) -> bool:
            return name == "node"

    scope = Upper()
    assert isinstance(scope, EvalScope)
    assert evaluate("abc + node.output", scope) == "ABCNODE"
    assert repr(MapScope({"b": 1}, nodes={"a": 2})) == "MapScope(a, b)"
