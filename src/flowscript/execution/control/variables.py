"""``<context>``, ``<set>`` and ``<phase>`` (execution.md §5, expressions.md §2.1).

Variables live in context frames: the workflow's top level (``state.global_context``) and the
frame shared by the ``<phase>`` elements of a scope (``state.phase_context`` at top level), so
a phase sees the variables of earlier phases. ``<context>``/``<set>`` write into the nearest
context frame enclosing them. Values are templates evaluated when the node runs; a value
written without ``{{ }}`` is read as JSON when it parses (``value="0"`` is the number 0),
else kept as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.execution._instance import Frame
from flowscript.model import ContextSpec, PhaseSpec, SetSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["run_context", "run_phase", "run_set"]


async def run_set(act: Activation) -> Any:
    """Set one variable; the output is the value."""
    node = act.node
    assert isinstance(node, SetSpec)
    value = act.typed("value", node.value)
    act.frame.set_variables({node.var: value})
    return value


async def run_context(act: Activation) -> Any:
    """Set every ``<set key value>`` entry; the output is the object of values set."""
    node = act.node
    assert isinstance(node, ContextSpec)
    values = {entry.key: act.typed(f"set.{entry.key}", entry.value) for entry in node.entries}
    act.frame.set_variables(values)
    return values


async def run_phase(act: Activation) -> Any:
    """Run the phase body in the phase frame of its scope; output: its last node's output."""
    node = act.node
    assert isinstance(node, PhaseSpec)
    result = await act.run_body(act.body_plan("body"), frame=_phase_frame(act))
    return act.body_output(result)


def _phase_frame(act: Activation) -> Frame:
    instance = act.instance
    top_level = instance.parent is None and act.flow.prefix == "" and instance.owner is None
    if not top_level:
        return instance.phase_frame()
    state = act.flow.run.state

    def sink(variables: dict[str, Any]) -> None:
        state.phase_context = variables

    frame = instance.phase_frame(sink)
    if not frame.variables and state.phase_context:
        frame.variables = dict(state.phase_context)  # a resumed run starts from its state
    return frame
