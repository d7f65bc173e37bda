"""What a client may add around each attempt: the rate limiter (``Client(rate_limit=...)``), the
event hooks (``Client(event_hooks=...)``) and call observers (:mod:`wacr.otel`).

The transport runs its attempts through :meth:`Around.attempt` only when one of them is set, so
a client without them pays nothing for this module. Per attempt, in order: ``await
limiter.acquire(key)`` (bounded by the call's timeout), the request hooks (their headers
checked and added to this attempt only), the attempt itself, ``limiter.observe(key, ...)`` when
the answer carried ``X-RateLimit-*`` figures (a 429 too), the response hooks.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from wacr._attempt import Call, Failed
from wacr._headers import header_problems, merge_headers
from wacr._hooks import CallObserver, HookEvent, Hooks, shown_url
from wacr._ratelimit import Limiter
from wacr._response import RateLimit
from wacr.errors import APIError, APITimeoutError, ConfigurationError, InvalidResponseError, WacrError

if TYPE_CHECKING:
    from wacr.errors import Redactor

__all__ = ["Around", "check_limiter", "limiter_key"]

_log = logging.getLogger("wacr")
R = TypeVar("R")
# asyncio.timeout (3.11+) bounds the wait in the caller's task; wait_for would start a task per wait.
_timeout: Any = getattr(asyncio, "timeout", None)


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

    __slots__ = ("hooks", "key", "limiter", "observers", "redactor")

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

    def _event(self, kind: Any, call: Call, attempt: int | None = None, **fields: Any) -> HookEvent:
        number = call.attempt if attempt is None else attempt
        return HookEvent(kind, call.operation, call.method, shown_url(call, self.redactor), number, **fields)

    async def attempt(self, call: Call, inner: Callable[[Call], Awaitable[R]]) -> R:
        """One attempt (``inner``) with the limiter and the hooks around it."""
        if self.limiter is not None:
            await self._acquire(call)
        hooks = self.hooks
        if hooks is not None and hooks.request:
            event = self._event("request", call, attempt=call.attempt + 1)
            await hooks.fire(hooks.request, event)
            call.headers = self._with_added(call, event.headers) if event.headers else call.base_headers
        started = time.perf_counter()
        try:
            result = await inner(call)
        except Failed as failure:
            await self._after(call, failure.error, None, started)
            raise
        except WacrError as error:
            await self._after(call, error, None, started)
            raise
        await self._after(call, None, result, started)
        return result

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

    async def _acquire(self, call: Call) -> None:
        assert self.limiter is not None
        limit = call.timeout.total
        try:
            if _timeout is not None:
                async with _timeout(limit):
                    await self.limiter.acquire(self.key)
            else:  # Python 3.10: a task per wait
                await asyncio.wait_for(self.limiter.acquire(self.key), limit)
        except asyncio.TimeoutError:
            raise APITimeoutError(
                f"timed out after {limit:g} s waiting for the rate limiter: nothing was sent",
                method=call.method,
                url=call.url,
                may_have_been_processed=False,
            ) from None

    def _with_added(self, call: Call, added: dict[str, str]) -> Any:
        problems = header_problems(added, "event_hooks.request.headers")
        if problems:
            field, rules = next(iter(problems.items()))
            raise ConfigurationError(f"{field} {'; '.join(rules)} (nothing was sent)")
        return merge_headers(call.base_headers, added)

    async def _after(self, call: Call, error: WacrError | None, result: Any, started: float) -> None:
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
            event = self._event("response", call, **_outcome(error, result), elapsed=elapsed)
            await hooks.fire(hooks.response, event)


def _outcome(error: WacrError | None, result: Any) -> dict[str, Any]:
    """The fields of a "response" or "retry" event: the attempt's number is the call's."""
    if result is not None:
        return {"status": result.status, "request_id": result.info.request_id, "error": None}
    status = error.status if isinstance(error, (APIError, InvalidResponseError)) else None
    return {"status": status, "request_id": getattr(error, "request_id", None), "error": error}
