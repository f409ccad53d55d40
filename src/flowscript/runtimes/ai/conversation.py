"""Chat-completion requests and replies of one AI node (runtimes.md §6).

:class:`AiCall` is everything a node's attempt needs, as plain data (resolved in the
coordinator by ``AiRuntime.prepare``). :class:`Conversation` builds the request bodies:

- with a schema, the request forces a tool call named ``output`` whose parameters are the
  schema (``tools`` + ``tool_choice``); in *JSON mode* (an endpoint that rejects tools) it asks
  for ``response_format: {"type": "json_object"}`` and states the schema in the system prompt;
- a re-ask appends the previous answer and the validation errors to the messages.

:func:`parse_reply` reads a response body into a :class:`Reply`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from flowscript.runtimes.ai.schema import OutputSchema

__all__ = ["TOOL_NAME", "AiCall", "Conversation", "Reply", "decode_json_text", "parse_reply"]

TOOL_NAME: Final = "output"
_FENCE: Final = re.compile(r"^```[A-Za-z0-9_-]*\s*\n(.*?)\n?```\s*$", re.DOTALL)
_JSON_INSTRUCTION: Final = (
    "Respond with only a JSON object (no prose, no code fence) that matches this JSON Schema:\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AiCall:
    """One AI node's resolved settings (plain data, picklable for remote workers).

    Attributes:
        node_id: for messages.
        model: the model name.
        system: the system prompt, or ``None``.
        user: the user message.
        schema: the output schema, or ``None`` (the answer is text).
        temperature: sampling temperature, or ``None`` (the endpoint's default).
        max_tokens: the completion token limit of each call.
        max_retries: schema-correction round trips after the first answer.
        timeout_ms: the deadline of each HTTP call.
        base_url: the endpoint (no trailing slash).
        api_key: the bearer token, or ``None``.
        cache_dir: the record/replay folder, or ``None``.
        budget: the run's token budget (``runtime.context_budget``), or ``None`` (no cap).
        spent_before: the run's tokens used when the attempt was prepared.
        json_mode: start in JSON mode (the endpoint is known to reject tools).
    """

    node_id: str
    model: str
    system: str | None
    user: str
    schema: OutputSchema | None
    temperature: float | None
    max_tokens: int
    max_retries: int
    timeout_ms: float
    base_url: str
    api_key: str | None = field(repr=False)
    cache_dir: str | None
    budget: int | None
    spent_before: int = 0
    json_mode: bool = False

    @property
    def url(self) -> str:
        """The chat-completions URL."""
        return f"{self.base_url}/chat/completions"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the model answered.

    Attributes:
        message: the assistant message as returned (sent back when re-asking).
        text: the message content, or ``None``.
        arguments: the ``output`` tool call's arguments (a JSON string or an object), or
            ``None`` when the model did not call the tool.
        tool_call_id: the id of that tool call, when it has one.
    """

    message: dict[str, Any]
    text: str | None
    arguments: Any
    tool_call_id: str | None


class Conversation:
    """The messages of one attempt, growing with each re-ask."""

    def __init__(self, call: AiCall, *, json_mode: bool) -> None:
        self.call = call
        self.json_mode = json_mode
        self.turns: list[dict[str, Any]] = []

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The system and user messages, then every re-ask turn."""
        return [*self._opening(), *self.turns]

    def _opening(self) -> list[dict[str, Any]]:
        call, messages = self.call, []
        system = call.system
        if self.json_mode and call.schema is not None:
            schema = json.dumps(call.schema.parameters, ensure_ascii=False)
            system = f"{system}\n\n" if system else ""
            system += _JSON_INSTRUCTION + schema
        if system:
            messages.append({"role": "system", "content": system})
        messages.append({"role": "user", "content": call.user})
        return messages

    def body(self) -> dict[str, Any]:
        """The request body of the next call."""
        call = self.call
        body: dict[str, Any] = {
            "model": call.model,
            "messages": self.messages,
            "max_tokens": call.max_tokens,
        }
        if call.temperature is not None:
            body["temperature"] = call.temperature
        if call.schema is None:
            return body
        if self.json_mode:
            body["response_format"] = {"type": "json_object"}
            return body
        body["tools"] = [
            {
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "description": "Return the answer as structured data.",
                    "parameters": call.schema.parameters,
                },
            }
        ]
        body["tool_choice"] = {"type": "function", "function": {"name": TOOL_NAME}}
        return body

    def reask(self, reply: Reply, problems: list[str]) -> None:
        """Add the previous answer and what is wrong with it, asking for a corrected one."""
        listed = "\n".join(f"- {problem}" for problem in problems)
        self.turns.append(_assistant_turn(reply))
        if reply.tool_call_id is not None and not self.json_mode:
            self.turns.append(
                {
                    "role": "tool",
                    "tool_call_id": reply.tool_call_id,
                    "content": "The arguments do not match the required schema:\n"
                    f"{listed}\nCall `{TOOL_NAME}` again with corrected arguments.",
                }
            )
            return
        ask = (
            "Reply again with only the corrected JSON object."
            if self.json_mode
            else f"Call the `{TOOL_NAME}` function with corrected arguments."
        )
        self.turns.append(
            {
                "role": "user",
                "content": f"Your answer does not match the required schema:\n{listed}\n{ask}",
            }
        )


def _assistant_turn(reply: Reply) -> dict[str, Any]:
    turn: dict[str, Any] = {"role": "assistant", "content": reply.text}
    calls = reply.message.get("tool_calls")
    if isinstance(calls, list) and calls:
        turn["tool_calls"] = calls
    elif turn["content"] is None:
        turn["content"] = ""
    return turn


def _tool_call(message: Mapping[str, Any]) -> tuple[Any, str | None]:
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for call in calls:
            function = call.get("function") if isinstance(call, Mapping) else None
            if isinstance(function, Mapping) and function.get("name", TOOL_NAME) == TOOL_NAME:
                call_id = call.get("id")
                return function.get("arguments"), call_id if isinstance(call_id, str) else None
    legacy = message.get("function_call")
    if isinstance(legacy, Mapping):
        return legacy.get("arguments"), None
    return None, None


def parse_reply(data: Any) -> Reply | str:
    """The reply in a chat-completion body, or a description of what is wrong with it."""
    if not isinstance(data, Mapping):
        return "the body is not a JSON object"
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], Mapping):
        return "it has no choices"
    message = choices[0].get("message")
    if not isinstance(message, Mapping):
        return "its first choice has no message"
    content = message.get("content")
    text = content if isinstance(content, str) else _joined_parts(content)
    arguments, call_id = _tool_call(message)
    return Reply(message=dict(message), text=text, arguments=arguments, tool_call_id=call_id)


def _joined_parts(content: Any) -> str | None:
    """Content given as a list of parts (``[{"type": "text", "text": …}]``) joined."""
    if not isinstance(content, list):
        return None
    texts = [part.get("text") for part in content if isinstance(part, Mapping)]
    joined = "".join(text for text in texts if isinstance(text, str))
    return joined or None


def decode_json_text(text: str) -> Any:
    """A JSON value from reply text, allowing a surrounding Markdown code fence.

    Raises:
        ValueError: the text is not JSON.
    """
    stripped = text.strip()
    fenced = _FENCE.match(stripped)
    if fenced is not None:
        stripped = fenced.group(1).strip()
    return json.loads(stripped)
