"""The :class:`Emulator`: the aiohttp application, request dispatch, faults and the control API."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import math
import re
import threading
import urllib.parse
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import TracebackType
from typing import Any, Final

import orjson
from aiohttp import web

from wacr.testing import _account, _auth, _contacts, _groups, _messages, _templates
from wacr.testing._clock import Clock, isoformat
from wacr.testing._context import Ctx, Route
from wacr.testing._control import control_routes
from wacr.testing._core import (
    ApiError,
    Raw,
    Result,
    digits_of,
    dump_json,
    new_request_id,
    new_wamid,
    rate_limited,
    validation_error,
)
from wacr.testing._faults import Fault, default_error
from wacr.testing._log import ReceivedRequest, SentMessage
from wacr.testing._state import (
    ALL_SCOPES,
    Chat,
    Contact,
    Message,
    State,
    Tenant,
    Token,
    new_tenant,
    sync_template,
    template_definition,
)
from wacr.testing._webhooks import Delivery, Webhook, WebhookDispatcher

__all__ = ["API_PREFIX", "EMULATOR_KEY", "Emulator", "create_app"]

API_PREFIX: Final = "/api/v2"
_BODY_ERROR: Final = {"body": ["The request body must be a JSON object."]}
_WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_QUERY_KEY: Final = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
_QUERY_PART: Final = re.compile(r"\[([^\[\]]*)\]")
_MAX_QUERY_DEPTH: Final = 32  # PHP's max_input_nesting_level is 64; nobody needs more than this
_log = logging.getLogger("wacr.testing")


class _Router:
    """Laravel-like matching: static paths first, then templates; 405 when only the method is wrong."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self._static: dict[str, dict[str, Route]] = {}
        self._dynamic: list[tuple[re.Pattern[str], dict[str, Route]]] = []
        patterns: dict[str, dict[str, Route]] = {}
        for route in routes:
            if "{" in route.path:
                patterns.setdefault(route.path, {})[route.method] = route
            else:
                self._static.setdefault(route.path, {})[route.method] = route
        for path, methods in patterns.items():
            regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path)
            self._dynamic.append((re.compile(f"^{regex}$"), methods))

    def resolve(self, method: str, path: str) -> tuple[Route | None, dict[str, str], list[str]]:
        """(route, path params, allowed methods of the path when the method did not match)."""
        allowed: list[str] = []
        methods = self._static.get(path)
        if methods is not None:
            route = methods.get(method)
            if route is not None:
                return route, {}, []
            allowed.extend(methods)
        for regex, methods in self._dynamic:
            match = regex.match(path)
            if match is None:
                continue
            route = methods.get(method)
            if route is not None:
                return route, match.groupdict(), []
            allowed.extend(methods)
        return None, {}, sorted(set(allowed))


ROUTER: Final = _Router(
    [
        *_account.ROUTES,
        *_auth.ROUTES,
        *_templates.ROUTES,
        *_contacts.ROUTES,
        *_groups.ROUTES,
        *_messages.ROUTES,
    ]
)


def php_input(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Query-string pairs as PHP (and so Laravel) reads them: ``a[b]=1`` nests, ``a[]=1&a[]=2``
    makes a list, a repeated plain key keeps its last value. Values stay strings."""
    root: dict[str, Any] = {}
    next_index: dict[int, int] = {}  # id(node) -> the index `[]` appends at (PHP: max + 1)
    created: list[dict[str, Any]] = []
    for key, value in pairs:
        match = _QUERY_KEY.match(key)
        if match is None:
            root[key] = value
            continue
        path = [match.group(1), *_QUERY_PART.findall(match.group(2))][:_MAX_QUERY_DEPTH]
        node = root
        for index, part in enumerate(path):
            if part == "":
                part = str(next_index.get(id(node), 0))
            if part.isascii() and part.isdigit() and len(part) < 10:
                next_index[id(node)] = max(next_index.get(id(node), 0), int(part) + 1)
            if index == len(path) - 1:
                node[part] = value
            else:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                    created.append(child)  # alive until the end: its id keys `next_index`
                node = child
    return {key: _php_lists(value) for key, value in root.items()}


def _php_lists(value: Any) -> Any:
    # A PHP array with the keys 0..n-1 in order is a JSON list.
    if not isinstance(value, dict):
        return value
    items = {key: _php_lists(item) for key, item in value.items()}
    if list(items) == [str(n) for n in range(len(items))]:
        return list(items.values())
    return items


def _meta(request_id: str, stamp: str) -> dict[str, Any]:
    return {"request_id": request_id, "timestamp": stamp}


def _error_payload(error: ApiError, request_id: str, stamp: str) -> dict[str, Any]:
    # The upstream error envelope: no top-level `message`, `code` or `errors`.
    payload: dict[str, Any] = {
        "success": False,
        "error": {"code": error.code, "message": error.message, "details": error.details},
        "meta": _meta(request_id, stamp),
    }
    if error.extra:
        payload.update(error.extra)
    return payload


class Emulator:
    """An in-process emulator of the WA.cr / RASL WhatsApp Business API v2.

    It serves the 44 operations under ``/api/v2`` from memory: tokens with scopes, plan limits,
    contacts, groups, sources, statuses, templates, messages, comments, the OTP rules, pagination,
    filters, validation messages and the documented envelopes. It is seeded so the documented
    flows work at once (tenant 1 "Acme Ltd", a token with every scope, the APPROVED
    AUTHENTICATION template ``otp_verification`` and a few others, default lead status/source).

    As the upstream server does, it takes the token as ``Authorization: Bearer`` or
    ``X-API-Key``; reads the query string of a write as input too (PHP-style ``a[b]``/``a[]``
    keys, the JSON body winning on a clash); sends ``X-RateLimit-Limit/Remaining/Reset`` (a Unix
    time) on every answer to a known token while a rate limit is set; and answers every path
    under ``/api/v2`` with the JSON envelope, never a 5xx for anything a request sends.

    Use it in a running event loop (``async with Emulator() as emu`` or ``await emu.start()``), in
    a background thread (``with Emulator() as emu`` or :meth:`start_in_thread`), or mount
    :attr:`app` yourself (e.g. with pytest-aiohttp's ``aiohttp_client``).

    Args:
        token: the bearer token of tenant 1, with every scope.
        rate_limit: requests per minute per token (``None``: no general limit; the OTP limits
            are business rules and always apply).
        seed: whether tenant 1 gets the seed data (without it: no statuses, sources, templates
            or auto-create defaults).
        clock: the time source (OTP expiry, rate-limit windows, timestamps); a new real-time
            :class:`Clock` by default.
        max_received: how many requests :attr:`received` keeps (the oldest are dropped).
    """

    def __init__(
        self,
        token: str = "test-token",
        *,
        rate_limit: int | None = None,
        seed: bool = True,
        clock: Clock | None = None,
        max_received: int = 100_000,
    ) -> None:
        self._token = token
        self._initial_rate_limit = rate_limit
        self._seed = seed
        self.clock: Clock = clock if clock is not None else Clock()
        self._lock = threading.RLock()
        self._received: deque[ReceivedRequest] = deque(maxlen=max_received)
        self._outbox: list[SentMessage] = []
        self._faults: list[Fault] = []
        self._state = State()
        self._app: web.Application | None = None
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None
        self._webhooks = WebhookDispatcher()
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def app(self) -> web.Application:
        """The aiohttp application (created on first use)."""
        if self._app is None:
            self._app = _build_app(self)
        return self._app

    @property
    def token(self) -> str:
        """The default token (tenant 1, every scope)."""
        return self._token

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT/api/v2`` once started."""
        if self._base_url is None:
            raise RuntimeError("the emulator is not started: call start() first")
        return self._base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on ``host:port`` (port 0 picks a free one); returns :attr:`base_url`."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already started")
        runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_port = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        self._base_url = f"http://{shown}:{bound_port}{API_PREFIX}"
        return self._base_url

    async def stop(self) -> None:
        """Stop listening (the state is kept; :meth:`start` may be called again)."""
        runner, self._runner = self._runner, None
        self._base_url = None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0, *, timeout: float = 10.0) -> str:
        """Serve from a background thread with its own event loop; returns :attr:`base_url`.

        Handy for synchronous code and for tests whose event loop must not host the server.
        The Python API stays usable from the calling thread (calls are serialised with the
        request handling).
        """
        if self._thread is not None:
            raise RuntimeError("the emulator is already running in a thread")
        loop = asyncio.new_event_loop()
        ready: concurrent.futures.Future[str] = concurrent.futures.Future()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                ready.set_result(loop.run_until_complete(self.start(host, port)))
            except BaseException as exc:
                ready.set_exception(exc)
                loop.close()
                return
            loop.run_forever()
            loop.run_until_complete(self.stop())
            loop.close()

        thread = threading.Thread(target=serve, name="wacr-emulator", daemon=True)
        thread.start()
        try:
            url = ready.result(timeout)
        except BaseException:
            thread.join(timeout)
            raise
        self._thread, self._thread_loop = thread, loop
        return url

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop the server started by :meth:`start_in_thread`."""
        thread, loop = self._thread, self._thread_loop
        self._thread = self._thread_loop = None
        if thread is None or loop is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self) -> Emulator:
        self.start_in_thread()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_thread()

    # -- configuration -------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: back to the seed, the initial token and rate limit, a reset clock,
        an empty outbox, request log and fault list, no webhooks."""
        with self._lock:
            self.clock.reset()
            self._state = State()
            self._state.set_rate_limit(self._initial_rate_limit)
            new_tenant(
                self._state, self.clock.now(), tenant_id=1, name="Acme Ltd", subdomain="acme", seed=self._seed
            )
            self._state.tokens[self._token] = Token(self._token, 1, ALL_SCOPES)
            self._outbox.clear()
            self._received.clear()
            self._faults.clear()
            self._webhooks.clear()

    def _tenant(self, tenant_id: int) -> Tenant:
        tenant = self._state.tenants.get(tenant_id)
        if tenant is None:
            raise KeyError(f"no tenant {tenant_id}")
        return tenant

    def add_tenant(
        self,
        name: str | None = None,
        subdomain: str | None = None,
        *,
        tenant_id: int | None = None,
        seed: bool = True,
    ) -> int:
        """Create another tenant (its own contacts, templates, plan...); returns its id."""
        with self._lock:
            state = self._state
            if tenant_id is None:
                tenant_id = max(state.tenants, default=0) + 1
            if tenant_id in state.tenants:
                raise ValueError(f"tenant {tenant_id} already exists")
            new_tenant(
                state,
                self.clock.now(),
                tenant_id=tenant_id,
                name=name or f"Tenant {tenant_id}",
                subdomain=subdomain or f"tenant{tenant_id}",
                seed=seed,
            )
            return tenant_id

    def add_token(self, token: str, scopes: Iterable[str] | None = None, *, tenant_id: int = 1) -> None:
        """Accept ``token`` for ``tenant_id`` with these scopes (``None``: every scope).

        A ``tenant_id`` that does not exist yet is created (seeded), so
        ``add_token("other", tenant_id=2)`` gives an isolated second tenant.
        """
        with self._lock:
            if tenant_id not in self._state.tenants:
                self.add_tenant(tenant_id=tenant_id)
            granted = ALL_SCOPES if scopes is None else frozenset(scopes)
            self._state.tokens[token] = Token(token, tenant_id, granted)

    def remove_token(self, token: str) -> None:
        """Stop accepting ``token`` (later calls with it get 401)."""
        with self._lock:
            self._state.tokens.pop(token, None)

    def set_plan(
        self,
        *,
        contacts: int | None = None,
        conversations: int | None = None,
        campaigns: int | None = None,
        staff: int | None = None,
        features: Mapping[str, bool] | None = None,
        plan_name: str | None = None,
        tenant_id: int = 1,
    ) -> None:
        """Change the plan: limits (``-1`` = unlimited; ``None`` = leave as is) and feature flags
        (merged into the current ones, e.g. ``features={"whatsapp_templates": False}``)."""
        with self._lock:
            plan = self._tenant(tenant_id).plan
            if contacts is not None:
                plan.contacts = contacts
            if conversations is not None:
                plan.conversations = conversations
            if campaigns is not None:
                plan.campaigns = campaigns
            if staff is not None:
                plan.staff = staff
            if features:
                plan.features.update({key: bool(value) for key, value in features.items()})
            if plan_name is not None:
                plan.plan_name = plan_name

    def set_whatsapp_configured(self, configured: bool = True, *, tenant_id: int = 1) -> None:
        """Whether the tenant has a WhatsApp Business Account connected (sends and sync need it)."""
        with self._lock:
            self._tenant(tenant_id).whatsapp_configured = configured

    def set_rate_limit(self, per_minute: int | None) -> None:
        """The general per-token limit in requests per minute (``None`` turns it off)."""
        if per_minute is not None and per_minute < 1:
            raise ValueError("rate limit must be at least 1 request per minute (or None)")
        with self._lock:
            self._state.set_rate_limit(per_minute)

    def set_auto_create_defaults(
        self, status_id: int | None, source_id: int | None, assignee_id: int | None, *, tenant_id: int = 1
    ) -> None:
        """The default lead status, source and assignee used when a send auto-creates a contact
        (``None`` unsets one: such sends then fail with 422)."""
        with self._lock:
            tenant = self._tenant(tenant_id)
            tenant.default_status_id = status_id
            tenant.default_source_id = source_id
            tenant.default_assignee_id = assignee_id

    def opt_out(self, phone_or_contact_id: str | int, *, opted_out: bool = True, tenant_id: int = 1) -> int:
        """Mark a contact (by id, or by phone) as opted out (or back in); returns its id.

        A phone with no contact gets one, created with the tenant's defaults.
        """
        with self._lock:
            tenant = self._tenant(tenant_id)
            contact = tenant.find_contact(phone_or_contact_id)
            if contact is None:
                if isinstance(phone_or_contact_id, int):
                    raise KeyError(f"no contact {phone_or_contact_id}")
                digits = digits_of(phone_or_contact_id)
                stamp = isoformat(self.clock.now())
                contact = Contact(
                    id=self._state.next_id("contacts"),
                    firstname=digits,
                    lastname="",
                    phone=phone_or_contact_id,
                    type="lead",
                    status_id=tenant.default_status_id,
                    source_id=tenant.default_source_id,
                    created_at=stamp,
                    updated_at=stamp,
                    assigned_id=tenant.default_assignee_id,
                    digits=digits,
                )
                tenant.add_contact(contact)
            contact.is_opted_out = opted_out
            return contact.id

    def add_template(
        self,
        name: str,
        *,
        body: str,
        language: str = "en",
        category: str = "MARKETING",
        status: str = "APPROVED",
        header_format: str = "NONE",
        header_text: str | None = None,
        footer: str | None = None,
        buttons: list[dict[str, Any]] | None = None,
        synced: bool = True,
        tenant_id: int = 1,
    ) -> str:
        """Add (or replace, by name and language) a template in the tenant's WhatsApp Business
        Account; returns its ``template_id``.

        With ``synced=False`` it only exists remotely until ``POST /templates/sync``.
        """
        with self._lock:
            tenant = self._tenant(tenant_id)
            definition = template_definition(
                name,
                language=language,
                category=category,
                status=status,
                body=body,
                header_format=header_format,
                header_text=header_text,
                footer=footer,
                buttons=buttons,
            )
            existing = next(
                (
                    d
                    for d in tenant.remote_templates.values()
                    if d["name"] == name and d["language"] == language
                ),
                None,
            )
            template_id = existing["template_id"] if existing else self._state.next_template_id()
            definition["template_id"] = template_id
            tenant.remote_templates[template_id] = definition
            if synced:
                sync_template(self._state, tenant, definition, isoformat(self.clock.now()))
            return str(template_id)

    def receive_message(self, phone: str, message: str, *, tenant_id: int = 1) -> int:
        """Record an inbound WhatsApp message from ``phone`` (opens the chat); returns its id."""
        with self._lock:
            tenant = self._tenant(tenant_id)
            now = self.clock.now()
            stamp = isoformat(now)
            digits = digits_of(phone)
            contact_id = tenant.phones.get(digits)
            chat = tenant.chats.get(digits)
            if chat is None:
                chat = tenant.chats[digits] = Chat(self._state.next_id("chats"), digits, contact_id, stamp)
            record = Message(
                id=self._state.next_id("chat_messages"),
                interaction_id=chat.id,
                sender_id=digits,
                type="text",
                message=message,
                status="delivered",
                message_id=new_wamid(),
                sent_at=stamp,
                direction="inbound",
                contact_id=contact_id,
                created_at=stamp,
                updated_at=stamp,
            )
            _messages.store_message(tenant, record)
            return record.id

    def get_contact(self, phone_or_contact_id: str | int, *, tenant_id: int = 1) -> dict[str, Any] | None:
        """A contact's resource (with ``groups``), by id or phone, or ``None``."""
        with self._lock:
            tenant = self._tenant(tenant_id)
            contact = tenant.find_contact(phone_or_contact_id)
            return None if contact is None else _contacts.contact_json(tenant, contact, ("groups",))

    # -- what happened ---------------------------------------------------------------------------
    @property
    def outbox(self) -> list[SentMessage]:
        """The WhatsApp messages sent so far, oldest first (a copy)."""
        with self._lock:
            return list(self._outbox)

    def clear_outbox(self) -> None:
        """Empty the outbox."""
        with self._lock:
            self._outbox.clear()

    def otp_code(self, phone: str, *, purpose: str | None = None) -> str | None:
        """The code of the latest OTP message sent to ``phone`` (matched on digits), if any."""
        digits = digits_of(phone)
        with self._lock:
            for sent in reversed(self._outbox):
                if sent.code is not None and sent.phone == digits and purpose in (None, sent.purpose):
                    return sent.code
        return None

    @property
    def received(self) -> list[ReceivedRequest]:
        """The API requests received so far, oldest first (a copy)."""
        with self._lock:
            return list(self._received)

    def clear_received(self) -> None:
        """Empty the request log."""
        with self._lock:
            self._received.clear()

    # -- webhooks --------------------------------------------------------------------------------
    def add_webhook(
        self,
        url: str,
        *,
        secret: str | None = None,
        events: Iterable[str] | None = None,
        tenant_id: int = 1,
    ) -> Webhook:
        """Deliver the tenant's webhook events to ``url`` (``POST``, JSON).

        The nine documented events fire when contacts (single and batch API calls, contacts that
        sends and OTPs create, group membership changes), sources or statuses are created, updated
        or deleted through the API. ``events`` keeps only the types matching these patterns
        (``["contact.*"]``); with a ``secret`` each delivery carries ``X-Signature:
        sha256=<hex HMAC-SHA256 of the body>``. Deliveries run in the background, in order per
        webhook, with 3 attempts; see :attr:`deliveries` and :meth:`flush_webhooks`.
        """
        with self._lock:
            self._tenant(tenant_id)
            hook = self._webhooks.add(url, secret=secret, events=events, tenant_id=tenant_id)
            if self._state.webhook_events is None:
                self._state.webhook_events = []  # start recording
            return hook

    def remove_webhook(self, webhook_id: int) -> None:
        """Stop delivering to one webhook."""
        with self._lock:
            self._webhooks.remove(webhook_id)
            if not self._webhooks.webhooks:
                self._state.webhook_events = None

    def clear_webhooks(self) -> None:
        """Remove every webhook (the delivery log is kept)."""
        with self._lock:
            for hook in self._webhooks.webhooks:
                self._webhooks.remove(hook.id)
            self._state.webhook_events = None

    @property
    def webhooks(self) -> list[Webhook]:
        """The registered webhooks (a copy)."""
        return self._webhooks.webhooks

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery so far, oldest first, with its state, attempts and status."""
        return self._webhooks.deliveries

    async def flush_webhooks(self, timeout: float | None = 10.0) -> None:
        """Wait until the queued webhook deliveries are done (from any event loop or thread mode)."""
        await self._webhooks.flush(timeout)

    # -- faults ----------------------------------------------------------------------------------
    def inject(self, fault: Fault | str, /, **options: Any) -> Fault:
        """Add a fault: a :class:`Fault`, or its ``match`` string plus keyword options
        (``emu.inject("POST /messages/text", status=502, body="<html>Bad gateway</html>")``)."""
        if isinstance(fault, str):
            fault = Fault(fault, **options)
        elif options:
            raise TypeError("keyword options are only accepted with a match string")
        with self._lock:
            self._faults.append(fault)
        return fault

    @property
    def faults(self) -> list[Fault]:
        """The faults still active (a copy)."""
        with self._lock:
            return list(self._faults)

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    # -- request handling ----------------------------------------------------------------------
    def _ctx(
        self,
        tenant: Tenant,
        token: Token,
        body: dict[str, Any],
        query: Mapping[str, str],
        params: dict[str, str],
        now: datetime,
        stamp: str,
    ) -> Ctx:
        return Ctx(self._state, tenant, token, body, query, params, now, stamp, self._outbox)

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of everything under ``/api/v2``: always a JSON envelope."""
        path = request.path[len(API_PREFIX) :] or "/"
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        query = dict(request.query) if request.query_string else {}
        entry = ReceivedRequest(request.method, path, query, None, self.clock.now())
        with self._lock:
            self._received.append(entry)
        fault = self._take_fault(request.method, path) if self._faults else None
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
        payload = _error_payload(error, request_id, isoformat(self.clock.now()))
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        with self._lock:
            self._rate_headers(request, headers)
        return web.Response(body=dump_json(payload), status=error.status, headers=headers)

    def _process(self, request: web.Request, entry: ReceivedRequest, raw: bytes) -> web.Response:
        request_id = new_request_id()
        entry.request_id = request_id
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        with self._lock:
            now = self.clock.now()
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
            events = self._state.take_webhook_events()
        entry.status = status
        if events:
            self._webhooks.publish(events, request_id)
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
        state = self._state
        if state.rate_limit is None:
            return
        credential = self._token_of(request)
        if credential is None or credential not in state.tokens:
            return
        remaining, reset_at = state.token_limiter.peek(credential, self.clock.now())
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

        state = self._state
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
        return route.handler(self._ctx(tenant, token, body, request.query, params, now, stamp))

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
            body = dump_json(_error_payload(error, request_id, isoformat(self.clock.now())))
            with self._lock:  # the emulator's own envelope: as from the server, with its headers
                self._rate_headers(request, headers)
            content_type = fault.content_type or "application/json"
        if fault.retry_after is not None and "Retry-After" not in headers:
            headers["Retry-After"] = str(math.ceil(fault.retry_after))
        headers["Content-Type"] = content_type
        return web.Response(body=body, status=status, headers=headers)

    # -- the control API -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The emulator's configuration as JSON (``GET /_emulator/config``)."""
        with self._lock:
            state = self._state
            return {
                "rate_limit": state.rate_limit,
                "clock": {"now": isoformat(self.clock.now()), "frozen": self.clock.frozen},
                "tokens": [
                    {"token": t.token, "tenant_id": t.tenant_id, "scopes": sorted(t.scopes)}
                    for t in state.tokens.values()
                ],
                "tenants": [
                    {
                        "id": tenant.id,
                        "name": tenant.name,
                        "subdomain": tenant.subdomain,
                        "whatsapp_configured": tenant.whatsapp_configured,
                        "defaults": {
                            "status_id": tenant.default_status_id,
                            "source_id": tenant.default_source_id,
                            "assignee_id": tenant.default_assignee_id,
                        },
                        "plan": {
                            "plan_name": tenant.plan.plan_name,
                            "contacts": tenant.plan.contacts,
                            "conversations": tenant.plan.conversations,
                            "campaigns": tenant.plan.campaigns,
                            "staff": tenant.plan.staff,
                            "features": dict(tenant.plan.features),
                        },
                        "counts": {"contacts": len(tenant.contacts), "chats": len(tenant.chats)},
                    }
                    for tenant in state.tenants.values()
                ],
            }

    def configure(self, config: Mapping[str, Any]) -> None:
        """Apply a ``POST /_emulator/config`` body; every key is optional.

        ``tenant_id`` (default 1) picks the tenant the other keys apply to; ``tokens``:
        ``[{"token", "scopes"?, "tenant_id"?}]``; ``rate_limit``: N or null;
        ``whatsapp_configured``: bool; ``plan``: the keywords of :meth:`set_plan`; ``defaults``:
        ``{"status_id", "source_id", "assignee_id"}``; ``opt_out`` / ``opt_in``: phones or contact
        ids; ``templates``: the keywords of :meth:`add_template`.
        """
        tenant_id = int(config.get("tenant_id", 1))
        for token in config.get("tokens") or ():
            self.add_token(
                token["token"], token.get("scopes"), tenant_id=int(token.get("tenant_id", tenant_id))
            )
        if "rate_limit" in config:
            self.set_rate_limit(config["rate_limit"])
        if "whatsapp_configured" in config:
            self.set_whatsapp_configured(bool(config["whatsapp_configured"]), tenant_id=tenant_id)
        plan = config.get("plan")
        if plan:
            self.set_plan(tenant_id=tenant_id, **plan)
        defaults = config.get("defaults")
        if defaults is not None:
            self.set_auto_create_defaults(
                defaults.get("status_id"),
                defaults.get("source_id"),
                defaults.get("assignee_id"),
                tenant_id=tenant_id,
            )
        for target in config.get("opt_out") or ():
            self.opt_out(target, tenant_id=tenant_id)
        for target in config.get("opt_in") or ():
            self.opt_out(target, opted_out=False, tenant_id=tenant_id)
        for template in config.get("templates") or ():
            self.add_template(tenant_id=tenant_id, **template)


def _drop(request: web.BaseRequest) -> None:
    transport = request.transport
    if transport is not None:
        transport.abort()


def _build_app(emulator: Emulator) -> web.Application:
    async def not_found(request: web.Request) -> web.StreamResponse:
        # Outside /api/v2 and /_emulator: the same 404 envelope as an unknown API route.
        request_id = new_request_id()
        error = ApiError(404, "NOT_FOUND", "The requested endpoint does not exist.")
        payload = _error_payload(error, request_id, isoformat(emulator.clock.now()))
        headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
        return web.Response(body=dump_json(payload), status=404, headers=headers)

    async def close_webhooks(_app: web.Application) -> None:
        await emulator._webhooks.close()

    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[EMULATOR_KEY] = emulator
    app.on_cleanup.append(close_webhooks)
    app.add_routes(control_routes(emulator))
    # `[\s\S]`, not `.`: a path with a (percent-encoded) CR or LF must reach the JSON handlers too.
    app.router.add_route("*", API_PREFIX + r"{tail:[\s\S]*}", emulator.handle_api)
    app.router.add_route("*", r"/{tail:[\s\S]*}", not_found)
    return app


EMULATOR_KEY: Final = web.AppKey("wacr_emulator", Emulator)


def create_app(emulator: Emulator | None = None, **options: Any) -> web.Application:
    """The emulator's aiohttp application, e.g. for pytest-aiohttp's ``aiohttp_client``.

    Pass an :class:`Emulator` or the keyword arguments of its constructor; the emulator is
    reachable as ``app[EMULATOR_KEY]``.
    """
    if emulator is None:
        emulator = Emulator(**options)
    elif options:
        raise TypeError("pass either an emulator or its options, not both")
    return emulator.app
