"""Run state ⇄ JSON data: the state file format, version 1 (execution.md §9.2).

The file is a JSON object with 2-space indentation and numbers formatted as JavaScript does
(``JSON.stringify``)::

    {"schemaVersion": 1, "workflowId", "runId", "status", "currentWave", "startedAt",
     "completedAt", "nodeResults": [[id, result], …], "globalContext", "phaseContext",
     "nodeContext", "config", "input", "error", "pendingCheckpoint", "workflowPath",
     "workflowHash", "nodeHashes"?, "usage"?}

A result is ``{status, output, error, startedAt, completedAt, duration, attempts}`` plus
``fallback`` (on a ``recovered`` node: the fallback whose output it holds) or ``fallbackFor``
(on a fallback's own record: the node it stood in for), ``usage`` and ``details`` when set. An
error is ``{type, name, message, code, retryable, …}``: ``name`` defaults to ``NodeError`` and
``code`` to the error type; any other keys (``stack``, ``status``, ``node``, ``details``,
``attempts``, ``cause``) are kept. Times are epoch milliseconds, durations milliseconds.
``nodeHashes`` (node id → short hash of its source text, written when known) lets a resumed
run name the nodes whose source changed. ``usage`` is the run's AI token usage in total, when
any node reported some.

``flowscript.execution`` is imported inside the functions that need it, never at module level:
it re-exports this package's entry points (execution.md §11), so a module-level import would make
this lower layer load the whole executor and form an import cycle whenever
``flowscript.persistence`` is imported first (``flowscript runs``).

Secrets are never written: ``secrets`` is left out and every secret value found anywhere in
the data is replaced by ``***``. Values pass through
:func:`~flowscript.expressions.values.plain_json`, so ``undefined`` disappears and ``NaN``
becomes ``null`` exactly as in JavaScript. Unknown top-level keys are ignored when reading (later
versions may add some); a missing key, a wrong type or another ``schemaVersion`` is a
:class:`~flowscript.errors.StateError` naming the file and the field.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from flowscript.expressions.values import json_bytes, plain_json
from flowscript.persistence._checks import Checker

if TYPE_CHECKING:
    from flowscript.execution.redaction import Redactor
    from flowscript.execution.state import ExecutionState, NodeResult

__all__ = [
    "SCHEMA_VERSION",
    "encode_json",
    "error_from_data",
    "error_to_data",
    "parse_json",
    "result_from_data",
    "result_to_data",
    "state_from_data",
    "state_to_data",
]

SCHEMA_VERSION: Final = 1

_DEFAULT_ERROR_NAME: Final = "NodeError"
_ERROR_OPTIONAL: Final = {
    "name": ("str", False),
    "code": ("str", True),
    "stack": ("str", True),
    "status": ("int", True),
    "node": ("str", True),
    "details": ("dict", True),
    "attempts": ("int", False),
}


# --------------------------------------------------------------------------- writing


def state_to_data(
    state: ExecutionState,
    *,
    redactor: Redactor | None = None,
    js_numbers: list[bool] | None = None,
) -> dict[str, Any]:
    """The JSON data of ``state`` (secrets left out and masked wherever they appear).

    Args:
        state: the run state.
        redactor: masks secret values; one built from ``state.secrets`` when ``None``.
        js_numbers: receives ``True`` for each number needing JavaScript formatting (then
            :func:`encode_json` must not be told the data is ``plain``).
    """
    flags = js_numbers
    results = {key: result_to_data(value, flags) for key, value in state.node_results.items()}
    data: dict[str, Any] = {
        "schemaVersion": SCHEMA_VERSION,
        "workflowId": state.workflow_id,
        "runId": state.run_id,
        "status": state.status.value,
        "currentWave": state.current_wave,
        "startedAt": state.started_at,
        "completedAt": state.completed_at,
        "nodeResults": [[key, value] for key, value in results.items()],
        "globalContext": plain_json(state.global_context, flags),
        "phaseContext": plain_json(state.phase_context, flags),
        "nodeContext": _node_context_data(state, results, flags),
        "config": plain_json(state.config, flags),
        "input": plain_json(state.input, flags),
        "error": None if state.error is None else error_to_data(state.error, flags),
        "pendingCheckpoint": plain_json(state.pending_checkpoint, flags),
        "workflowPath": state.workflow_path,
        "workflowHash": state.workflow_hash,
    }
    if state.node_hashes:
        data["nodeHashes"] = dict(state.node_hashes)
    if state.usage is not None:
        data["usage"] = plain_json(state.usage, flags)
    if redactor is None:
        from flowscript.execution.redaction import Redactor  # late: see the module docstring

        redactor = Redactor(state.secrets.values())
    redacted: dict[str, Any] = redactor.redact_value(data)
    return redacted


def _node_context_data(
    state: ExecutionState, results: Mapping[str, dict[str, Any]], flags: list[bool] | None
) -> dict[str, Any]:
    """``nodeContext``; the usual ``{"output": …}`` entries reuse the result's converted output
    instead of converting it a second time."""
    data: dict[str, Any] = {}
    node_results = state.node_results
    for key, context in state.node_context.items():
        if is_output_context(context, node_results.get(key)):
            data[key] = {"output": results[key]["output"]}
        else:
            data[key if type(key) is str else str(key)] = plain_json(context, flags)
    return data


def is_output_context(context: Any, result: NodeResult | None) -> bool:
    """Whether a node's context entry is exactly ``{"output": <its result's output>}``."""
    return (
        result is not None
        and type(context) is dict
        and len(context) == 1
        and context.get("output", _MISSING) is result.output
    )


_MISSING: Final = object()
_ATOMIC: Final = frozenset({str, bool, type(None)})
"""Output types that are their own JSON data (floats are not: NaN, ±0, JS formatting)."""
_PLAIN_INT: Final = 10**21
"""Integers strictly inside ±this print the same in Python and JavaScript (``plain_json``)."""


def result_to_data(
    result: NodeResult, js_numbers: list[bool] | None = None, *, raw_output: bool = False
) -> dict[str, Any]:
    """The JSON data of one node result (not redacted: :func:`state_to_data` does that).

    ``raw_output`` keeps the output as it is, for an encoder that refuses anything that is not
    plain JSON data (the journal's orjson call, which then falls back to the conversion).
    """
    output = result.output
    kind = type(output)
    if not (raw_output or kind in _ATOMIC or (kind is int and -_PLAIN_INT < output < _PLAIN_INT)):
        output = plain_json(output, js_numbers)  # the common scalars need no call
    data: dict[str, Any] = {
        # ``_value_`` is the attribute behind ``.value`` (a descriptor, 4× slower): this runs
        # for every result of every snapshot.
        "status": result.status._value_,
        "output": output,
        "error": None if result.error is None else error_to_data(result.error, js_numbers),
        "startedAt": result.started_at,
        "completedAt": result.completed_at,
        "duration": result.duration,
        "attempts": result.attempts,
    }
    if result.fallback is not None:
        key = "fallback" if result.status._value_ == "recovered" else "fallbackFor"
        data[key] = result.fallback
    if result.usage is not None:
        data["usage"] = plain_json(result.usage, js_numbers)
    if result.details is not None:
        data["details"] = plain_json(result.details, js_numbers)
    return data


def error_to_data(error: Mapping[str, Any], js_numbers: list[bool] | None = None) -> dict[str, Any]:
    """An error in the file's form: ``{type, name, message, code, retryable, …}``."""
    error_type = error.get("type")
    data: dict[str, Any] = {
        "type": error_type,
        "name": error.get("name", _DEFAULT_ERROR_NAME),
        "message": error.get("message"),
        "code": error.get("code", error_type),
        "retryable": bool(error.get("retryable", False)),
    }
    for key, value in error.items():
        if key == "cause" and isinstance(value, Mapping):
            data[key] = error_to_data(value, js_numbers)
        elif key not in data:
            data[key] = plain_json(value, js_numbers)
    return data


def encode_json(data: Any, *, indent: int | None = 2, plain: bool = False) -> bytes:
    """UTF-8 JSON text of ``data`` with JavaScript number formatting.

    Args:
        data: JSON-like data.
        indent: 2 for state files (with a final newline), ``None`` for compact journal lines.
        plain: ``data`` is already plain JSON data with no number needing JavaScript's
            formatting (see :func:`~flowscript.expressions.values.json_bytes`).
    """
    if plain and indent in (None, 2):
        fast = _orjson_encode(data, indent)
        if fast is not None:  # orjson writes valid UTF-8 or refuses
            return fast
    raw = json_bytes(data, indent, plain=plain)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        # A lone surrogate cannot be encoded; "?" keeps the file valid UTF-8 and loadable.
        raw = raw.decode("utf-8", "surrogatepass").encode("utf-8", "replace")
    return raw + b"\n" if indent else raw


def _orjson_encode(data: Any, indent: int | None) -> bytes | None:
    import orjson  # late: 18 ms to import, and listing runs never encodes

    option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE if indent else 0
    try:
        return orjson.dumps(data, option=option)
    except TypeError:  # an integer beyond 64 bits or a lone surrogate
        return None


# --------------------------------------------------------------------------- reading


def parse_json(raw: bytes, *, source: str) -> Any:
    """Parse the bytes of a state file; any problem is a :class:`StateError` naming ``source``."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        Checker(source).fail("file", f"not UTF-8 text ({exc.reason} at byte {exc.start})")
    except json.JSONDecodeError as exc:
        Checker(source).fail(
            "file", f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        )
    except RecursionError:
        Checker(source).fail("file", "JSON nested too deeply")


def state_from_data(
    data: Any,
    *,
    path: str | os.PathLike[str],
    config: Mapping[str, Any] | None = None,
    secrets: Mapping[str, str] | None = None,
) -> ExecutionState:
    """Rebuild a state from the file's data.

    Args:
        data: the parsed JSON.
        path: the file it came from (named in errors).
        config: config overrides, applied over the stored config (``--config`` on resume).
        secrets: secret values (read again from the environment: never stored).

    Raises:
        StateError: the data is not a valid version-1 state.
    """
    from flowscript.execution.state import ExecutionState, RunStatus  # late: module docstring

    check = Checker(str(path))
    if not isinstance(data, dict):
        check.fail("top level", f"expected a JSON object, got {type(data).__name__}")
    _check_version(check, data)
    stored_config = check.get(data, "config", "dict", "", default={})
    return ExecutionState(
        workflow_id=check.get(data, "workflowId", "str", ""),
        run_id=check.get(data, "runId", "str", ""),
        status=check.enum(check.get(data, "status", "str", ""), RunStatus, "status"),
        current_wave=check.get(data, "currentWave", "int", ""),
        started_at=check.get(data, "startedAt", "int", ""),
        completed_at=check.get(data, "completedAt", "int", "", default=0, nullable=True) or 0,
        node_results=_results_from_data(check, check.get(data, "nodeResults", "list", "")),
        global_context=check.get(data, "globalContext", "dict", ""),
        phase_context=check.get(data, "phaseContext", "dict", ""),
        node_context=_node_context_from_data(check, check.get(data, "nodeContext", "dict", "")),
        config={**stored_config, **(config or {})},
        secrets=dict(secrets or {}),
        input=data.get("input"),
        error=_optional_error(check, data.get("error"), "error"),
        pending_checkpoint=check.get(
            data, "pendingCheckpoint", "dict", "", default=None, nullable=True
        ),
        workflow_path=check.get(data, "workflowPath", "str", "", default=None, nullable=True),
        workflow_hash=check.get(data, "workflowHash", "str", "", default=None, nullable=True),
        node_hashes=_node_hashes_from_data(check, data.get("nodeHashes")),
        usage=check.get(data, "usage", "dict", "", default=None, nullable=True),
    )


def _node_hashes_from_data(check: Checker, data: Any) -> dict[str, str]:
    if data is None:
        return {}
    check.value(data, "dict", "nodeHashes")
    return {key: check.value(value, "str", f"nodeHashes.{key}") for key, value in data.items()}


def _check_version(check: Checker, data: Mapping[str, Any]) -> None:
    if "schemaVersion" not in data:
        check.fail("top level", "missing key 'schemaVersion' (not a FlowScript state file)")
    version = data["schemaVersion"]
    if version != SCHEMA_VERSION or isinstance(version, bool):
        check.fail(
            "schemaVersion",
            f"unsupported version {version!r} (this FlowScript reads version {SCHEMA_VERSION})",
        )


def _results_from_data(check: Checker, items: list[Any]) -> dict[str, NodeResult]:
    results: dict[str, NodeResult] = {}
    for index, item in enumerate(items):
        where = f"nodeResults[{index}]"
        if not isinstance(item, list) or len(item) != 2:
            check.fail(where, "expected a [nodeId, result] pair")
        node_id = check.value(item[0], "str", f"{where}[0]")
        if node_id in results:
            check.fail(f"{where}[0]", f"duplicate node id {node_id!r}")
        results[node_id] = result_from_data(check, item[1], f"{where}[1]")
    return results


def _node_context_from_data(check: Checker, data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    for node_id, entry in data.items():
        check.value(entry, "dict", f"nodeContext.{node_id}")
    return data


def result_from_data(check: Checker, data: Any, where: str) -> NodeResult:
    """One node result read from the file's data (``where`` is its JSON path)."""
    from flowscript.execution.state import NodeResult, NodeStatus  # late: module docstring

    check.value(data, "dict", where)
    status = check.enum(check.get(data, "status", "str", where), NodeStatus, where + ".status")
    fallback = check.get(data, "fallback", "str", where, default=None, nullable=True)
    if fallback is None:
        fallback = check.get(data, "fallbackFor", "str", where, default=None, nullable=True)
    return NodeResult(
        status=status,
        output=data.get("output"),
        error=_optional_error(check, data.get("error"), where + ".error"),
        started_at=check.get(data, "startedAt", "int", where),
        completed_at=check.get(data, "completedAt", "int", where),
        duration=check.get(data, "duration", "int", where),
        attempts=check.get(data, "attempts", "int", where),
        fallback=fallback,
        usage=check.get(data, "usage", "dict", where, default=None, nullable=True),
        details=check.get(data, "details", "dict", where, default=None, nullable=True),
    )


def _optional_error(check: Checker, data: Any, where: str) -> dict[str, Any] | None:
    return None if data is None else error_from_data(check, data, where)


def error_from_data(check: Checker, data: Any, where: str) -> dict[str, Any]:
    """An error read back into its in-memory form (default ``name``/``code`` dropped)."""
    check.value(data, "dict", where)
    error = dict(data)
    check.get(data, "type", "str", where)
    check.get(data, "message", "str", where)
    check.get(data, "retryable", "bool", where)
    for key, (kind, nullable) in _ERROR_OPTIONAL.items():
        check.get(data, key, kind, where, default=None, nullable=nullable)
    if error.get("name") == _DEFAULT_ERROR_NAME:
        del error["name"]
    if "code" in error and error["code"] == error["type"]:
        del error["code"]
    if error.get("cause") is not None:
        error["cause"] = error_from_data(check, error["cause"], where + ".cause")
    return error
