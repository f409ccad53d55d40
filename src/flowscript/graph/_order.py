"""Cycles (per scope) and waves (execution.md §2.3) over the dependency edges of a scope."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping, Sequence

__all__ = ["find_cycles", "layer_waves"]

Edges = Mapping[str, Sequence[str]]


def find_cycles(order: Sequence[str], edges: Edges) -> list[tuple[str, ...]]:
    """One cycle path per strongly connected component, ``(a, b, a)`` meaning a → b → a.

    ``order`` is the scope's document order; edges point from a node to what it waits for.
    Each cycle starts at the component's earliest node and is a shortest cycle through it.
    """
    position = {node: index for index, node in enumerate(order)}
    if not _has_forward_edge(order, edges, position):
        return []  # every edge points back in document order: no cycle (the usual case)
    cycles = []
    for component in _components(order, edges):
        if len(component) < 2:
            continue
        start = min(component, key=position.__getitem__)
        cycles.append(_shortest_cycle(start, component, edges, position))
    cycles.sort(key=lambda path: position[path[0]])
    return cycles


def _has_forward_edge(order: Sequence[str], edges: Edges, position: Mapping[str, int]) -> bool:
    """True when some node waits for a node after it in ``order``.

    A cycle of two or more nodes needs such an edge: going around it must step forward at
    least once. Edges to nodes outside ``order`` do not count.
    """
    for index, node in enumerate(order):
        for target in edges.get(node, ()):
            if position.get(target, -1) > index:
                return True
    return False


def _components(order: Sequence[str], edges: Edges) -> list[set[str]]:
    """Tarjan's strongly connected components, iterative (no recursion limit)."""
    members = frozenset(order)
    successors = {node: [s for s in edges.get(node, ()) if s in members] for node in order}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in order:
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(successors[node]):
                work.append((node, child + 1))
                succ = successors[node][child]
                if succ not in index:
                    work.append((succ, 0))
                elif succ in on_stack:
                    low[node] = min(low[node], index[succ])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                found.append(_pop_component(node, stack, on_stack))
    return found


def _pop_component(root: str, stack: list[str], on_stack: set[str]) -> set[str]:
    component: set[str] = set()
    while True:
        node = stack.pop()
        on_stack.discard(node)
        component.add(node)
        if node == root:
            return component


def _shortest_cycle(
    start: str, component: set[str], edges: Edges, position: Mapping[str, int]
) -> tuple[str, ...]:
    parents: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for succ in sorted(edges.get(node, ()), key=lambda s: position.get(s, 0)):
            if succ not in component:
                continue
            if succ == start:
                return (*_path_to(node, start, parents), start)
            if succ not in parents:
                parents[succ] = node
                queue.append(succ)
    return (start, start)  # unreachable for a real component


def _path_to(node: str, start: str, parents: Mapping[str, str]) -> list[str]:
    path = [node]
    while path[-1] != start:
        path.append(parents[path[-1]])
    return path[::-1]


def layer_waves(
    order: Sequence[str], edges: Edges, skip: Callable[[str], bool]
) -> tuple[tuple[str, ...], ...]:
    """Wave 0: nodes with no dependencies; wave k+1: dependencies all in waves ≤ k.

    Nodes for which ``skip`` is true (handlers) are left out, and so are edges to them and
    to nodes outside ``order``. Nodes on a cycle, or waiting for one, get no wave.
    """
    members = [node for node in order if not skip(node)]
    allowed = set(members)
    deps = {
        node: {d for d in edges.get(node, ()) if d in allowed and d != node} for node in members
    }
    waiting = {node: len(found) for node, found in deps.items()}
    dependents: dict[str, list[str]] = {node: [] for node in members}
    for node, found in deps.items():
        for dep in found:
            dependents[dep].append(node)
    wave_of: dict[str, int] = {}
    ready = deque(node for node in members if waiting[node] == 0)
    while ready:
        node = ready.popleft()
        wave_of[node] = 1 + max((wave_of[d] for d in deps[node]), default=-1)
        for dependent in dependents[node]:
            waiting[dependent] -= 1
            if waiting[dependent] == 0:
                ready.append(dependent)
    waves: list[list[str]] = [[] for _ in range(1 + max(wave_of.values(), default=-1))]
    for node in members:
        if node in wave_of:
            waves[wave_of[node]].append(node)
    return tuple(tuple(wave) for wave in waves)
