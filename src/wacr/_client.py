"""``wacr.Client``: configuration, the session's lifecycle, and one attribute per API section."""

from __future__ import annotations

import os
from collections.abc import Coroutine, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import aiohttp

from wacr._api_response import APIResponse, send_raw
from wacr._constants import RASL, WACR
from wacr._logging import configure_from_env
from wacr._transport import DEFAULT_MAX_RESPONSE_SIZE, Settings, Transport
from wacr._version import __version__
from wacr.resources import (
    Account,
    Auth,
    Comments,
    Contacts,
    Groups,
    Messages,
    Sources,
    Statuses,
    Templates,
)

__all__ = ["RASL", "WACR", "Client"]

if TYPE_CHECKING:
    from wacr._hooks import EventHooks
    from wacr._ratelimit import Limiter

USER_AGENT = f"wacr/{__version__}"
configure_from_env()  # WACR_LOG, once


class Client:
    """An async client of API v2; use one per process and share it between tasks.

    ::

        async with wacr.Client(token="...", base_url=wacr.RASL) as client:
            sent = await client.messages.send_text(phone="+201000000000", message="Hi")

    ``token`` and ``base_url`` fall back to the ``WACR_TOKEN`` and ``WACR_BASE_URL``
    environment variables; ``base_url`` defaults to :data:`wacr.WACR`. Without a token
    anywhere, :class:`wacr.ConfigurationError` is raised here, not on the first call.

    The aiohttp session is created lazily inside the running event loop and closed by
    :meth:`aclose` or ``async with``. A ``session`` you pass is used as is (its TLS and proxy
    settings included) and never closed by the client. ``timeout`` is the total seconds per
    attempt; ``max_retries`` the retries after the first attempt (0 turns them off); a
    ``Retry-After`` longer than ``max_retry_wait`` seconds raises instead of sleeping.
    ``connection_limit`` caps the open connections of the session the client creates.
    ``max_response_size`` caps a response body, in bytes after decompression (default 32 MiB,
    far above any answer of this API): a larger one raises :class:`wacr.ResponseTooLargeError`
    without being held in memory. Every method also takes ``max_retries=`` and ``timeout=`` for
    that one call. ``connect_timeout`` (default 10 s, at most nine tenths of ``timeout``) bounds
    getting a connection, a free one from the pool included: a call that timed out there was
    never sent, so even a POST is retried.

    Networking: with ``trust_env`` (the default) ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``NO_PROXY``
    decide the proxy of the base URL, read when the session is created; ``proxy`` names one
    explicitly (``"http://user:pass@proxy:3128"``: the credentials are never shown in a repr, an
    error or a log). ``default_headers`` go on every request (a
    :class:`~wacr.ConfigurationError` if one is ``Authorization`` or ``X-API-Key``, or malformed).
    ``event_hooks`` maps ``"request"``, ``"response"`` and ``"retry"`` to lists of sync or async
    callables, each called with a :class:`wacr.HookEvent` once per attempt (once per retry),
    in order; a hook that raises is logged and the call goes on. ``rate_limit`` takes a
    :class:`wacr.RateLimiter` (or any ``wacr._ratelimit.Limiter``, e.g. a shared Redis one):
    every attempt waits for it first (within the call's ``timeout``) and every answer's
    ``X-RateLimit-*`` figures are given back to it.

    With a ``session`` of yours: ``timeout``, ``connect_timeout``, ``proxy``,
    ``default_headers``, the hooks, the limiter and the retry policy apply to wacr's requests;
    ``connection_limit`` and ``trust_env`` do not (the session's own pool and ``trust_env``
    decide; aiohttp then looks the environment's proxy up on every request). Its
    ``raise_for_status`` and ``auto_decompress`` do not apply to wacr's calls (wacr reads every
    answer itself), and a session with its own ``auth=`` is refused (the token is the credential).

    A token with a control character (CR, LF, tab, any C0 or C1 control) cannot go in an HTTP
    header and raises :class:`wacr.ConfigurationError` here. wacr's retry policy is the only one,
    with a ``session`` of yours too: a POST is sent at most once, any other call at most
    ``max_retries + 1`` times (aiohttp's own resend on a dropped connection is turned off for
    wacr's requests; your session's middlewares still run).
    """

    __slots__ = (
        "_transport",
        "account",
        "auth",
        "base_url",
        "comments",
        "contacts",
        "groups",
        "messages",
        "sources",
        "statuses",
        "templates",
    )

    def __init__(
        self,
        token: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        session: aiohttp.ClientSession | None = None,
        connection_limit: int = 100,
        max_response_size: int = DEFAULT_MAX_RESPONSE_SIZE,
        connect_timeout: float = 10.0,
        trust_env: bool = True,
        proxy: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        event_hooks: EventHooks | None = None,
        rate_limit: Limiter | None = None,
    ) -> None:
        # Every setting is checked once, by Settings (a ConfigurationError naming it).
        settings = Settings(
            token=token if token is not None else os.environ.get("WACR_TOKEN"),
            base_url=base_url if base_url is not None else os.environ.get("WACR_BASE_URL") or WACR,
            timeout=timeout,
            max_retries=max_retries,
            max_retry_wait=max_retry_wait,
            connection_limit=connection_limit,
            user_agent=USER_AGENT,
            max_response_size=max_response_size,
            connect_timeout=connect_timeout,
            trust_env=trust_env,
            proxy=proxy,
            default_headers=default_headers,
        )
        self._transport = Transport(settings, session=session, event_hooks=event_hooks, rate_limit=rate_limit)
        #: The API's base URL, e.g. ``https://app.wa.cr/api/v2``.
        self.base_url: str = self._transport.base_url
        #: The tenant's account, usage and plan limits.
        self.account: Account = Account(self)
        #: OTP codes: send, resend, verify, status, authentication templates.
        self.auth: Auth = Auth(self)
        #: Internal notes on a chat conversation (WA.cr).
        self.comments: Comments = Comments(self)
        #: CRM contacts, single and in batches.
        self.contacts: Contacts = Contacts(self)
        #: Contact lists and their membership.
        self.groups: Groups = Groups(self)
        #: Sending messages and reading the history.
        self.messages: Messages = Messages(self)
        #: Where contacts come from.
        self.sources: Sources = Sources(self)
        #: Contact statuses.
        self.statuses: Statuses = Statuses(self)
        #: WhatsApp templates.
        self.templates: Templates = Templates(self)

    def __repr__(self) -> str:
        # Never the token.
        return f"<wacr.Client base_url={self.base_url!r}>"

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int | float | bool] | Sequence[tuple[str, str]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> Coroutine[Any, Any, APIResponse]:
        """Make any call through the client's pipeline (auth, retries by method, typed errors,
        the size cap, hooks, limiter): ``await client.request("GET", "/contacts", params=...)``.

        ``path`` is relative to the base URL (``"/contacts/7"``); an absolute URL, ``//host``,
        a query or fragment in it, or a ``.``/``..`` segment is a :class:`~wacr.ValidationError`
        naming ``path`` (the token is never sent anywhere else). ``json`` is any JSON value,
        sent as the body; ``headers`` are extra headers (never ``Authorization``/``X-API-Key``).
        Returns a :class:`wacr.APIResponse`; checks run before anything is sent.
        """
        result: Coroutine[Any, Any, APIResponse] = send_raw(
            self._transport,
            method,
            path,
            params=params,
            json=json,
            headers=headers,
            max_retries=max_retries,
            timeout=timeout,
        )
        return result

    async def aclose(self) -> None:
        """Close the session the client created (a session passed in is left open)."""
        await self._transport.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
