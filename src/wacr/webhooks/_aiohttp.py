"""Serving a :class:`~wacr.webhooks.Router` over aiohttp: reading the body within the router's
bounds, answering what :meth:`Router.handle` says, and stopping the handlers with the app."""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from aiohttp import web

from wacr.webhooks._core import Answer, reject
from wacr.webhooks._router import Router

__all__ = ["handle", "setup"]

# What is read and dropped of a refused body at most, so that a sender that has already written
# it reads the answer instead of a connection reset.
_DISCARD_LIMIT: Final = 1024 * 1024
_log = logging.getLogger("wacr.webhooks")


async def handle(router: Router, request: web.BaseRequest) -> web.StreamResponse:
    """Answer one delivery as :class:`~wacr.webhooks.Router` says (``router.handler`` calls this)."""
    if request.method != "POST":
        response = _response(Answer(405, f"webhooks are delivered with POST, not {request.method}"))
        response.headers["Allow"] = "POST"
        return response
    loop = asyncio.get_running_loop()
    deadline = loop.time() + router.read_timeout
    limit, whose = router.max_body_size, "the router's max_body_size"
    if request.client_max_size < limit:
        limit, whose = request.client_max_size, "the application's client_max_size"
    length = request.content_length
    if length is not None and length > limit:
        # Refused on the header alone: none of the body is read.
        reason = f"the body is over {limit} bytes ({whose}; Content-Length: {length})"
        return await _refuse(request, 413, reason, 0, deadline)
    chunks: list[bytes] = []
    size = 0
    try:
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise asyncio.TimeoutError
            chunk = await asyncio.wait_for(request.content.readany(), remaining)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                reason = f"the body is over {limit} bytes ({whose})"
                return await _refuse(request, 413, reason, size, deadline)
            chunks.append(chunk)
    except asyncio.TimeoutError:
        reason = f"the body was not received within {router.read_timeout:g} seconds"
        return await _refuse(request, 408, reason, size, deadline)
    except Exception as exc:  # a broken chunked body or a bad encoding: the sender's fault, not a 500
        return _response(reject(400, f"the body could not be read ({type(exc).__name__})", size))
    body = b"".join(chunks)
    del chunks
    return _response(await router.handle(body, request.headers))


async def _refuse(
    request: web.BaseRequest, status: int, reason: str, size: int, deadline: float
) -> web.StreamResponse:
    """Answer ``status`` while the body is still (partly) unread, then close the connection.

    What the sender is still sending is read and dropped, up to ``_DISCARD_LIMIT`` bytes and
    until ``deadline``, so that a client that writes its whole body before reading gets the
    answer rather than a reset; the connection is then closed, so no more is read.
    """
    response = _response(reject(status, reason, size))
    response.force_close()
    try:
        await response.prepare(request)
        await response.write_eof()
        loop = asyncio.get_running_loop()
        dropped = 0
        declared = request.content_length
        if declared is None or declared - size <= _DISCARD_LIMIT:
            while dropped <= _DISCARD_LIMIT and not request.content.is_eof():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                chunk = await asyncio.wait_for(request.content.readany(), remaining)
                if not chunk:
                    break
                dropped += len(chunk)
    except Exception:  # timed out, or the sender went away: nothing more to read
        pass
    finally:
        if not request.content.is_eof():
            request.protocol.force_close()
    return response


def setup(router: Router, app: web.Application, path: str, *, shutdown_timeout: float) -> None:
    """Route ``POST path`` of ``app`` to ``router``; drain, then cancel, its handlers with the app."""

    async def finish(_app: web.Application) -> None:
        await router.drain(shutdown_timeout)

    async def cancel(_app: web.Application) -> None:
        await router.close()

    app.router.add_route("*", path, router.handler)  # another method: the router's own JSON 405
    app.on_shutdown.append(finish)
    app.on_cleanup.append(cancel)


def _response(answer: Answer) -> web.Response:
    response = web.Response(body=answer.body(), status=answer.status, content_type="application/json")
    if answer.retry_after is not None:
        response.headers["Retry-After"] = str(answer.retry_after)
    return response
