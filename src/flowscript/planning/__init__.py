"""Execution planning: per-scope DAGs, phases as sequential stages, handlers, waves (pure).

``build_execution_plan(workflow)`` turns a workflow (and its :mod:`flowscript.graph`) into the
:class:`ExecutionPlan` the executor runs; ``plan.describe()`` is what ``--dry-run`` prints.
"""

from flowscript.planning._plan import ExecutionPlan, ScopePlan, build_execution_plan

__all__ = ["ExecutionPlan", "ScopePlan", "build_execution_plan"]
