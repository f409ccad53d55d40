"""Template, map, filter and reduce transforms with arrows and expressions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowscript.errors import NodeError
from flowscript.expressions import MapScope
from flowscript.expressions.values import UNDEFINED
from flowscript.runtimes.base import NodeRequest, Runtime, RuntimeContext
from flowscript.runtimes.builtin import builtin_runtimes
from flowscript.runtimes.coerce import coerce_config
from flowscript.runtimes.transforms import (
    FilterRuntime,
    MapRuntime,
    ReduceRuntime,
    TemplateRuntime,
    as_items,
)

ITEMS = [{"name": "a", "score": 3}, {"name": "b", "score": 1}, {"name": "c", "score": 5}]


def _scope(input_value: Any = UNDEFINED) -> MapScope:
    return MapScope(
        {"threshold": 2, "$config": {"factor": 10}, "input": input_value},
        nodes={"fetch": {"items": ITEMS}},
    )


async def run(
    runtime: Runtime,
    config: dict[str, Any],
    input_value: Any,
    *,
    warnings: list[str] | None = None,
) -> Any:
    sink = warnings if warnings is not None else []
    context = RuntimeContext(
        root=Path("."),
        workflow_dir=Path("."),
        scope=_scope(input_value),
        warn=sink.append,
    )
    request = NodeRequest(
        node_id="t1",
        kind=runtime.kind,
        config=coerce_config(runtime.kind, config),
        input=input_value,
    )
    return await runtime.run(request, context)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, []), (UNDEFINED, []), ([1, 2], [1, 2]), (5, [5]), ({"a": 1}, [{"a": 1}])],
    ids=["null", "undefined", "list", "scalar", "object"],
)
def test_as_items(value: Any, expected: list[Any]) -> None:
    assert as_items(value) == expected


def test_builtin_runtimes_cover_every_kind() -> None:
    kinds = sorted(runtime.kind for runtime in builtin_runtimes())
    assert kinds == [
        "database:sink",
        "database:source",
        "email:sink",
        "file:sink",
        "file:source",
        "http:sink",
        "http:source",
        "transform:ai",
        "transform:filter",
        "transform:map",
        "transform:reduce",
        "transform:template",
    ]
    assert all(isinstance(runtime, Runtime) for runtime in builtin_runtimes())


# ---------------------------------------------------------------------------------------- map


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("item.score * 2", [6, 2, 10]),
        ("$item.name + index", ["a0", "b1", "c2"]),
        ("$index + ':' + $first + ':' + $last", ["0:true:false", "1:false:false", "2:false:true"]),
        ("$items.length", [3, 3, 3]),
        ("item.score > threshold", [True, False, True]),
        ("item.score * $config.factor", [30, 10, 50]),
        ("fetch.items[index].name", ["a", "b", "c"]),
        ("item => item.name", ["a", "b", "c"]),
        ("item => ({...item, ok: true})", [{**i, "ok": True} for i in ITEMS]),
        ("(x, i) => x.score * i", [0, 1, 10]),
        ("() => $item.name", ["a", "b", "c"]),
    ],
    ids=[
        "item",
        "aliases",
        "first-last",
        "items",
        "outer-variable",
        "config",
        "node-output",
        "arrow",
        "arrow-spread",
        "arrow-index",
        "arrow-closure",
    ],
)
async def test_map(expression: str, expected: list[Any]) -> None:
    assert await run(MapRuntime(), {"expression": expression}, ITEMS) == expected


@pytest.mark.parametrize(
    ("input_value", "expected"),
    [(None, []), (UNDEFINED, []), (4, [[4, 0]]), ({"s": 1}, [[{"s": 1}, 0]])],
    ids=["null", "undefined", "scalar", "object"],
)
async def test_map_input_coercion(input_value: Any, expected: list[Any]) -> None:
    assert await run(MapRuntime(), {"expression": "[item, index]"}, input_value) == expected


async def test_map_over_many_items() -> None:
    items = list(range(2500))
    assert await run(MapRuntime(), {"expression": "x => x + 1"}, items) == list(range(1, 2501))


# ------------------------------------------------------------------------------------- filter


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"condition": "item.score > threshold"}, ["a", "c"]),
        ({"expression": "item.score < threshold"}, ["b"]),
        ({"condition": "x => x.name !== 'b'"}, ["a", "c"]),
        ({"condition": "(x, i) => i === 1"}, ["b"]),
        ({"condition": "$first || $last"}, ["a", "c"]),
        ({"condition": "item.missing"}, []),
        ({"condition": "[]"}, ["a", "b", "c"]),
    ],
    ids=["condition", "expression", "arrow", "arrow-index", "first-last", "falsy", "truthy-array"],
)
async def test_filter(config: dict[str, str], expected: list[str]) -> None:
    result = await run(FilterRuntime(), config, ITEMS)
    assert [item["name"] for item in result] == expected


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({}, "'condition' or 'expression' is required"),
        ({"condition": "x", "expression": "y"}, "give either 'condition' or 'expression'"),
        ({"condition": ""}, "is required"),
    ],
    ids=["neither", "both", "empty"],
)
async def test_filter_config_errors(config: dict[str, str], match: str) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await run(FilterRuntime(), config, ITEMS)
    assert info.value.type == "config.invalid"


# ------------------------------------------------------------------------------------- reduce


@pytest.mark.parametrize(
    ("config", "input_value", "expected"),
    [
        ({"expression": "$acc + item.score", "initial": "0"}, ITEMS, 9),
        ({"expression": "(acc, x) => acc + x.score", "initial": "100"}, ITEMS, 109),
        ({"expression": "($acc ?? 0) + item"}, [1, 2, 3], 6),
        ({"expression": "$acc + item"}, [], None),
        ({"expression": "$acc + item", "initial": "'start'"}, [], "start"),
        ({"expression": "[...$acc, item * index]", "initial": "[]"}, [5, 6, 7], [0, 6, 14]),
        ({"expression": "({...$acc, [item.name]: item.score})", "initial": "{}"}, ITEMS,
         {"a": 3, "b": 1, "c": 5}),
        ({"expression": "(acc, x, i) => acc + i", "initial": "0"}, ["a", "b", "c"], 3),
        ({"expression": "$acc + item", "initial": "0", "finalize": "$acc / $items.length"},
         [2, 4, 9], 5),
        ({"expression": "$acc + item", "initial": "0", "finalize": "acc => acc * 10"}, [1, 2], 30),
        ({"expression": "$acc + item", "initial": "threshold"}, [1], 3),
        ({"expression": "$acc + item", "initial": "  "}, [1], 1),
        ({"expression": "$acc + item", "initial": 5}, 1, 6),
    ],
    ids=[
        "sum", "arrow", "null-initial", "empty-null", "empty-initial", "collect", "object",
        "arrow-index", "finalize", "finalize-arrow", "initial-from-scope", "blank-initial",
        "native-initial-and-scalar-input",
    ],
)  # fmt: skip
async def test_reduce(config: dict[str, Any], input_value: Any, expected: Any) -> None:
    assert await run(ReduceRuntime(), config, input_value) == expected


# ----------------------------------------------------------------------------------- template


@pytest.mark.parametrize(
    ("template", "input_value", "expected"),
    [
        ('{"title": "{{input.t}}", "n": {{input.n}}}', {"t": 'say "hi"\n', "n": 2},
         {"title": 'say "hi"\n', "n": 2}),
        ("[{{input.n}}, {{input.n + 1}}]", {"n": 1}, [1, 2]),
        ("{{ input.list }}", {"list": [1, {"a": 2}]}, [1, {"a": 2}]),
        ("Hello {{input.name}}!", {"name": "Ann"}, "Hello Ann!"),
        ("plain text", None, "plain text"),
        ("{{ fetch.items[0].score * $config.factor }}", None, 30),
    ],
    ids=["json-object", "json-array", "native", "text", "literal", "scope"],
)  # fmt: skip
async def test_template(template: str, input_value: Any, expected: Any) -> None:
    warnings: list[str] = []
    result = await run(TemplateRuntime(), {"template": template}, input_value, warnings=warnings)
    assert result == expected
    assert warnings == []


async def test_invalid_json_template_warns_and_returns_text() -> None:
    warnings: list[str] = []
    template = '{"a": {{input.x}} '
    result = await run(TemplateRuntime(), {"template": template}, {"x": 1}, warnings=warnings)
    assert result == '{"a": 1 '
    assert len(warnings) == 1
    assert warnings[0].startswith("node t1: the template looks like JSON but is not valid JSON")
    assert warnings[0].endswith("the output is the rendered text")


async def test_template_given_as_a_block() -> None:
    template = {"name": "{{input.name}}", "tags": ["{{input.n}}", "x"], "n": 3}
    result = await run(TemplateRuntime(), {"template": template}, {"name": "Bo", "n": 7})
    assert result == {"name": "Bo", "tags": [7, "x"], "n": 3}


async def test_template_is_required() -> None:
    with pytest.raises(NodeError, match="'template' is required") as info:
        await run(TemplateRuntime(), {}, None)
    assert info.value.type == "config.invalid"


# ------------------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("runtime", "config", "match"),
    [
        (MapRuntime(), {"expression": "item +"}, r"node t1: expression: .* in `item \+`"),
        (MapRuntime(), {"expression": "threshold(item)"}, r"expression: .*not a function"),
        (MapRuntime(), {"expression": "item.name()"}, r"method 'name' is not allowed"),
        (FilterRuntime(), {"condition": "(item"}, r"node t1: condition: .* in `\(item`"),
        (ReduceRuntime(), {"expression": "$acc +"}, r"node t1: expression: "),
        (ReduceRuntime(), {"expression": "$acc", "initial": "[1,"}, r"node t1: initial: "),
        (ReduceRuntime(), {"expression": "$acc", "finalize": "$acc("}, r"node t1: finalize: "),
        (TemplateRuntime(), {"template": "Hi {{ input.name( }}"}, r"node t1: template: "),
    ],
    ids=[
        "map-syntax",
        "map-eval",
        "map-blocked",
        "filter",
        "reduce",
        "initial",
        "finalize",
        "template",
    ],
)
async def test_expression_errors(runtime: Runtime, config: dict[str, Any], match: str) -> None:
    with pytest.raises(NodeError, match=match) as info:
        await run(runtime, config, ITEMS)
    error = info.value
    assert error.type == "expression.eval"
    assert error.retryable is False
    assert error.details["code"].startswith("EXPR_")
    assert isinstance(error.details["column"], int)
    assert f"at column {error.details['column']}" in error.message
