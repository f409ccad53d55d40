"""The AI runtime: ``<transform type="ai">`` / ``<ai>`` (runtimes.md §6).

``prepare`` (in the coordinating process) resolves everything that needs the run — the
endpoint and key, a named schema, the cache folder, the budget already spent — into an
:class:`~.conversation.AiCall` in the request. ``run`` then holds one attempt's conversation:

1. before each call, the run's tokens so far plus this call's ``max-tokens`` must fit in
   ``runtime.context_budget`` (``ai.budget_exceeded``, not retryable);
2. the call goes to the cache or the endpoint; an endpoint that rejects tools is asked the
   same thing again in JSON mode, and that is remembered for its base URL for the rest of
   the run;
3. with a schema, the answer (tool-call arguments, or JSON text) is validated; an invalid one
   is sent back with the problems, up to ``max-retries`` times, then ``ai.schema_invalid``
   (retryable by the node's retry policy). Without a schema the text is the output, parsed
   as JSON when it is JSON.

The output comes back as a :class:`~flowscript.runtimes.base.RuntimeOutput` carrying the
attempt's usage; a failed attempt's usage travels in its error's ``details["usage"]``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.expressions.values import UNDEFINED, to_json
from flowscript.runtimes.ai._errors import malformed_response
from flowscript.runtimes.ai.client import ToolsRejected, complete
from flowscript.runtimes.ai.conversation import (
    AiCall,
    Conversation,
    Reply,
    decode_json_text,
    parse_reply,
)
from flowscript.runtimes.ai.endpoint import (
    AI_KIND,
    is_loopback,
    missing_key_message,
    resolve_endpoint,
    run_base_url,
    run_cache_dir,
)
from flowscript.runtimes.ai.schema import resolve_output_schema
from flowscript.runtimes.ai.usage import combine_usage, parse_token_budget, usage_from_response
from flowscript.runtimes.ai.validator import validate_json
from flowscript.runtimes.base import NodeRequest, RuntimeContext, RuntimeOutput

__all__ = ["CALL_KEY", "JSON_MODE_RESOURCE", "AiRuntime"]

CALL_KEY: Final = "ai-call"
"""Where ``prepare`` puts the resolved :class:`AiCall` in the request's config."""
JSON_MODE_RESOURCE: Final = "ai.json-mode"
"""``RuntimeContext.resources`` entry: the base URLs that rejected tools during this run."""
DEFAULT_TIMEOUT_MS: Final = 60_000.0


def _invalid(node_id: str, message: str) -> NodeError:
    return NodeError("config.invalid", f"{node_id}: {message}", retryable=False)


def _whole(config: Any, name: str, default: int, node_id: str, minimum: int) -> int:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _invalid(node_id, f"{name} must be a whole number ≥ {minimum}, got {value!r}")
    return value


def _timeout_ms(request: NodeRequest) -> float:
    """The config ``timeout``; a node with only a ``timeout`` attribute uses that instead."""
    node = request.node
    if node is not None and node.timeout is not None and "timeout" not in node.config:
        from flowscript.model.durations import parse_duration

        try:
            return float(parse_duration(node.timeout.value))
        except ValueError:
            pass
    value = request.config.get("timeout", DEFAULT_TIMEOUT_MS)
    return float(value) if isinstance(value, int | float) else DEFAULT_TIMEOUT_MS


def _user_message(request: NodeRequest) -> str:
    """``user`` (alias ``prompt``), else the node's input as text."""
    config = request.config
    for name in ("user", "prompt"):
        value = config.get(name)
        if isinstance(value, str) and value.strip():
            return value
    value = request.input
    if value is None or value is UNDEFINED or value == "":
        raise _invalid(request.node_id, "an AI node needs a user prompt (user or prompt)")
    return value if isinstance(value, str) else to_json(value)


def _text(config: Any, name: str) -> str | None:
    value = config.get(name)
    return value if isinstance(value, str) and value.strip() else None


def _cache_dir(context: RuntimeContext) -> str | None:
    folder = run_cache_dir(context.ai_cache)
    return None if folder is None else str(Path(folder).absolute())


class AiRuntime:
    """``transform:ai``: one chat completion (plus schema corrections) per attempt."""

    kind = AI_KIND
    # The schema DSL's braces must reach the runtime as written (never rendered).
    raw_fields: frozenset[str] = frozenset({"output-schema"})

    async def prepare(self, request: NodeRequest, context: RuntimeContext) -> NodeRequest:
        """Resolve the request's :class:`AiCall` (endpoint, key, schema, cache, budget)."""
        config, node_id = request.config, request.node_id
        model = _text(config, "model")
        if model is None:
            raise _invalid(node_id, "model is required (the model name the endpoint knows)")
        if config.get("tools") is not None:
            context.warn(f"node {node_id}: tools is reserved and not supported yet; ignored")
        endpoint = resolve_endpoint(
            _text(config, "base-url"),
            _text(config, "api-key"),
            run_url=run_base_url(context.ai_base_url),
            keys=context.secrets,
        )
        if endpoint.api_key is None and not is_loopback(endpoint.base_url):
            raise _invalid(node_id, missing_key_message(node_id, endpoint.base_url))
        temperature = config.get("temperature")
        call = AiCall(
            node_id=node_id,
            model=model,
            system=_text(config, "system"),
            user=_user_message(request),
            schema=resolve_output_schema(
                config.get("output-schema"), context.schemas, node_id=node_id
            ),
            temperature=float(temperature) if isinstance(temperature, int | float) else None,
            max_tokens=_whole(config, "max-tokens", 4096, node_id, 1),
            max_retries=_whole(config, "max-retries", 2, node_id, 0),
            timeout_ms=_timeout_ms(request),
            base_url=endpoint.base_url,
            api_key=endpoint.api_key,
            cache_dir=_cache_dir(context),
            budget=parse_token_budget(context.context_budget),
            spent_before=context.usage.total_tokens,
            json_mode=endpoint.base_url in context.resources.get(JSON_MODE_RESOURCE, ()),
        )
        return dataclasses.replace(request, config={**config, CALL_KEY: call})

    async def run(self, request: NodeRequest, context: RuntimeContext) -> RuntimeOutput:
        """One attempt: call, validate, re-ask; the output with the attempt's usage."""
        call = request.config.get(CALL_KEY)
        if not isinstance(call, AiCall):
            call = (await self.prepare(request, context)).config[CALL_KEY]
        attempt = _Attempt(call, context)
        try:
            value = await attempt.answer()
        except NodeError as error:
            if attempt.usage is not None:
                error.details["usage"] = attempt.usage
            raise
        return RuntimeOutput(value, attempt.usage)


class _Attempt:
    """The calls of one attempt and the tokens they used."""

    def __init__(self, call: AiCall, context: RuntimeContext) -> None:
        self.call = call
        self.context = context
        self.usage: dict[str, Any] | None = None
        self.conversation = Conversation(call, json_mode=call.json_mode)

    async def answer(self) -> Any:
        call = self.call
        reply = await self.exchange()
        if call.schema is None:
            return _text_output(reply)
        value, problems = _structured(call, reply)
        for _ in range(call.max_retries):
            if not problems:
                return value
            self.conversation.reask(reply, problems)
            reply = await self.exchange()
            value, problems = _structured(call, reply)
        if not problems:
            return value
        raise NodeError(
            "ai.schema_invalid",
            f"{call.node_id}: the answer still does not match the output schema after "
            f"{call.max_retries} correction(s): {'; '.join(problems)}",
            retryable=True,
            details={"problems": problems, "model": call.model},
        )

    async def exchange(self) -> Reply:
        """One call (and its JSON-mode retry when the endpoint rejects tools)."""
        self.check_budget()
        try:
            completion = await complete(self.call, self.conversation.body(), self.context)
        except ToolsRejected:
            self.conversation.json_mode = True
            rejected = self.context.resources.setdefault(JSON_MODE_RESOURCE, set())
            rejected.add(self.call.base_url)
            self.context.warn(
                f"node {self.call.node_id}: {self.call.base_url} does not accept tools; "
                "asking for a JSON response instead"
            )
            completion = await complete(self.call, self.conversation.body(), self.context)
        usage = usage_from_response(completion.data, cached=completion.cached)
        self.usage = combine_usage(self.usage, usage)
        reply = parse_reply(completion.data)
        if isinstance(reply, str):
            raise malformed_response(self.call.url, reply)
        return reply

    def check_budget(self) -> None:
        """``ai.budget_exceeded`` when this call could take the run past its budget."""
        call = self.call
        if call.budget is None:
            return
        # The engine adds attempts to the run's ledger when they end; on a remote worker
        # the ledger may be a stale copy, hence the max with what prepare saw.
        run_total = max(self.context.usage.total_tokens, call.spent_before)
        used = run_total + int((self.usage or {}).get("totalTokens", 0))
        if used + call.max_tokens > call.budget:
            raise NodeError(
                "ai.budget_exceeded",
                f"{call.node_id}: the run's AI budget (runtime.context_budget) is "
                f"{call.budget:,} tokens; {used:,} are used and this call may use up to "
                f"{call.max_tokens:,} more (max-tokens)",
                retryable=False,
                details={"budget": call.budget, "used": used, "maxTokens": call.max_tokens},
            )


def _text_output(reply: Reply) -> Any:
    """The reply text, parsed as JSON when it is JSON."""
    text = reply.text
    if text is None:
        return ""
    try:
        return decode_json_text(text)
    except ValueError:
        return text


def _structured(call: AiCall, reply: Reply) -> tuple[Any, list[str]]:
    """The answer as data and its problems against the schema."""
    assert call.schema is not None
    if reply.arguments is not None:
        arguments = reply.arguments
        if isinstance(arguments, str):
            try:
                arguments = json.loads(arguments)
            except ValueError as exc:
                return None, [f"the arguments are not valid JSON ({exc})"]
    elif reply.text is not None and reply.text.strip():
        try:
            arguments = decode_json_text(reply.text)
        except ValueError:
            return None, ["the answer is not a JSON object (call the output function)"]
    else:
        return None, ["the reply has neither an output call nor any text"]
    problems = validate_json(arguments, call.schema.parameters)
    return call.schema.unwrap(arguments), problems
