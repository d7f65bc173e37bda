"""What a client may add around each attempt: the rate limiter (``Client(rate_limit=...)``), the
event hooks (``Client(event_hooks=...)``) and call observers (:mod:`wacr.otel`).

The transport runs its attempts through :meth:`Around.attempt` only when one of them is set, so
a client without them pays nothing for this module. Per attempt, in order: ``await
limiter.acquire(key)`` (bounded by the call's timeout, and told it as ``max_wait`` when the
limiter takes it), the request hooks (their headers checked and added to this attempt only), the
attempt itself with what is left of its timeout, ``limiter.observe(key, ...)`` when the answer
carried ``X-RateLimit-*`` figures (a 429 too), the response hooks (for a cancelled attempt too).

The timeout bounds the whole attempt: a request that waited for the limiter gets only the rest
of it (a wait under a millisecond is not deducted, so that an unhindered call keeps the
session's own timeout).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final, TypeVar

from wacr._attempt import Call, Failed
from wacr._headers import header_problems, merge_headers
from wacr._hooks import CallObserver, HookEvent, Hooks, shown_url
from wacr._ratelimit import Limiter, takes_max_wait
from wacr._response import RateLimit
from wacr.errors import (
    APIError,
    APITimeoutError,
    ConfigurationError,
    InvalidResponseError,
    RateLimitError,
    WacrError,
)

if TYPE_CHECKING:
    import aiohttp

    from wacr.errors import Redactor

__all__ = ["Around", "check_limiter", "limiter_key"]

_log = logging.getLogger("wacr")
R = TypeVar("R")
# asyncio.timeout (3.11+) bounds the wait in the caller's task; wait_for would start a task per wait.
_timeout: Any = getattr(asyncio, "timeout", None)
# A limiter wait shorter than this is not taken off the request's timeout.
_NEGLIGIBLE: Final = 0.001


def check_limiter(limiter: object) -> Limiter | None:
    """``rate_limit`` as given to ``Client``: None or a :class:`wacr._ratelimit.Limiter`."""
    if isinstance(limiter, type):
        raise ConfigurationError(
            f"rate_limit must be a wacr.RateLimiter instance, got the class {limiter.__name__}: call it"
        )
    if limiter is None or isinstance(limiter, Limiter):
        return limiter
    raise ConfigurationError(
        "rate_limit must be a wacr.RateLimiter (or any object with async acquire(key) and "
        f"observe(key, rate_limit)), got {type(limiter).__name__}"
    )


def limiter_key(base_url: str, token: str) -> str:
    """The budget's name: one token on one host, as a hash (the token never leaves the client)."""
    digest = hashlib.sha256(f"{base_url}\0{token}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"wacr:{digest[:32]}"


class Around:
    """The limiter, hooks and observers of one transport."""

    __slots__ = ("_bounded", "hooks", "key", "limiter", "observers", "redactor")

    def __init__(
        self,
        redactor: Redactor,
        key: str,
        *,
        limiter: Limiter | None = None,
        hooks: Hooks | None = None,
        observers: tuple[CallObserver, ...] = (),
    ) -> None:
        self.redactor = redactor
        self.key = key
        self.limiter = limiter
        self.hooks = hooks
        self.observers = observers
        # Whether the limiter's acquire takes max_wait (raises at once rather than sleep in vain).
        self._bounded = limiter is not None and takes_max_wait(limiter)

    def _event(self, kind: Any, call: Call, attempt: int | None = None, **fields: Any) -> HookEvent:
        number = call.attempt if attempt is None else attempt
        return HookEvent(kind, call.operation, call.method, shown_url(call, self.redactor), number, **fields)

    async def attempt(self, call: Call, inner: Callable[[Call], Awaitable[R]]) -> R:
        """One attempt (``inner``) with the limiter and the hooks around it."""
        timeout = waited = None
        if self.limiter is not None:
            waited = await self._acquire(call)
            if waited >= _NEGLIGIBLE:  # the request gets what is left of the attempt's timeout
                timeout = call.timeout
                call.timeout = _rest_of(timeout, waited)
        try:
            hooks = self.hooks
            if hooks is not None and hooks.request:
                event = self._event("request", call, attempt=call.attempt + 1)
                try:
                    await hooks.fire(hooks.request, event)
                except asyncio.CancelledError as cancelled:  # cancelled in a request hook: paired too
                    await self._after(call, cancelled, None, time.perf_counter(), attempt=call.attempt + 1)
                    raise
                call.headers = self._with_added(call, event.headers) if event.headers else call.base_headers
            started = time.perf_counter()
            try:
                result = await inner(call)
            except Failed as failure:
                if timeout is not None and isinstance(failure.error, APITimeoutError):
                    _say_limiter_wait(failure.error, timeout, waited)
                await self._after(call, failure.error, None, started)
                raise
            except WacrError as error:
                await self._after(call, error, None, started)
                raise
            except asyncio.CancelledError as cancelled:  # the "response" of its "request" all the same
                await self._after(call, cancelled, None, started)
                raise
            await self._after(call, None, result, started)
            return result
        finally:
            if timeout is not None:
                call.timeout = timeout  # the next attempt starts with the whole timeout again

    async def on_retry(self, call: Call, failure: Failed, wait: float) -> None:
        """The retry hooks, before backoff waits ``wait`` seconds."""
        hooks = self.hooks
        if hooks is not None and hooks.retry:
            error = failure.error
            event = self._event("retry", call, **_outcome(error, None), wait=wait)
            await hooks.fire(hooks.retry, event)

    async def observed(self, call: Call, send: Coroutine[Any, Any, R]) -> R:
        """``send`` (the whole call) inside every observer's start and end."""
        event = self._event("request", call, attempt=1)
        states = [(observer, observer.start(event)) for observer in self.observers]
        try:
            result = await send
        except BaseException as exc:
            status = exc.status if isinstance(exc, (APIError, InvalidResponseError)) else None
            for observer, state in reversed(states):
                observer.end(state, call.attempt, status, exc)
            raise
        for observer, state in reversed(states):
            observer.end(state, call.attempt, getattr(result, "status", None), None)
        return result

    async def _acquire(self, call: Call) -> float:
        """Wait for the limiter within the attempt's timeout; return the seconds it took."""
        limiter = self.limiter
        assert limiter is not None
        limit = call.timeout.total
        started = time.monotonic()
        try:
            wait = (
                limiter.acquire(self.key, max_wait=limit)  # type: ignore[call-arg]
                if self._bounded and limit is not None
                else limiter.acquire(self.key)
            )
            if _timeout is not None:
                async with _timeout(limit):
                    await wait
            else:  # Python 3.10: a task per wait
                await asyncio.wait_for(wait, limit)
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"timed out after {limit:g} s waiting for the rate limiter: nothing was sent",
                method=call.method,
                url=call.url,
                may_have_been_processed=False,
            ) from None
        except RateLimitError as error:  # the limiter knows its slot comes too late: nothing was sent
            error.method, error.url, error.may_have_been_processed = call.method, call.url, False
            self.redactor.scrub(error)
            raise
        return time.monotonic() - started

    def _with_added(self, call: Call, added: dict[str, str]) -> Any:
        problems = header_problems(added, "event_hooks.request.headers")
        if problems:
            field, rules = next(iter(problems.items()))
            raise ConfigurationError(f"{field} {'; '.join(rules)} (nothing was sent)")
        return merge_headers(call.base_headers, added)

    async def _after(
        self,
        call: Call,
        error: WacrError | asyncio.CancelledError | None,
        result: Any,
        started: float,
        attempt: int | None = None,
    ) -> None:
        elapsed = time.perf_counter() - started
        headers = result.headers if result is not None else getattr(error, "headers", None)
        if self.limiter is not None and headers:
            figures = RateLimit.from_headers(headers)
            if figures is not None:
                try:
                    self.limiter.observe(self.key, figures)
                except Exception as exc:  # the answer came: a limiter's bug must not lose it
                    _log.warning("wacr: rate limiter observe() raised %s: %s", type(exc).__name__, exc)
        hooks = self.hooks
        if hooks is not None and hooks.response:
            event = self._event("response", call, attempt, **_outcome(error, result), elapsed=elapsed)
            await hooks.fire(hooks.response, event)


def _rest_of(timeout: aiohttp.ClientTimeout, waited: float) -> aiohttp.ClientTimeout:
    """``timeout`` less the ``waited`` seconds (its connect part no longer than what is left)."""
    total = timeout.total
    if total is None:
        return timeout
    left = max(total - waited, _NEGLIGIBLE)
    connect = timeout.connect
    return type(timeout)(
        total=left,
        connect=None if connect is None else min(connect, left),
        sock_read=timeout.sock_read,
        sock_connect=timeout.sock_connect,
        ceil_threshold=timeout.ceil_threshold,
    )


def _say_limiter_wait(error: APITimeoutError, timeout: aiohttp.ClientTimeout, waited: float | None) -> None:
    """Say in a timed-out request's message that the limiter took part of the attempt's timeout."""
    error.message = (
        f"{error.message} (the rest of the attempt's {timeout.total:g} s timeout, after "
        f"{waited or 0.0:.3g} s waiting for the rate limiter)"
    )
    error.args = (error.message,)


def _outcome(error: WacrError | asyncio.CancelledError | None, result: Any) -> dict[str, Any]:
    """The fields of a "response" or "retry" event: the attempt's number is the call's."""
    if result is not None:
        return {"status": result.status, "request_id": result.info.request_id, "error": None}
    status = error.status if isinstance(error, (APIError, InvalidResponseError)) else None
    return {"status": status, "request_id": getattr(error, "request_id", None), "error": error}
