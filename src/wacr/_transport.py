"""The request pipeline: auth header, aiohttp request, timeout, error mapping, retries.

One call is a :class:`~wacr._attempt.Call`; each attempt is ``_attempt`` (:mod:`wacr._exchange`), run under
the retry policy of :mod:`wacr._retry` (backoff). wacr's policy is the only one: aiohttp's
session would itself send an idempotent request again when the connection drops
(:func:`wacr._attempt.send_once` stops that), so a call is sent at most once for a POST and at
most ``max_retries + 1`` times otherwise, and ``ResponseInfo.attempts`` counts the sends.

Bounds: a body above ``max_response_size`` bytes (decompressed) is refused unread
(:class:`~wacr.ResponseTooLargeError`); a URL above :data:`MAX_URL_LENGTH` is refused unsent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from yarl import URL

from wacr._attempt import (
    Call,
    Failed,
    Params,
    RawResult,
    session_middlewares,
)

if TYPE_CHECKING:
    from wacr._around import Around
    from wacr._hooks import CallObserver, HookEvent, Hooks
    from wacr._ratelimit import Limiter

from wacr._exchange import Exchange
from wacr._headers import header_problems, merge_headers
from wacr._network import client_timeout, explicit_proxy, request_headers
from wacr._retry import RetryPolicy
from wacr._settings import DEFAULT_MAX_RESPONSE_SIZE, Settings, check_max_retries, check_timeout
from wacr._url import MAX_URL_LENGTH, QUERY_SURE, check_url_length, query_chars
from wacr.errors import (
    IDEMPOTENT_METHODS,
    ConfigurationError,
    Redactor,
    ValidationError,
)

__all__ = [
    "DEFAULT_MAX_RESPONSE_SIZE",
    "IDEMPOTENT_METHODS",
    "MAX_URL_LENGTH",
    "RawResult",
    "Settings",
    "Transport",
]

_log = logging.getLogger("wacr")
_DEBUG = logging.DEBUG
_pending = tuple.__new__


class Transport(Exchange):
    """Sends API requests: one pooled aiohttp session, auth, timeouts, retries, typed errors.

    The session is created lazily inside the running event loop on the first request; a
    session passed in is used as is and never closed. Call :meth:`aclose` to close the
    session the transport created.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        /,
        *,
        session: aiohttp.ClientSession | None = None,
        event_hooks: object = None,
        rate_limit: object = None,
        **options: Any,
    ) -> None:
        """Run on ``settings``, or on a :class:`Settings` built from ``options`` (its keywords).

        ``event_hooks`` and ``rate_limit`` are checked here (see :mod:`wacr._around`)."""
        if settings is None:
            settings = Settings(**options)
        elif options:
            raise TypeError("Transport takes settings or their keywords, not both")
        if session is not None and not isinstance(session, aiohttp.ClientSession):
            raise ConfigurationError(
                f"session must be an aiohttp.ClientSession (or None: the client makes its own), "
                f"got {type(session).__name__}"
            )
        if session is not None and session.auth is not None:
            # aiohttp refuses a request that has both (every call would fail), and the token is
            # the one credential wacr sends.
            raise ConfigurationError(
                "the session has its own auth= (a default Authorization): wacr sends the API token "
                "in that header; pass a session without auth"
            )
        self.settings = settings
        self.base_url = settings.base_url
        self.timeout = settings.timeout
        self.max_retries = settings.max_retries
        self.max_retry_wait = settings.max_retry_wait
        self.max_response_size = settings.max_response_size
        self._redactor = Redactor(settings.token)
        self._base_path_length = len(URL(settings.base_url).raw_path.rstrip("/"))
        self._session = session
        self._guarded, self._middlewares = session_middlewares(session)
        self._owns_session = session is None
        self._closed = False
        self._session_loop: asyncio.AbstractEventLoop | None = None
        self._policy = RetryPolicy(
            max_retry_wait=settings.max_retry_wait,
            backoff_base=settings.backoff_base,
            backoff_cap=settings.backoff_cap,
        )

        # Built once: every request reuses these objects.
        base_headers = request_headers(settings)
        self._headers = CIMultiDictProxy(CIMultiDict(base_headers))
        self._json_headers = CIMultiDictProxy(
            CIMultiDict({**base_headers, "Content-Type": "application/json"})
        )
        self._client_timeout = client_timeout(self.timeout, settings.connect_timeout)
        # The session's own timeout, which a call need not pass: that of the session wacr creates
        # (new_session), unknown for a session passed in.
        self._session_timeout = self._client_timeout if session is None else None
        self._use_proxy(*explicit_proxy(settings.proxy))
        self._limiter: Limiter | None = None
        self._hooks: Hooks | None = None
        if rate_limit is not None or event_hooks is not None:  # their modules load only when used
            from wacr._around import check_limiter
            from wacr._hooks import Hooks

            self._limiter = check_limiter(rate_limit)
            self._hooks = Hooks.check(event_hooks, self._redactor)
        self._observers: tuple[CallObserver, ...] = ()
        self._around: Around | None = None
        self._rebuild()

    def _rebuild(self) -> None:
        """Build the attempt loop once per transport (not per call): bare when there is no
        limiter, hook or observer, else with :class:`~wacr._around.Around` around each attempt."""
        hooks, limiter = self._hooks, self._limiter
        if hooks is None and limiter is None and not self._observers:
            self._around = None
            self._with_retries = self._policy.wrap(self._attempt)
            return
        from wacr._around import Around, limiter_key

        key = limiter_key(self.base_url, self.settings.token) if limiter is not None else ""
        around = self._around = Around(
            self._redactor, key, limiter=limiter, hooks=hooks, observers=self._observers
        )
        inner = self._attempt

        async def attempt(call: Call) -> RawResult:
            return await around.attempt(call, inner)

        on_retry = around.on_retry if hooks is not None and hooks.retry else None
        self._with_retries = self._policy.wrap(attempt, on_retry)

    def observe(self, observer: CallObserver, **hooks: Sequence[Callable[[HookEvent], Any]]) -> None:
        """Add a call observer and hooks run after the client's own (how :mod:`wacr.otel`
        instruments a client); takes effect for the calls made from now on."""
        from wacr._hooks import Hooks

        self._hooks = (self._hooks or Hooks(self._redactor)).plus(**hooks)
        self._observers = (*self._observers, observer)
        self._rebuild()

    def __repr__(self) -> str:
        return (
            f"Transport(base_url={self.base_url!r}, timeout={self.timeout!r}, "
            f"max_retries={self.max_retries!r})"
        )

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session in use (``None`` until the first request creates one)."""
        return self._session

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> Coroutine[Any, Any, RawResult]:
        """Send one API call (retrying per the policy) and return its parsed 2xx response.

        ``path`` is relative to the base URL (``"/contacts"``); ``json`` is an encoded body;
        ``headers`` are this call's extra headers (never ``Authorization`` or ``X-API-Key``: a
        :class:`~wacr.ValidationError` naming ``extra_headers.<name>``, as for a malformed one);
        ``operation`` is the operation id hooks, tracing and logs name the call by;
        ``max_retries`` and ``timeout`` override the transport's for this call. They are checked
        now; the returned coroutine makes the call (``await transport.request(...)``) and gives
        the answer parsed as a :class:`RawResult`, which the resources finish
        (``Resource._request``). It raises an :class:`~wacr.errors.APIError` subclass for an error
        status, :class:`~wacr.errors.APIConnectionError` / :class:`~wacr.errors.APITimeoutError`
        when no answer came, :class:`~wacr.errors.InvalidResponseError` for a 2xx that is not JSON.
        """
        return self.send(
            self.prepare(
                method,
                path,
                params=params,
                json=json,
                headers=headers,
                operation=operation,
                max_retries=max_retries,
                timeout=timeout,
            )
        )

    def prepare(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        json: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        operation: str | None = None,
        max_retries: int | None = None,
        timeout: float | None = None,
    ) -> Call:
        """Check a call's arguments (as :meth:`request` says) and give the :class:`Call` that
        :meth:`send` makes: for a caller that checks now and sends later, with no coroutine
        made in between (one never awaited would warn). A call made once the client is closed
        is a :class:`~wacr.ConfigurationError`."""
        if self._closed:
            raise ConfigurationError("the client is closed (aclose() was called): make a new one")
        retries = self.max_retries if max_retries is None else check_max_retries(max_retries, per_call=True)
        if self._base_path_length + len(path) + (query_chars(params) if params else 0) > QUERY_SURE:
            check_url_length(self._base_path_length, path, params)
        base = self._json_headers if json is not None else self._headers
        if headers:
            problems = header_problems(headers, "extra_headers")
            if problems:
                raise ValidationError("invalid extra headers", errors=problems)
            base = merge_headers(base, headers)
        return Call(
            method,
            path,
            self.base_url + path,
            params,
            json,
            base,
            self._client_timeout
            if timeout is None
            else client_timeout(check_timeout(timeout, per_call=True), self.settings.connect_timeout),
            retries,
            operation,
        )

    def send(self, call: Call) -> Coroutine[Any, Any, RawResult]:
        """Make a call :meth:`prepare` checked (the coroutine of :meth:`request`)."""
        if self._observers:
            assert self._around is not None
            return self._around.observed(call, self._send(call))
        return self._send(call)

    async def _send(self, call: Call) -> RawResult:
        """Run the call's attempts through backoff and raise the last failure's error."""
        try:
            return await self._with_retries(call)
        except Failed as failure:
            error = failure.error
        # Raised outside the except block, so that the error does not chain the wrapper (which
        # holds the call, and with it the Authorization header).
        raise error

    def scrub(self, error: BaseException) -> None:
        """Mask the token in an error built from an answer after the transport returned it
        (a model that does not fit it: ``Resource._request``, pages)."""
        self._redactor.scrub(error)

    async def aclose(self) -> None:
        """Close the session this transport created, for good: a call made afterwards (or a retry
        of one in flight) raises instead of opening another. A session passed in is left open."""
        if self._owns_session:
            self._closed = True
            session, self._session = self._session, None
            if session is not None:
                await session.close()
