"""Serving a :class:`~wacr.webhooks.Router` as an ASGI 3 app (no framework needed): the body read
within the router's bounds, then what :meth:`Router.handle` says."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from wacr.webhooks._core import Answer, reject
from wacr.webhooks._router import Router

__all__ = ["AsgiApp"]

# The most members of a concatenated gzip or deflate body: aiohttp's reader allows as many.
_MAX_MEMBERS = 1024

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class AsgiApp:
    """A :class:`~wacr.webhooks.Router` as an ASGI 3 app (``router.asgi``).

    ::

        app = FastAPI(lifespan=lifespan)                # or Starlette(routes=[Mount(...)])
        app.mount("/hooks/wacr", router.asgi)           # serves POST /hooks/wacr/ ...
        app.router.routes.append(Route("/hooks/wacr", router.asgi))   # ... or exactly /hooks/wacr

    Starlette answers a mount's bare path (``/hooks/wacr``) with a 307 redirect to
    ``/hooks/wacr/``: register the URL with the slash, or add a ``starlette.routing.Route`` with
    the app as its endpoint for the exact path.

    It answers as :meth:`Router.handle` does, for any path it is given, and the bounds are the
    aiohttp handler's: a ``Content-Length`` over ``max_body_size`` is refused (413) before the
    body is read, a streamed body as soon as it passes the limit (counted after a ``gzip`` or
    ``deflate`` ``Content-Encoding`` is undone), a body not in within ``read_timeout`` seconds
    gets 408; those refusals ask the server to close the connection. Another method gets 405
    with ``Allow: POST``; a websocket is closed.

    Run on its own (``uvicorn module:router.asgi``), it answers the lifespan protocol: at
    shutdown it waits up to ``shutdown_timeout`` seconds for running handlers, then cancels the
    rest. Mounted in an app, the outer app's lifespan runs instead (Starlette does not pass it
    on): call ``await router.drain(10)`` and ``await router.close()`` at its shutdown.
    """

    def __init__(self, router: Router, *, shutdown_timeout: float = 10.0) -> None:
        self.router: Router = router
        self.shutdown_timeout: float = shutdown_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        elif kind == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})
        else:
            raise ValueError(f"the webhook router serves http (and lifespan) scopes, not {kind!r}")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.router.drain(self.shutdown_timeout)
                await self.router.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        router = self.router
        if scope["method"] != "POST":
            answer = Answer(405, f"webhooks are delivered with POST, not {scope['method']}")  # as _aiohttp
            await _send(send, answer, [(b"allow", b"POST")])
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + router.read_timeout
        limit = router.max_body_size
        length = _content_length(headers)
        if length is not None and length > limit:
            reason = f"the body is over {limit} bytes (the router's max_body_size; Content-Length: {length})"
            await _send(send, reject(413, reason, 0), close=True)
            return
        chunks: list[bytes] = []
        size = 0
        try:
            decoder = _decoder(headers)
            while True:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise asyncio.TimeoutError
                message = await asyncio.wait_for(receive(), remaining)
                if message["type"] == "http.disconnect":
                    return  # the sender went away: nobody to answer
                chunk = message.get("body", b"")
                more = message.get("more_body", False)
                if decoder is not None:
                    # At most one byte over the limit is inflated: enough to know it is over.
                    chunk = decoder.decompress(chunk, limit - size + 1)
                size += len(chunk)
                if size > limit:
                    reason = f"the body is over {limit} bytes (the router's max_body_size)"
                    await _send(send, reject(413, reason, size), close=True)
                    return
                chunks.append(chunk)
                if not more:
                    if decoder is not None:
                        decoder.finish()
                    break
        except asyncio.TimeoutError:
            reason = f"the body was not received within {router.read_timeout:g} seconds"
            await _send(send, reject(408, reason, size), close=True)
            return
        except (zlib.error, ValueError) as exc:  # a bad encoding: the sender's fault, not a 500
            reason = f"the body could not be read ({type(exc).__name__}: {exc})"
            await _send(send, reject(400, reason, size), close=True)
            return
        await _send(send, await router.handle(b"".join(chunks), headers))


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server has already judged it
    return None


def _decoder(headers: list[tuple[bytes, bytes]]) -> _Inflater | None:
    """The decoder of the body's ``Content-Encoding`` (gzip, deflate), ``None`` for none.

    As aiohttp does: another encoding it cannot undo is an error, an unknown one is read as is.
    """
    for name, value in headers:
        if name.lower() == b"content-encoding":
            encoding = value.strip().lower()
            if encoding in (b"gzip", b"deflate"):
                return _Inflater(gzip=encoding == b"gzip")
            if encoding in (b"br", b"zstd"):
                raise ValueError(f"Content-Encoding {encoding.decode('latin-1')} is not supported")
    return None


class _Inflater:
    """gzip or deflate undone as aiohttp's reader does (the two adapters must answer alike):
    every member of a concatenated stream (up to ``_MAX_MEMBERS``), a deflate body without its
    zlib header as raw deflate, a deflate body cut short an error; at most ``max_length`` bytes
    out per call, so a bomb is refused once it passes the router's limit."""

    def __init__(self, *, gzip: bool) -> None:
        self._gzip = gzip
        self._wbits = 16 + zlib.MAX_WBITS if gzip else zlib.MAX_WBITS
        self._zlib: Any = None
        self._members = 0

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._zlib is None:
            if not data:
                return b""
            if not self._gzip and data[0] & 0x0F != 8:  # no zlib header (RFC 1950's CM = 8)
                self._wbits = -zlib.MAX_WBITS
            self._next_member()
        out: bytes = self._zlib.decompress(data, max_length)
        # A member ended with bytes after it: they start the next member.
        while len(out) < max_length and self._zlib.eof and self._zlib.unused_data:
            rest = self._zlib.unused_data
            self._next_member()
            out += self._zlib.decompress(rest, max_length - len(out))
        return out

    def finish(self) -> None:
        """The body ended: a deflate stream must be complete (aiohttp says the same)."""
        if self._zlib is not None and not self._gzip and not self._zlib.eof:
            raise ValueError("the deflate body ends before its stream does")

    def _next_member(self) -> None:
        self._members += 1
        if self._members > _MAX_MEMBERS:
            raise ValueError(f"the compressed body has more than {_MAX_MEMBERS} members")
        self._zlib = zlib.decompressobj(self._wbits)


async def _send(
    send: Send, answer: Answer, extra: list[tuple[bytes, bytes]] | None = None, *, close: bool = False
) -> None:
    body = answer.body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    if answer.retry_after is not None:
        headers.append((b"retry-after", str(answer.retry_after).encode()))
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
