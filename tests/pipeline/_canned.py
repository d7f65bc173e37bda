"""A raw loopback HTTP/1.1 server for the hostile-answer tests: every byte of its answers is the
test's (header values outside Latin-1 included), and it records the target of every request."""

from __future__ import annotations

import asyncio
import contextlib
import json
import urllib.parse
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import wacr

#: ``(status, headers, body)``: a body that is not bytes is sent as JSON (integers of any size,
#: text as UTF-8).
Answer = tuple[int, Sequence[tuple[str, str]], Any]


class Canned:
    """Answers each request with ``answer(page)`` (``page``: the query's ``page``, ``None``
    when absent), keeping the connection alive; ``targets`` lists every request line's target."""

    def __init__(self, answer: Callable[[int | None], Answer]) -> None:
        self.answer = answer
        self.targets: list[str] = []
        self.base = ""

    @property
    def pages(self) -> list[int | None]:
        """The ``page`` of every request, in order."""
        return [_page_of(target) for target in self.targets]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                target = head[0].split(" ")[1]
                length = 0
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.targets.append(target)
                status, headers, body = self.answer(_page_of(target))
                data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
                lines = [f"HTTP/1.1 {status} Answer", f"Content-Length: {len(data)}"]
                lines += [f"{name}: {value}" for name, value in headers]
                if not any(name.lower() == "content-type" for name, _ in headers):
                    lines.append("Content-Type: application/json")
                writer.write("\r\n".join(lines).encode("utf-8") + b"\r\n\r\n" + data)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _page_of(target: str) -> int | None:
    raw = urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("page")
    return int(raw[0]) if raw else None


@contextlib.asynccontextmanager
async def serving(answer: Callable[[int | None], Answer]) -> AsyncIterator[Canned]:
    """A :class:`Canned` server on 127.0.0.1 for the block; ``.base`` is its API base URL."""
    canned = Canned(answer)
    server = await asyncio.start_server(canned.handle, "127.0.0.1", 0)
    canned.base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v2"
    try:
        yield canned
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def client_of(
    answer: Callable[[int | None], Answer], token: str, **options: Any
) -> AsyncIterator[tuple[Canned, wacr.Client]]:
    """A :func:`serving` server and a :class:`wacr.Client` aimed at it (``max_retries=0`` unless
    ``options`` say otherwise), both closed after the block."""
    async with serving(answer) as server:
        options.setdefault("max_retries", 0)
        async with wacr.Client(token, base_url=server.base, **options) as client:
            yield server, client
