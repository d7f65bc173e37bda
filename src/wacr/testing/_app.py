"""The emulator's aiohttp application: routing a request to its operation, authentication, the
per-token limit, the envelopes, and the injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import urllib.parse
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import orjson
from aiohttp import web

from wacr.testing._clock import isoformat
from wacr.testing._context import Ctx
from wacr.testing._control import control_routes
from wacr.testing._core import (
    ApiError,
    Raw,
    Result,
    dump_json,
    new_request_id,
    rate_limited,
    validation_error,
)
from wacr.testing._faults import Fault, default_error
from wacr.testing._log import ReceivedRequest
from wacr.testing._memory import Memory
from wacr.testing._router import ROUTER, php_input

if TYPE_CHECKING:
    from wacr.testing._emulator import Emulator

__all__ = ["API_PREFIX", "ApiHandler", "build_app"]

API_PREFIX: Final = "/api/v2"
_BODY_ERROR: Final = {"body": ["The request body must be a JSON object."]}
_WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_log = logging.getLogger("wacr.testing")


def _meta(request_id: str, stamp: str) -> dict[str, Any]:
    return {"request_id": request_id, "timestamp": stamp}


def superseded(stamp: str) -> web.Response:
    """The answer to a request that a reset overtook: a 409 nothing retries (not a dropped
    connection, which clients send again, into the new state), and nothing was done."""
    error = ApiError(
        409,
        "EMULATOR_RESET",
        "The emulator was reset while this request was being handled; it was not carried out.",
    )
    request_id = new_request_id()
    body = dump_json(_error_payload(error, request_id, stamp))
    return web.Response(
        body=body, status=409, headers={"Content-Type": "application/json", "X-Request-Id": request_id}
    )


def _error_payload(error: ApiError, request_id: str, stamp: str) -> dict[str, Any]:
    # The upstream error envelope: no top-level `message`, `code` or `errors`; `details` is always
    # an object (`{}` when there is nothing to add, upstream-v2.md §2.5).
    details = dict(error.details) if error.details is not None else {}
    payload: dict[str, Any] = {
        "success": False,
        "error": {"code": error.code, "message": error.message, "details": details},
        "meta": _meta(request_id, stamp),
    }
    if error.extra:
        payload.update(error.extra)
    return payload


class ApiHandler:
    """Answers every request under ``/api/v2`` from the emulator's :class:`Memory`."""

    def __init__(self, memory: Memory) -> None:
        self._memory = memory

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of everything under ``/api/v2``: always a JSON envelope."""
        path = request.path[len(API_PREFIX) :] or "/"
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        query = dict(request.query) if request.query_string else {}
        entry = ReceivedRequest(request.method, path, query, None, self._memory.clock.now())
        with self._memory.lock:
            self._memory.received.append(entry)
        fault = self._memory.take_fault(request.method, path) if self._memory.faults else None
        if fault is not None:
            entry.fault = True
            return await self._faulted(request, entry, fault)
        try:
            raw = await request.read() if request.body_exists else b""
        except web.HTTPRequestEntityTooLarge:
            error = ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
            return self._error_response(request, entry, error)
        except web.HTTPException as exc:
            error = ApiError(exc.status, "BAD_REQUEST", "The request body could not be read.")
            return self._error_response(request, entry, error)
        except Exception:  # a body that does not decompress, a broken chunked encoding...
            error = ApiError(400, "BAD_REQUEST", "The request body could not be read.")
            return self._error_response(request, entry, error)
        return self._process(request, entry, raw)

    def _error_response(self, request: web.Request, entry: ReceivedRequest, error: ApiError) -> web.Response:
        request_id = new_request_id()
        entry.request_id, entry.status = request_id, error.status
        payload = _error_payload(error, request_id, isoformat(self._memory.clock.now()))
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        with self._memory.lock:
            self._rate_headers(request, headers)
        return web.Response(body=dump_json(payload), status=error.status, headers=headers)

    def _process(self, request: web.Request, entry: ReceivedRequest, raw: bytes) -> web.Response:
        request_id = new_request_id()
        entry.request_id = request_id
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        with self._memory.lock:
            now = self._memory.clock.now()
            stamp = isoformat(now)
            try:
                result = self._dispatch(request, entry, raw, now, stamp, headers)
                if isinstance(result, Raw):
                    status, payload = result.status, result.payload
                else:
                    meta = _meta(request_id, stamp)
                    if result.pagination is not None:
                        meta["pagination"] = result.pagination
                    status = result.status
                    payload = {"success": True, "data": result.data, "message": result.message, "meta": meta}
            except ApiError as error:
                status, payload = error.status, _error_payload(error, request_id, stamp)
                if error.headers:
                    headers.update(error.headers)
            except Exception:  # a bug in the emulator: answer like the server's own 500
                _log.exception("wacr emulator: unhandled error on %s %s", request.method, entry.path)
                internal = ApiError(500, "INTERNAL_ERROR", "An unexpected error occurred.")
                status, payload = 500, _error_payload(internal, request_id, stamp)
            self._rate_headers(request, headers)
            # Whatever the handler changed is real even when it then failed: send it all.
            events = self._memory.state.take_webhook_events()
        entry.status = status
        if events:
            self._memory.webhooks.publish(events, request_id)
        return web.Response(body=dump_json(payload), status=status, headers=headers)

    def _token_of(self, request: web.BaseRequest) -> str | None:
        """The credential a request carries: ``Authorization: Bearer``, else ``X-API-Key``."""
        scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            return credential.strip()
        key = request.headers.get("X-API-Key", "").strip()
        return key or None

    def _rate_headers(self, request: web.BaseRequest, headers: dict[str, str]) -> None:
        """``X-RateLimit-*`` on every answer to a known token while the general limit is on."""
        state = self._memory.state
        if state.rate_limit is None:
            return
        credential = self._token_of(request)
        if credential is None or credential not in state.tokens:
            return
        remaining, reset_at = state.token_limiter.peek(credential, self._memory.clock.now())
        headers["X-RateLimit-Limit"] = str(state.rate_limit)
        headers["X-RateLimit-Remaining"] = str(remaining)
        headers["X-RateLimit-Reset"] = str(math.ceil(reset_at.timestamp()))

    def _dispatch(
        self,
        request: web.Request,
        entry: ReceivedRequest,
        raw: bytes,
        now: datetime,
        stamp: str,
        headers: dict[str, str],
    ) -> Result | Raw:
        method = request.method
        body: Any = {}
        body_ok = True
        if method in _WRITE_METHODS and raw.strip():
            if request.content_type == "application/x-www-form-urlencoded":
                # A form is input to Laravel too (strings, PHP-style keys), not only JSON.
                pairs = urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
                body = php_input(pairs)
            else:
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    body, body_ok = None, False
            entry.json = body
            body_ok = body_ok and isinstance(body, dict)
        if body_ok and method in _WRITE_METHODS and request.query_string:
            # Laravel reads query and body as one input; the body wins on a clash.
            body = {**php_input(request.query.items()), **body}

        # HEAD is served like GET (aiohttp drops the body), as Laravel does.
        route, params, allowed = ROUTER.resolve("GET" if method == "HEAD" else method, entry.path)
        if route is None:
            if allowed:
                raise ApiError(
                    405,
                    "METHOD_NOT_ALLOWED",
                    f"The {method} method is not supported for this route. "
                    f"Supported methods: {', '.join(allowed)}.",
                    headers={"Allow": ", ".join(allowed)},
                )
            raise ApiError(404, "NOT_FOUND", "The requested endpoint does not exist.")

        state = self._memory.state
        credential = self._token_of(request)
        if credential is None:
            raise ApiError(
                401,
                "UNAUTHORIZED",
                "Unauthenticated: send a valid API token as a Bearer token or in X-API-Key.",
            )
        token = state.tokens.get(credential)
        if token is None:
            raise ApiError(401, "UNAUTHORIZED", "Invalid or expired API token.")
        # The throttle counts every authenticated call to a route, refused by scope or not (it
        # sits in front of the ability checks, as Laravel's `throttle` middleware does).
        if state.rate_limit is not None:
            limiter = state.token_limiter
            retry = limiter.retry_after(token.token, now)
            if retry is not None:
                raise rate_limited(retry)
            limiter.hit(token.token, now)
        if route.scope is not None and route.scope not in token.scopes:
            raise ApiError(
                403,
                "INSUFFICIENT_SCOPE",
                f"Token missing `{route.scope}` scope",
                {"required_scope": route.scope},
            )
        if not body_ok:
            raise validation_error(_BODY_ERROR)

        tenant = state.tenants[token.tenant_id]
        # A key given twice: the last value, as PHP reads a query string (`?page=1&page=2` is page 2).
        query = dict(request.query.items()) if request.query_string else {}
        ctx = Ctx(state, tenant, token, body, query, params, now, stamp, self._memory.outbox)
        return route.handler(ctx)

    async def _faulted(
        self, request: web.Request, entry: ReceivedRequest, fault: Fault
    ) -> web.StreamResponse:
        # The request is read before the delay: a slow server still has the request when the
        # client gives up, and finishes the work.
        try:
            raw = await request.read() if fault.drop != "before" and request.body_exists else b""
        except web.HTTPRequestEntityTooLarge:
            return self._error_response(
                request, entry, ApiError(413, "PAYLOAD_TOO_LARGE", "The request body is too large.")
            )
        except web.HTTPException as exc:
            return self._error_response(
                request, entry, ApiError(exc.status, "BAD_REQUEST", "The request body could not be read.")
            )
        if fault.delay:
            await asyncio.sleep(fault.delay)
            with self._memory.lock:
                pass  # a reset during the delay supersedes the request (Superseded), whatever it answers
        if fault.drop == "before":
            _drop(request)
            return web.Response()
        response: web.StreamResponse | None = None
        if not fault.replaces_answer or fault.run_handler or fault.drop == "after":
            response = self._process(request, entry, raw)
        elif raw.strip():
            with contextlib.suppress(orjson.JSONDecodeError):
                entry.json = orjson.loads(raw)  # logged even though no handler saw it
        if fault.drop == "after":
            entry.status = None
            _drop(request)
            return response or web.Response()
        if fault.replaces_answer or response is None:
            response = self._fault_response(request, fault)
        for name, value in fault.headers.items():
            response.headers[name] = value
        entry.status = response.status
        return response

    def _fault_response(self, request: web.Request, fault: Fault) -> web.Response:
        status = fault.status if fault.status is not None else 200
        headers: dict[str, str] = {}
        if fault.body is not None:
            body = fault.body.encode() if isinstance(fault.body, str) else fault.body
            content_type = fault.content_type or (
                "text/html" if body.lstrip().startswith(b"<") else "application/json"
            )
        elif fault.json is not None:
            body = dump_json(fault.json)
            content_type = fault.content_type or "application/json"
        else:
            request_id = new_request_id()
            headers["X-Request-Id"] = request_id
            code, message = default_error(status)
            details = None
            if fault.retry_after is not None:
                seconds = math.ceil(fault.retry_after)
                details = {"retry_after": seconds}
                headers["Retry-After"] = str(seconds)
            error = ApiError(status, code, message, details)
            body = dump_json(_error_payload(error, request_id, isoformat(self._memory.clock.now())))
            with self._memory.lock:  # the emulator's own envelope: as from the server, with its headers
                self._rate_headers(request, headers)
            content_type = fault.content_type or "application/json"
        if fault.retry_after is not None and "Retry-After" not in headers:
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
        headers["Content-Type"] = content_type
        return web.Response(body=body, status=status, headers=headers)


def _drop(request: web.BaseRequest) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def build_app(
    emulator: Emulator, memory: Memory, handle_api: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.Application:
    """The application: the control API, ``handle_api`` under ``/api/v2``, a 404 envelope elsewhere."""

    async def not_found(request: web.Request) -> web.StreamResponse:
        # Outside /api/v2 and /_emulator: the same 404 envelope as an unknown API route.
        request_id = new_request_id()
        error = ApiError(404, "NOT_FOUND", "The requested endpoint does not exist.")
        payload = _error_payload(error, request_id, isoformat(memory.clock.now()))
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        return web.Response(body=dump_json(payload), status=404, headers=headers)

    async def close_webhooks(_app: web.Application) -> None:
        await memory.webhooks.close()

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app.on_cleanup.append(close_webhooks)
    app.add_routes(control_routes(emulator))
    # `[\s\S]`, not `.`: a path with a (percent-encoded) CR or LF must reach the JSON handlers too.
    app.router.add_route("*", API_PREFIX + r"{tail:[\s\S]*}", handle_api)
    app.router.add_route("*", r"/{tail:[\s\S]*}", not_found)
    return app
