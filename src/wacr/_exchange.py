"""One attempt of a call: the session to send it on, the aiohttp exchange, the answer read and parsed.

:class:`Exchange` is the part of :class:`~wacr._transport.Transport` that runs once per attempt
(backoff's target, :meth:`Exchange._attempt`); the transport sets the state it reads. Kept apart
from the transport's setup so that the hot path reads in one place, top to bottom.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from yarl import URL

from wacr._attempt import (
    NETWORK,
    RESENT_BY_AIOHTTP,
    STATUS_KIND,
    Call,
    Failed,
    NotResent,
    RawResult,
    false_success,
    log_attempt,
    network_failure,
    read_capped,
)
from wacr._envelope import error_from_response, invalid, success_parts
from wacr._headers import merge_headers
from wacr._network import env_proxy, new_session
from wacr._response import PendingInfo
from wacr.errors import APIConnectionError, ConfigurationError, WacrError

if TYPE_CHECKING:
    from wacr._settings import Settings
    from wacr.errors import Redactor

__all__ = ["Exchange"]

_log = logging.getLogger("wacr")
_DEBUG = logging.DEBUG
_pending = tuple.__new__


class Exchange:
    """The per-attempt half of the transport: what it reads, set by ``Transport.__init__``."""

    settings: Settings
    base_url: str
    max_response_size: int
    _redactor: Redactor
    _session: aiohttp.ClientSession | None
    _owns_session: bool
    _closed: bool
    _session_loop: asyncio.AbstractEventLoop | None
    _client_timeout: aiohttp.ClientTimeout
    _session_timeout: aiohttp.ClientTimeout | None
    _options: dict[str, Any]
    _headers: CIMultiDictProxy[str]
    _json_headers: CIMultiDictProxy[str]
    _guarded: tuple[Any, ...]
    _middlewares: tuple[Any, ...]

    def _use_proxy(self, url: URL | None, headers: dict[str, str] | None) -> None:
        """Send through the proxy ``url``; its ``headers`` (credentials) go in the CONNECT of an
        https base URL, and on each request of an http one (which the proxy itself reads)."""
        if headers and not self.base_url.startswith("https:"):
            self._headers = merge_headers(self._headers, headers)
            self._json_headers = merge_headers(self._json_headers, headers)
            headers = None
        # What every request passes to aiohttp besides its own arguments (each keyword costs
        # on every call, twice: ClientSession.request hands them on to _request).
        self._options: dict[str, Any] = {"allow_redirects": False}  # a redirect would turn a POST into a GET
        if not self._owns_session:
            # A session of yours may raise on an error status (wacr's errors and retries read the
            # answer) or leave bodies compressed (the size cap counts decoded bytes): not for wacr's calls.
            self._options.update(raise_for_status=False, auto_decompress=True)
        if url is not None:
            self._options.update(proxy=url, proxy_headers=headers)

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if not self._owns_session:
            assert session is not None
            return session
        loop = asyncio.get_running_loop()
        if session is None or loop is not self._session_loop:
            if session is not None:
                # Created in another (likely closed) loop: unusable here. Mark it closed
                # so it does not warn when collected, and start over in this loop.
                session.detach()
            session = self._session = new_session(self.settings, self._client_timeout)
            self._session_loop = loop
            if self.settings.proxy is None and self.settings.trust_env:
                self._use_proxy(*env_proxy(self.base_url))
        return session

    async def _attempt(self, call: Call) -> RawResult:
        """One attempt (backoff's target). An error status or a network failure leaves as a
        :class:`Failed` for the give-up rule to judge; anything else as the error itself.

        Every error leaving here has been through the redactor (``Redactor.scrub``).
        """
        try:
            call.attempt += 1
            session = self._session
            if session is None or (
                self._owns_session and asyncio.get_running_loop() is not self._session_loop
            ):
                if self._closed:  # since the call was made (Transport.prepare refuses one after)
                    raise APIConnectionError(
                        "the client was closed (aclose() was called) while this call waited to be "
                        + ("retried; it was not sent again" if call.attempt > 1 else "sent; it was not sent"),
                        method=call.method,
                        url=call.url,
                    )
                session = self._get_session()
            started = time.perf_counter()
            dropped: BaseException | None = None
            try:
                # Without a query, a timeout of its own or a method aiohttp resends, a call takes the
                # session's own timeout and middlewares.
                options, resent = self._options, call.method in RESENT_BY_AIOHTTP
                if resent or call.params is not None or call.timeout is not self._session_timeout:
                    middlewares = self._guarded if resent else self._middlewares
                    options = dict(options, params=call.params, timeout=call.timeout, middlewares=middlewares)
                async with session.request(
                    call.method, call.url, data=call.body, headers=call.headers, **options
                ) as resp:
                    status = resp.status
                    headers: Mapping[str, str] = resp.headers
                    length = resp.content_length
                    if (
                        length is not None
                        and length <= self.max_response_size
                        and "Content-Encoding" not in headers
                    ):
                        body = await resp.read()  # no more than Content-Length
                    else:
                        body = await read_capped(resp, call, headers, self.max_response_size)
            except NETWORK as exc:
                dropped = exc.error if exc.__class__ is NotResent else exc
            except RuntimeError as exc:
                if session.closed:
                    raise ConfigurationError(
                        "the client was closed while this call was in flight"
                        if self._owns_session
                        else "the aiohttp session given to wacr is closed"
                    ) from exc
                raise
            elapsed = time.perf_counter() - started
            if dropped is not None:
                # Raised outside the except block, so that only the original error is chained.
                log_attempt(self._redactor, call, type(dropped).__name__, elapsed, None)
                failure = network_failure(call, dropped, self._redactor)
                if self._closed:  # aclose() cut this call's connection: say so, and stop here
                    closed = APIConnectionError(
                        "the client was closed (aclose() was called) while this call was in flight",
                        method=call.method,
                        url=call.url,
                        may_have_been_processed=getattr(failure.error, "may_have_been_processed", False),
                    )
                    closed.__cause__ = failure.error.__cause__
                    raise closed
                raise failure

            if not 200 <= status < 300:
                error = error_from_response(status, headers, body, method=call.method, url=call.url)
                log_attempt(self._redactor, call, status, elapsed, error.request_id)
                if status >= 500 and not call.idempotent:
                    error.may_have_been_processed = True  # the server may have done the work
                self._redactor.scrub(error)
                raise Failed(call, error, STATUS_KIND, getattr(error, "retry_after", None))

            # A 2xx, read here rather than in a helper: every call comes this way, and on a real
            # connection each extra function call costs microseconds (cold caches). The body is
            # the server's answer and reaches the caller unchanged; only what wacr stores beside
            # it (headers, request id) is checked for an echoed token.
            envelope: Any = None
            if body:
                problem = None
                try:
                    envelope = orjson.loads(body)
                except orjson.JSONDecodeError as exc:
                    problem = str(exc)
                if problem is not None and body.strip():
                    # Raised outside the except block, so the decoder's error (it holds the whole
                    # body) is not chained.
                    request_id = headers.get("X-Request-Id")
                    log_attempt(self._redactor, call, status, elapsed, request_id)
                    raise invalid(
                        f"the response body is not valid JSON ({problem})",
                        status=status,
                        request_id=request_id,
                        body=body.decode("utf-8", errors="replace"),
                        method=call.method,
                        url=call.url,
                    )
            meta = message = request_id = None
            if envelope.__class__ is dict:
                if envelope.get("success") is False:
                    # An error dressed as a success: parsed once (here), redacted once (below).
                    error = false_success(call, status, headers, body, envelope)
                    log_attempt(self._redactor, call, status, elapsed, error.request_id)
                    raise error
                meta, message, request_id = success_parts(envelope)
            if request_id is None:
                request_id = headers.get("X-Request-Id")
            if _log.isEnabledFor(_DEBUG):
                log_attempt(self._redactor, call, status, elapsed, request_id)  # masks request_id
            # The ResponseInfo's parts and the redactor that masks the token in its headers and
            # request id when it is made (RawResult.info, `result.response`), if it ever is.
            parts = (status, headers, request_id, message, meta, call.method, call.url, elapsed, call.attempt)
            return RawResult(status, body, envelope, _pending(PendingInfo, (*parts, self._redactor)))
        except WacrError as error:
            self._redactor.scrub(error)
            raise
