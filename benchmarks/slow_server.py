"""A keep-alive HTTP/1.1 server answering every request after a fixed delay.

Run as its own process (``python benchmarks/slow_server.py DELAY_MS``); it prints its port on
the first line of stdout. A separate process matters: a server thread inside the measured
process competes for the GIL and would measure itself. Each response is written in one piece
(``http.server`` writes headers and body separately and meets delayed ACKs).
"""

from __future__ import annotations

import asyncio
import socket
import sys

RESPONSE = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"ok": true}'
)


async def _client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            await asyncio.sleep(delay)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(delay: float) -> None:
    """Serve forever on a free port of 127.0.0.1."""
    server = await asyncio.start_server(
        lambda r, w: _client(r, w, delay), "127.0.0.1", 0, backlog=1024
    )
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.05))
