"""A minimal loopback HTTP/1.1 server answering canned JSON, run in its own process.

``POST`` gets the send answer, ``GET`` the 100-contact page. It parses just enough HTTP
(request head, ``Content-Length``, keep-alive) to serve aiohttp's client, so that nearly all
the CPU of a throughput run is the client's. Prints ``PORT <n>`` and serves until stdin closes.

    python bench/canned_server.py
"""

from __future__ import annotations

import asyncio
import sys

import orjson
from _common import page_envelope, send_envelope


def _response(body: bytes) -> bytes:
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        "X-Request-ID: 3f8a4c1e-9b2d-4e57-8a61-0c5d2e7f9b13\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Date: Sun, 22 Nov 2026 14:28:43 GMT\r\n"
        "Server: Python/3.11 aiohttp/3.14.5\r\n"
        "\r\n"
    )
    return head.encode() + body


SEND = _response(orjson.dumps(send_envelope()))
PAGE = _response(orjson.dumps(page_envelope(100)))


class _Http(asyncio.Protocol):
    __slots__ = ("buf", "transport")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buf = b""

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                break
            length = 0
            at = buf.find(b"ontent-Length:", 0, end)
            if at < 0:
                at = buf.find(b"ontent-length:", 0, end)
            if at >= 0:
                stop = buf.find(b"\r\n", at)
                length = int(buf[at + 14 : stop if 0 <= stop < end else end])
            total = end + 4 + length
            if len(buf) < total:
                break
            self.transport.write(PAGE if buf.startswith(b"GET") else SEND)
            buf = buf[total:]
        self.buf = buf


async def main() -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(_Http, "127.0.0.1", 0, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    print(f"PORT {port}", flush=True)
    # Serve until the parent closes our stdin (or dies).
    await loop.run_in_executor(None, sys.stdin.read)
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
