"""Property tests for cycle detection and wave layering on random dependency graphs."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from flowscript.graph._order import find_cycles, layer_waves


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[str], dict[str, list[str]], set[str]]:
    size = draw(st.integers(min_value=0, max_value=25))
    order = [f"n{i}" for i in range(size)]
    edges = {
        node: draw(st.lists(st.sampled_from(order), max_size=4, unique=True)) if order else []
        for node in order
    }
    skipped = set(draw(st.lists(st.sampled_from(order), max_size=3))) if order else set()
    return order, edges, skipped


def reachable_cycle(node: str, edges: dict[str, list[str]]) -> bool:
    """True when ``node`` is on a cycle or waits (transitively) for a node on one."""
    seen = {node}
    stack = [node]
    while stack:
        current = stack.pop()
        if _on_cycle(current, edges):
            return True
        for succ in edges.get(current, ()):
            if succ not in seen:
                seen.add(succ)
                stack.append(succ)
    return False


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_cycles_are_real_and_found_whenever_one_exists(
    graph: tuple[list[str], dict[str, list[str]], set[str]],
) -> None:
    order, raw_edges, _ = graph
    edges = {n: [s for s in e if s != n] for n, e in raw_edges.items()}  # no self-references
    cycles = find_cycles(order, edges)
    for path in cycles:
        assert path[0] == path[-1] and len(path) >= 3
        assert all(b in edges[a] for a, b in pairwise(path))
    assert len({path[0] for path in cycles}) == len(cycles)
    assert bool(cycles) == any(_on_cycle(node, edges) for node in order)


def _on_cycle(node: str, edges: dict[str, list[str]]) -> set[str]:
    """``{node}`` when ``node`` can reach itself, else empty."""
    seen: set[str] = set()
    stack = list(edges.get(node, ()))
    while stack:
        current = stack.pop()
        if current == node:
            return {node}
        if current not in seen:
            seen.add(current)
            stack.extend(edges.get(current, ()))
    return set()


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_waves_respect_every_edge_and_hold_each_node_once(
    graph: tuple[list[str], dict[str, list[str]], set[str]],
) -> None:
    order, edges, skipped = graph
    waves = layer_waves(order, edges, skipped.__contains__)
    placed = [node for wave in waves for node in wave]
    assert len(placed) == len(set(placed))
    assert not set(placed) & skipped
    wave_of = {node: index for index, wave in enumerate(waves) for node in wave}
    kept = {n: [d for d in e if d not in skipped and d != n] for n, e in edges.items()}
    for node, index in wave_of.items():
        assert all(wave_of[dep] < index for dep in kept[node])
        assert index == 0 or any(wave_of[dep] == index - 1 for dep in kept[node])
    for node in order:
        if node not in skipped:
            assert (node in wave_of) == (not reachable_cycle(node, kept))
    for wave in waves:
        assert list(wave) == sorted(wave, key=order.index)
