"""The :class:`Emulator`: the emulator's Python face (lifecycle, configuration, what happened)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final, cast

from aiohttp import web

from wacr.testing import _control, _test_data
from wacr.testing._api.contacts import contact_json
from wacr.testing._app import API_PREFIX, ApiHandler, build_app, superseded
from wacr.testing._clock import Clock, isoformat
from wacr.testing._core import digits_of
from wacr.testing._faults import Fault
from wacr.testing._log import ReceivedRequest, SentMessage
from wacr.testing._memory import Memory, RequestMemory, Superseded
from wacr.testing._records import ALL_SCOPES, Token
from wacr.testing._seed import new_tenant
from wacr.testing._serving import AppServer
from wacr.testing._setup import TenantSetup
from wacr.testing._state import State
from wacr.testing._webhooks import Delivery, Webhook

__all__ = ["EMULATOR_KEY", "Emulator", "create_app"]


class Emulator(AppServer, TenantSetup):
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
            :class:`Clock` by default. It is the emulator's own clock: :meth:`reset` puts it
            back (and resets it) even after another one was assigned to :attr:`clock`.
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
        super().__init__(API_PREFIX)
        self._token = token
        self._initial_rate_limit = rate_limit
        self._seed = seed
        self._own_clock = clock if clock is not None else Clock()
        self._memory = Memory(self._own_clock, max_received)
        self._app: web.Application | None = None
        self.reset()

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def clock(self) -> Clock:
        """The time source (OTP expiry, rate-limit windows, timestamps).

        Prefer moving this clock (``clock.set(...)``, ``clock.advance(...)``); a clock assigned
        here lasts until :meth:`reset`, which puts back the emulator's own clock (the one given
        to the constructor, or its default real-time one).
        """
        return self._memory.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        if not isinstance(clock, Clock):
            raise TypeError(f"clock must be a wacr.testing.Clock, got {type(clock).__name__}")
        with self._memory.lock:
            self._memory.clock = clock

    @property
    def app(self) -> web.Application:
        """The aiohttp application (created on first use)."""
        if self._app is None:
            self._app = build_app(self, self._memory, self.handle_api)
            self._app[EMULATOR_KEY] = self
        return self._app

    async def handle_api(self, request: web.Request) -> web.StreamResponse:
        """The aiohttp handler of everything under ``/api/v2``: always a JSON envelope.

        A request that a :meth:`reset` overtakes while it is handled (a delayed fault, a slow
        body) touches nothing of the new state and is answered 409 ``EMULATOR_RESET``: not a
        dropped connection, which a client would send again, into the next test's state.
        """
        api = ApiHandler(cast(Memory, RequestMemory(self._memory)))  # fenced off from later resets
        try:
            return await api.handle(request)
        except Superseded:  # what it would do belongs to a state that is gone
            return superseded(isoformat(self._memory.clock.now()))

    @property
    def token(self) -> str:
        """The default token (tenant 1, every scope)."""
        return self._token

    # -- configuration -------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget everything: back to the seed, the initial token and rate limit, the emulator's
        own clock (a clock assigned to :attr:`clock` since is dropped) reset to its initial state,
        an empty outbox, request log and fault list, no webhooks.

        Nothing begun before it reaches the new state: a request still being handled (a delayed
        fault, a body still arriving) is answered 409 ``EMULATOR_RESET``, and webhook deliveries still
        queued or being sent are cancelled (:meth:`flush_webhooks` does not wait for them).
        """
        with self._memory.lock:
            self._memory.clock = self._own_clock
            self._memory.clock.reset()
            state = State()
            state.set_rate_limit(self._initial_rate_limit)
            now = self._memory.clock.now()
            new_tenant(state, now, tenant_id=1, name="Acme Ltd", subdomain="acme", seed=self._seed)
            state.tokens[self._token] = Token(self._token, 1, ALL_SCOPES)
            self._memory.reset(state)

    def receive_message(self, phone: str, message: str, *, tenant_id: int = 1) -> int:
        """Record an inbound WhatsApp message from ``phone`` (opens the chat); returns its id."""
        with self._memory.lock:
            tenant = self._memory.tenant(tenant_id)
            stamp = isoformat(self.clock.now())
            return _test_data.receive_message(self._memory.state, tenant, phone, message, stamp)

    def get_contact(self, phone_or_contact_id: str | int, *, tenant_id: int = 1) -> dict[str, Any] | None:
        """A contact's resource (with ``groups``), by id or phone, or ``None``."""
        with self._memory.lock:
            tenant = self._memory.tenant(tenant_id)
            contact = tenant.find_contact(phone_or_contact_id)
            return None if contact is None else contact_json(tenant, contact, ("groups",))

    # -- what happened ---------------------------------------------------------------------------
    @property
    def outbox(self) -> list[SentMessage]:
        """The WhatsApp messages sent so far, oldest first (a copy)."""
        with self._memory.lock:
            return list(self._memory.outbox)

    def clear_outbox(self) -> None:
        """Empty the outbox."""
        with self._memory.lock:
            self._memory.outbox.clear()

    def otp_code(self, phone: str, *, purpose: str | None = None) -> str | None:
        """The code of the latest OTP message sent to ``phone`` (matched on digits), if any."""
        digits = digits_of(phone)
        with self._memory.lock:
            for sent in reversed(self._memory.outbox):
                if sent.code is not None and sent.phone == digits and purpose in (None, sent.purpose):
                    return sent.code
        return None

    @property
    def received(self) -> list[ReceivedRequest]:
        """The API requests received so far, oldest first (a copy)."""
        with self._memory.lock:
            return list(self._memory.received)

    def clear_received(self) -> None:
        """Empty the request log."""
        with self._memory.lock:
            self._memory.received.clear()

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
        with self._memory.lock:
            self._memory.tenant(tenant_id)
            hook = self._memory.webhooks.add(url, secret=secret, events=events, tenant_id=tenant_id)
            if self._memory.state.webhook_events is None:
                self._memory.state.webhook_events = []  # start recording
            return hook

    def remove_webhook(self, webhook_id: int) -> None:
        """Stop delivering to one webhook (what is queued for it, or being sent, is cancelled)."""
        with self._memory.lock:
            self._memory.webhooks.remove(webhook_id)
            if not self._memory.webhooks.webhooks:
                self._memory.state.webhook_events = None

    def clear_webhooks(self) -> None:
        """Remove every webhook, cancelling their pending deliveries (the delivery log is kept)."""
        with self._memory.lock:
            for hook in self._memory.webhooks.webhooks:
                self._memory.webhooks.remove(hook.id)
            self._memory.state.webhook_events = None

    @property
    def webhooks(self) -> list[Webhook]:
        """The registered webhooks (a copy)."""
        return self._memory.webhooks.webhooks

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery so far, oldest first, with its state, attempts and status."""
        return self._memory.webhooks.deliveries

    async def flush_webhooks(self, timeout: float | None = 10.0) -> None:
        """Wait until the queued webhook deliveries are done (from any event loop or thread mode)."""
        await self._memory.webhooks.flush(timeout)

    # -- faults ----------------------------------------------------------------------------------
    def inject(self, fault: Fault | str, /, **options: Any) -> Fault:
        """Add a fault: a :class:`Fault`, or its ``match`` string plus keyword options
        (``emu.inject("POST /messages/text", status=502, body="<html>Bad gateway</html>")``)."""
        if isinstance(fault, str):
            fault = Fault(fault, **options)  # checks every option: a TypeError/ValueError names it
        elif not isinstance(fault, Fault):
            raise TypeError(
                f"inject() takes a Fault or a match string such as 'GET /account', got {type(fault).__name__}"
            )
        elif options:
            raise TypeError("keyword options are only accepted with a match string")
        with self._memory.lock:
            self._memory.faults.append(fault)
        return fault

    @property
    def faults(self) -> list[Fault]:
        """The faults still active (a copy)."""
        with self._memory.lock:
            return list(self._memory.faults)

    def clear_faults(self) -> None:
        """Remove every fault."""
        with self._memory.lock:
            self._memory.faults.clear()

    # -- the control API -----------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        """The emulator's configuration as JSON (``GET /_emulator/config``)."""
        return _control.snapshot(self._memory)

    def configure(self, config: Mapping[str, Any]) -> None:
        """Apply a ``POST /_emulator/config`` body; every key is optional.

        ``tenant_id`` (default 1) picks the tenant the other keys apply to; ``tokens``:
        ``[{"token", "scopes"?, "tenant_id"?}]``; ``rate_limit``: N or null;
        ``whatsapp_configured``: bool; ``plan``: the keywords of :meth:`set_plan`; ``defaults``:
        ``{"status_id", "source_id", "assignee_id"}``; ``opt_out`` / ``opt_in``: phones or contact
        ids; ``templates``: the keywords of :meth:`add_template`.
        """
        _control.configure(self, config)


EMULATOR_KEY: Final[web.AppKey[Emulator]] = web.AppKey("wacr_emulator", Emulator)


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
