"""``<if>`` and ``<branch>`` (execution.md §5): run one body, skip the others.

Output: the output of the last node of the body that ran (document order, ``<break>``/
``<goto>`` excluded), or ``null`` when nothing matched. A node that produced no output this
way is transparent for the output of the body around it (``SILENT``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flowscript.errors import ExpressionError
from flowscript.execution._instance import SILENT
from flowscript.expressions.values import to_string, truthy
from flowscript.model import BranchSpec, CaseSpec, IfSpec

if TYPE_CHECKING:
    from flowscript.execution._activation import Activation

__all__ = ["pattern_matches", "run_branch", "run_if"]


async def _run_chosen(act: Activation, bodies: list[str], chosen: str | None) -> Any:
    skipped = [act.body_plan(name) for name in bodies if name != chosen]
    act.skip_bodies(skipped, "branch not taken")
    if chosen is None:
        return SILENT
    return act.chosen_output(await act.run_body(act.body_plan(chosen)))


async def run_if(act: Activation) -> Any:
    """Evaluate ``condition``; run ``<then>`` or ``<else>``."""
    node = act.node
    assert isinstance(node, IfSpec)
    bodies = ["then"] if node.else_ is None else ["then", "else"]
    if truthy(act.evaluate("condition", node.condition)):
        chosen: str | None = "then"
    else:
        chosen = "else" if node.else_ is not None else None
    return await _run_chosen(act, bodies, chosen)


async def run_branch(act: Activation) -> Any:
    """The first ``<case when>`` that is truthy (or ``<match pattern>`` that matches the
    ``on`` value) runs; else ``<default>``/``<otherwise>``."""
    node = act.node
    assert isinstance(node, BranchSpec)
    bodies = [f"case[{i}]" for i in range(len(node.cases))]
    if node.default is not None:
        bodies.append("default")
    # Without ``on``, patterns are matched against the node's input.
    subject = act.evaluate("on", node.on) if node.on is not None else act.input
    chosen = "default" if node.default is not None else None
    for index, case in enumerate(node.cases):
        if _case_matches(act, case, subject):
            chosen = f"case[{index}]"
            break
    return await _run_chosen(act, bodies, chosen)


def _case_matches(act: Activation, case: CaseSpec, subject: Any) -> bool:
    if case.when is not None:
        return truthy(act.evaluate("case.when", case.when))
    if case.pattern is not None:
        pattern = act.render("match.pattern", case.pattern)
        try:
            return pattern_matches(to_string(pattern), subject)
        except ExpressionError as exc:
            raise act.expression_error("match.pattern", case.pattern, exc) from exc
    return False


def pattern_matches(pattern: str, subject: Any) -> bool:
    """``/re/flags`` is a JavaScript regular expression tested on the subject's text; any
    other pattern matches when it equals the subject as a string."""
    text = to_string(subject)
    if len(pattern) >= 2 and pattern.startswith("/") and pattern.rfind("/") > 0:
        from flowscript.expressions.builtins import FUNCTIONS
        from flowscript.expressions.sandbox import Sandbox

        return truthy(FUNCTIONS["test"].impl(Sandbox(), [text, pattern]))
    return text == pattern
