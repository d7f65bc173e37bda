"""The retry policy, run by ``backoff``: one decorated attempt per call, whose give-up rule
(:meth:`RetryPolicy.give_up`) is the policy and :meth:`RetryPolicy.waits` the waits.

* every method: 429 (waits ``Retry-After``, else the body's ``retry_after``, else exponential
  backoff with full jitter; a wait above ``max_retry_wait`` raises instead of sleeping) and
  failures to connect, which happen before anything was written;
* idempotent methods only (GET, HEAD, OPTIONS, PUT, PATCH, DELETE): 500/502/503/504,
  timeouts and connections dropped after the request was written;
* a POST is never repeated after such an ambiguous failure: a second attempt could message a
  customer twice or burn an OTP attempt. The error says the request may have been processed.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

import backoff

from wacr._attempt import DROPPED_KIND, NOT_SENT_KIND, STATUS_KIND, Call, Failed
from wacr.errors import APIError

__all__ = ["RetryPolicy"]

_log = logging.getLogger("wacr")
_RETRY_STATUSES = frozenset({500, 502, 503, 504})

R = TypeVar("R")
OnRetry = Callable[[Call, Failed, float], Awaitable[None]]


class RetryPolicy:
    """The give-up rule and the waits of one transport (its settings read once)."""

    __slots__ = ("_backoff_base", "_backoff_cap", "max_retry_wait")

    def __init__(self, *, max_retry_wait: float, backoff_base: float, backoff_cap: float) -> None:
        self.max_retry_wait = max_retry_wait
        self._backoff_base = backoff_base
        self._backoff_cap = min(backoff_cap, max_retry_wait)

    def wrap(
        self, attempt: Callable[[Call], Awaitable[R]], on_retry: OnRetry | None = None
    ) -> Callable[[Call], Awaitable[R]]:
        """``attempt`` run under the policy: retried while :meth:`give_up` says so, each retry
        logged (and handed to ``on_retry``, the retry hooks, when given)."""
        handlers: list[Callable[[Any], Any]] = [_log_retry]
        if on_retry is not None:
            hook = on_retry

            async def call_hook(details: Any) -> None:
                await hook(details["args"][0], details["exception"], details["wait"])

            handlers.append(call_hook)
        with warnings.catch_warnings():
            # backoff 2.2.1 calls asyncio.iscoroutinefunction, deprecated on Python 3.14.
            warnings.simplefilter("ignore", DeprecationWarning)
            wrapped: Callable[[Call], Awaitable[R]] = backoff.on_exception(
                self.waits,
                Failed,
                max_tries=None,  # the give-up rule counts the attempts (per-call max_retries)
                giveup=self.give_up,
                jitter=None,  # waits() jitters the exponential waits only
                logger=None,
                on_backoff=handlers,
            )(attempt)
        return wrapped

    def give_up(self, failure: Exception) -> bool:
        """The retry policy (the module docstring): whether this failed attempt is the last."""
        if not isinstance(failure, Failed):  # backoff hands it only those
            return True
        call = failure.call
        if call.attempt > call.max_retries:
            return True
        kind = failure.kind
        if kind is NOT_SENT_KIND:
            return False  # nothing was written: safe for any method
        if kind is DROPPED_KIND:
            return not call.idempotent  # a POST may have been processed: never sent again
        if kind is not STATUS_KIND:
            return True
        status = failure.error.status if isinstance(failure.error, APIError) else None
        if status == 429:
            wait = failure.wait
            return wait is not None and wait > self.max_retry_wait  # longer than we will wait
        return not (call.idempotent and status in _RETRY_STATUSES)

    def waits(self) -> Generator[float, Any, None]:
        """backoff's wait generator, one per call: the server's wait when it gave one (a 429's
        Retry-After), else exponential backoff with full jitter.

        backoff primes it with ``send(None)`` and then sends each failure it retries.
        """
        expo: Generator[float, Any, None] | None = None
        failure: Failed = yield  # type: ignore[misc]
        while True:
            wait = failure.wait
            if wait is None:
                if expo is None:
                    expo = backoff.expo(base=2, factor=self._backoff_base, max_value=self._backoff_cap)
                    next(expo)  # expo's own priming step
                wait = backoff.full_jitter(next(expo))
            failure = yield wait


def _log_retry(details: Any) -> None:
    call: Call = details["args"][0]
    failure: Failed = details["exception"]
    error = failure.error
    reason = error.status if isinstance(error, APIError) else type(error).__name__
    _log.info(
        "retrying %s %s in %.2f s after %s (attempt %d of %d)",
        call.method,
        call.path,
        details["wait"],
        reason,
        call.attempt + 1,
        call.max_retries + 1,
    )
