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
                    if not more and not decoder.unconsumed_tail:
                        chunk += decoder.flush()
                size += len(chunk)
                if size > limit:
                    reason = f"the body is over {limit} bytes (the router's max_body_size)"
                    await _send(send, reject(413, reason, size), close=True)
                    return
                chunks.append(chunk)
                if not more:
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


def _decoder(headers: list[tuple[bytes, bytes]]) -> Any:
    """A zlib decompressor for the body's ``Content-Encoding`` (gzip, deflate), ``None`` for none.

    As aiohttp does: another encoding it cannot undo is an error, an unknown one is read as is.
    """
    for name, value in headers:
        if name.lower() == b"content-encoding":
            encoding = value.strip().lower()
            if encoding == b"gzip":
                return zlib.decompressobj(16 + zlib.MAX_WBITS)
            if encoding == b"deflate":
                return zlib.decompressobj(zlib.MAX_WBITS)
            if encoding in (b"br", b"zstd"):
                raise ValueError(f"Content-Encoding {encoding.decode('latin-1')} is not supported")
    return None


async def _send(
    send: Send, answer: Answer, extra: list[tuple[bytes, bytes]] | None = None, *, close: bool = False
) -> None:
    body = answer.body()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *(extra or []),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
