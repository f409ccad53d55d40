"""A local mail server for ``orders-to-db-email.flow.md``: prints every message it receives.

Run ``python examples/serve_mail.py [PORT]`` (default 8025; needs ``pip install aiosmtpd``),
then ``flowscript run examples/orders-to-db-email.flow.md``. The test suite starts the same
server on a free port and passes ``-c smtp_port=…``.
"""

from __future__ import annotations

import socket
import sys
import threading
from email import message_from_bytes
from email.message import Message
from typing import Any


class Mailbox:
    """An aiosmtpd handler keeping ``(envelope recipients, parsed message)`` pairs."""

    def __init__(self, echo: bool = False) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.echo = echo

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        self.received.append((list(envelope.rcpt_tos), message))
        if self.echo:
            print(f"--- to {', '.join(envelope.rcpt_tos)}: {message['Subject']}")
            print(message.get_payload(decode=True).decode(errors="replace"), flush=True)
        return "250 OK"


def start(port: int = 0, *, echo: bool = False) -> tuple[Any, Mailbox]:
    """Start the server on 127.0.0.1; returns ``(controller, mailbox)``. ``controller.port``
    is the port; stop it with ``controller.stop()``."""
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        sys.exit("this demo mail server needs aiosmtpd: pip install aiosmtpd")
    if port == 0:  # pick a free port (the controller checks the port it was given)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    mailbox = Mailbox(echo)
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


if __name__ == "__main__":
    controller, _ = start(int(sys.argv[1]) if len(sys.argv) > 1 else 8025, echo=True)
    print(f"mail server on 127.0.0.1:{controller.port}; Ctrl-C to stop", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        controller.stop()
