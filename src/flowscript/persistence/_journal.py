"""Journal records: one JSON line per recorded node, replayed over the snapshot on load.

A record holds what recording a node may have changed in the state::

    {"gen": "…", "seq": 7, "node": "fetch", "result": {…} | null,
     "nodeContext": {…} | null (or "nodeContextIsOutput": true),
     "status": "running", "currentWave": 2, "startedAt": …,
     "globalContext": {changed keys}, "globalContextRemoved": [keys],
     "phaseContext": {changed keys}, "phaseContextRemoved": [keys], "usage"?: {…}}

``gen`` ties the record to one snapshot: every snapshot the store writes carries a fresh
``journalGeneration``, and only records of that generation are replayed, so records that a
snapshot already contains (left behind when a crash came between writing the snapshot and
truncating the journal) are never applied twice. ``seq`` counts records within a generation.

``nodeContextIsOutput`` stands for the usual node context ``{"output": <the result's
output>}``, so an output is written once. Contexts are journaled as top-level key diffs
against the last persisted values, so a record's size depends on what changed, not on the
size of the run.

Torn writes: records are appended and fsynced in order, so a record reported durable has every
byte before it on disk. Replay therefore stops at the first line that is not a complete record
(a torn last line, or unfsynced garbage after it); nothing after that point was ever reported.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flowscript.expressions.values import plain_json
from flowscript.persistence._checks import Checker
from flowscript.persistence.codec import (
    encode_json,
    is_output_context,
    result_from_data,
    result_to_data,
)

if TYPE_CHECKING:  # imported late at run time: see flowscript.persistence.codec
    from flowscript.execution.redaction import Redactor
    from flowscript.execution.state import ExecutionState, NodeResult

__all__ = ["ContextTracker", "apply_record", "encode_record", "replay_journal"]

_CONTEXTS = (("globalContext", "global_context"), ("phaseContext", "phase_context"))


class ContextTracker:
    """The last persisted top-level values of the global and phase contexts.

    Values are kept as :func:`plain_json` copies, so a value mutated in place is still seen as
    changed.
    """

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        self._saved: dict[str, dict[str, Any]] = {key: {} for key, _ in _CONTEXTS}

    def reset(self, state: ExecutionState) -> None:
        """Remember the contexts of ``state`` as persisted (after a snapshot)."""
        for key, attribute in _CONTEXTS:
            current: Mapping[str, Any] = getattr(state, attribute)
            self._saved[key] = {name: plain_json(value) for name, value in current.items()}

    @property
    def remembers(self) -> bool:
        """Whether some context value was persisted (a diff may then find a removal)."""
        return bool(self._saved["globalContext"] or self._saved["phaseContext"])

    def diff(self, state: ExecutionState) -> dict[str, Any]:
        """Record fields for the keys changed since the last call, and remember them."""
        fields: dict[str, Any] = {}
        for key, attribute in _CONTEXTS:
            changed, removed = _diff_one(self._saved[key], getattr(state, attribute))
            if changed:
                fields[key] = changed
            if removed:
                fields[key + "Removed"] = removed
        return fields


def _diff_one(
    saved: dict[str, Any], current: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    if not current and not saved:
        return {}, []
    changed: dict[str, Any] = {}
    for name, value in current.items():
        if name not in saved or value != saved[name] or not _same_json(saved[name], value):
            saved[name] = changed[name] = plain_json(value)
    removed = [name for name in saved if name not in current]
    for name in removed:
        del saved[name]
    return changed, removed


def _same_json(saved: Any, current: Any) -> bool:
    """Equality as JSON sees it: like ``==`` (which held already) but ``true`` is not ``1``."""
    if isinstance(saved, bool) or isinstance(current, bool):
        return type(saved) is type(current)
    if isinstance(saved, dict):
        return all(_same_json(item, current[key]) for key, item in saved.items())
    if isinstance(saved, list):
        return all(map(_same_json, saved, current))
    return True


def encode_record(
    state: ExecutionState,
    node_id: str,
    generation: str,
    seq: int,
    tracker: ContextTracker,
    redactor: Redactor | None,
) -> bytes:
    """One journal line (with its newline) for recording ``node_id`` of ``state``.

    ``redactor`` masks the secrets; ``None`` when the run has none.

    This runs once per recorded node, so the usual record is encoded straight from the state's
    values by one orjson call (a Python walk converting them first cost more than the rest of
    the record, and grows with the output). orjson refuses whatever is not plain JSON data —
    ``undefined``, functions, non-string keys, integers beyond 64 bits, lone surrogates, and
    (by the passthrough options) dataclasses and datetimes — and only then is the record
    converted the careful way (:func:`plain_json`, as snapshots are). Numbers keep Python's
    formatting here (``2.0`` stays ``2.0``): a journal line is only read back by a JSON parser.
    """
    result = state.node_results.get(node_id)
    context = state.node_context.get(node_id)
    record: dict[str, Any] = {
        "gen": generation,
        "seq": seq,
        "node": node_id,
        "result": None if result is None else result_to_data(result, raw_output=True),
        "status": state.status._value_,  # not .value: see codec.result_to_data
        "currentWave": state.current_wave,
        "startedAt": state.started_at,
    }
    if state.global_context or state.phase_context or tracker.remembers:  # rare: variables
        record.update(tracker.diff(state))  # already plain copies
    if state.usage is not None:
        record["usage"] = state.usage  # the run's total, which the node just grew
    if is_output_context(context, result):
        record["nodeContextIsOutput"] = True  # the usual case: written once, not twice
    else:
        record["nodeContext"] = context
    encoder = _ORJSON or _load_orjson()
    try:
        line: bytes = encoder.dumps(
            record if redactor is None else redactor.redact_value(record), None, _OPTIONS
        )
    except TypeError:
        return _careful(record, result, redactor)
    return line


def _careful(record: dict[str, Any], result: NodeResult | None, redactor: Redactor | None) -> bytes:
    """The record converted to plain JSON data first, then encoded whatever it holds."""
    record["result"] = None if result is None else result_to_data(result)
    for key in ("usage", "nodeContext"):
        if key in record:
            record[key] = plain_json(record[key])
    if redactor is not None:
        record = redactor.redact_value(record)
    return encode_json(record, indent=None, plain=True) + b"\n"


_ORJSON: Any = None
_OPTIONS = 0
"""orjson's options for records: a final newline; dataclasses and datetimes refused."""


def _load_orjson() -> Any:
    global _ORJSON, _OPTIONS
    import orjson  # late: 18 ms to import, and listing runs never writes a record

    _OPTIONS = (
        orjson.OPT_APPEND_NEWLINE
        | orjson.OPT_PASSTHROUGH_DATACLASS
        | orjson.OPT_PASSTHROUGH_DATETIME
    )
    _ORJSON = orjson
    return orjson


def replay_journal(state: ExecutionState, raw: bytes, *, generation: str, source: str) -> int:
    """Apply the records of ``generation`` in ``raw`` to ``state``; return how many applied.

    Raises:
        StateError: a complete record of this generation is out of sequence or malformed.
    """
    check = Checker(source)
    applied = 0
    # The part after the last newline is a torn (unterminated) record, or empty.
    for number, line in enumerate(raw.split(b"\n")[:-1], start=1):
        record = _parse_line(line)
        if record is None:
            break  # torn or unsynced bytes: nothing from here on was reported durable
        if record.get("gen") != generation:
            continue  # left over from before the snapshot: already in it
        where = f"line {number}"
        seq = check.get(record, "seq", "int", where)
        if seq != applied + 1:
            check.fail(where, f"record {seq} out of sequence (expected {applied + 1})")
        apply_record(check, state, record, where)
        applied += 1
    return applied


def _parse_line(line: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


def apply_record(check: Checker, state: ExecutionState, record: dict[str, Any], where: str) -> None:
    """Apply one parsed record to ``state`` (the PostgreSQL store replays its rows with it).

    Raises:
        StateError: the record is malformed (``check`` names the source and ``where``).
    """
    from flowscript.execution.state import RunStatus  # late: see flowscript.persistence.codec

    node_id = check.get(record, "node", "str", where)
    result = record.get("result")
    if result is None:
        state.node_results.pop(node_id, None)
    else:
        state.node_results[node_id] = result_from_data(check, result, where + ".result")
    node_context: dict[str, Any] | None
    if record.get("nodeContextIsOutput") is True and node_id in state.node_results:
        node_context = {"output": state.node_results[node_id].output}
    else:
        node_context = check.get(record, "nodeContext", "dict", where, default=None, nullable=True)
    if node_context is None:
        state.node_context.pop(node_id, None)
    else:
        state.node_context[node_id] = node_context
    usage = check.get(record, "usage", "dict", where, default=None, nullable=True)
    if usage is not None:
        state.usage = usage
    state.status = check.enum(check.get(record, "status", "str", where), RunStatus, where)
    state.current_wave = check.get(record, "currentWave", "int", where)
    state.started_at = check.get(record, "startedAt", "int", where)
    for key, attribute in _CONTEXTS:
        context: dict[str, Any] = getattr(state, attribute)
        context.update(check.get(record, key, "dict", where, default={}))
        for name in check.get(record, key + "Removed", "list", where, default=[]):
            context.pop(check.value(name, "str", f"{where}.{key}Removed"), None)
