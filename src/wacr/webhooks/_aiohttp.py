"""Serving a :class:`~wacr.webhooks.Router` over aiohttp: reading the body within the router's
bounds, checking and parsing it, answering, and stopping the handlers with the app."""

from __future__ import annotations

import asyncio
import logging
from typing import Final

import orjson
from aiohttp import web

from wacr.errors import WebhookError
from wacr.webhooks._events import json_kind, parse_event
from wacr.webhooks._router import Router, short
from wacr.webhooks._signatures import verify_signature

__all__ = ["handle", "setup"]

# What is read and dropped of a refused body at most, so that a sender that has already written
# it reads the answer instead of a connection reset.
_DISCARD_LIMIT: Final = 1024 * 1024
_log = logging.getLogger("wacr.webhooks")


async def handle(router: Router, request: web.BaseRequest) -> web.StreamResponse:
    """Answer one delivery as :class:`~wacr.webhooks.Router` says (``router.handler`` calls this)."""
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
        return _reject(400, f"the body could not be read ({type(exc).__name__})", size)
    body = b"".join(chunks)
    del chunks
    if router._secret is not None:
        signature = request.headers.get(router.signature_header)
        if not signature or not verify_signature(body, signature, router._secret):
            what = "missing" if not signature else "does not match the body"
            return _reject(401, f"the webhook signature is {what} ({router.signature_header} header)", size)
    # Decoded here rather than in parse_event so that the log can say what is wrong without
    # quoting the body (parse_event's messages quote bad values).
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return _reject(400, f"webhook body is not valid JSON ({exc})", size, logged="not valid JSON")
    if not isinstance(data, dict):
        reason = f"a webhook body must be a JSON object, not {json_kind(data)}"
        return _reject(400, reason, size)
    try:
        event = parse_event(data)
    except WebhookError as exc:
        header = data.get("event")
        event_id = header.get("id") if isinstance(header, dict) else None
        logged = "not a webhook event (a field is missing or of the wrong type)"
        if isinstance(event_id, str):
            logged += f", event {short(event_id)}"
        return _reject(400, str(exc), size, logged=logged)
    fresh = router.dispatch(event)
    return web.json_response({"received": True, "duplicate": not fresh})


async def _refuse(
    request: web.BaseRequest, status: int, reason: str, size: int, deadline: float
) -> web.StreamResponse:
    """Answer ``status`` while the body is still (partly) unread, then close the connection.

    What the sender is still sending is read and dropped, up to ``_DISCARD_LIMIT`` bytes and
    until ``deadline``, so that a client that writes its whole body before reading gets the
    answer rather than a reset; the connection is then closed, so no more is read.
    """
    response = _reject(status, reason, size)
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

    app.router.add_post(path, router.handler)
    app.on_shutdown.append(finish)
    app.on_cleanup.append(cancel)


def _reject(status: int, reason: str, size: int, *, logged: str | None = None) -> web.Response:
    """The answer to a refused request; the log gets ``logged`` (content-free) or the reason."""
    _log.warning("webhook rejected with %d: %s (%d bytes read)", status, logged or reason, size)
    return web.json_response({"received": False, "error": reason}, status=status)
