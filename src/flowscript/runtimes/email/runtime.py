"""The ``email:sink`` runtime (runtimes.md §5): one message per node run, SMTP or SendGrid.

The node's config and input become an :class:`~flowscript.runtimes.email.message.EmailContent`
(addresses validated, attachments read from the base folder), which the provider chosen by
``provider`` delivers. Output: ``{provider, messageId, accepted}`` where ``accepted`` lists
every envelope recipient (to, cc and bcc) the provider took. Passwords and API keys never
appear in the output or in an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

from flowscript.errors import NodeError
from flowscript.runtimes.base import NodeRequest, RuntimeContext
from flowscript.runtimes.email.message import EmailContent, read_content

__all__ = ["EmailSinkRuntime"]

_Provider = Callable[[EmailContent, Mapping[str, Any], RuntimeContext], Awaitable[str]]


async def _via_smtp(
    content: EmailContent, config: Mapping[str, Any], context: RuntimeContext
) -> str:
    from flowscript.runtimes.email.smtp import send_smtp, smtp_settings

    return await send_smtp(content, smtp_settings(config))


async def _via_sendgrid(
    content: EmailContent, config: Mapping[str, Any], context: RuntimeContext
) -> str:
    from flowscript.runtimes.email.sendgrid import DEFAULT_ENDPOINT, send_sendgrid

    api_key = config.get("api-key")
    if not isinstance(api_key, str) or not api_key.strip():
        raise NodeError(
            "config.invalid", "field 'api-key': SendGrid needs an API key", retryable=False
        )
    endpoint = str(config.get("endpoint") or DEFAULT_ENDPOINT).strip()
    return await send_sendgrid(context.http, content, api_key=api_key.strip(), endpoint=endpoint)


_PROVIDERS: Final[Mapping[str, _Provider]] = {"smtp": _via_smtp, "sendgrid": _via_sendgrid}


class EmailSinkRuntime:
    """``<sink type="email">``: sends one message; output ``{provider, messageId, accepted}``."""

    kind = "email:sink"
    raw_fields: frozenset[str] = frozenset()

    async def run(self, request: NodeRequest, context: RuntimeContext) -> Any:
        """Build the message from the config and input, and deliver it.

        Raises:
            NodeError: ``config.invalid``, ``email.invalid_address``, ``file.*`` for an
                attachment, or the provider's ``email.*`` error.
        """
        config = request.config
        provider = str(config.get("provider") or "smtp").strip().lower()
        send = _PROVIDERS.get(provider)
        if send is None:
            choices = ", ".join(_PROVIDERS)
            raise NodeError(
                "config.invalid", f"field 'provider': {provider!r} is not one of {choices}"
            )
        # Attachments are read from disk: off the event loop.
        content = await asyncio.to_thread(read_content, config, request.input, context.root)
        message_id = await send(content, config, context)
        return {"provider": provider, "messageId": message_id, "accepted": content.recipients}
