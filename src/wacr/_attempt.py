"""The plumbing of one attempt: the call's state (:class:`Call`), a failed attempt on its way to
the retry policy (:class:`Failed`), what kind of failure it was, and the aiohttp middleware that
keeps aiohttp from sending a request twice (:func:`send_once`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy

from wacr._envelope import error_from_response
from wacr._response import PendingInfo, ResponseInfo
from wacr.errors import (
    IDEMPOTENT_METHODS,
    APIConnectionError,
    APIError,
    APITimeoutError,
    Redactor,
    ResponseTooLargeError,
    ServerError,
    WacrError,
)

__all__ = [
    "DROPPED_KIND",
    "NETWORK",
    "NOT_SENT_KIND",
    "OTHER_KIND",
    "RESENT_BY_AIOHTTP",
    "STATUS_KIND",
    "Call",
    "Failed",
    "NotResent",
    "Params",
    "RawResult",
    "false_success",
    "forget_request_headers",
    "log_attempt",
    "network_failure",
    "read_capped",
    "send_once",
    "session_middlewares",
]

_log = logging.getLogger("wacr")
_DEBUG = logging.DEBUG

Params = Mapping[str, str] | list[tuple[str, str]]

# Failures where nothing was written: safe to retry for any method.
_NOT_SENT = (
    aiohttp.ClientConnectorError,  # refused, DNS, TLS (its subclasses)
    aiohttp.ConnectionTimeoutError,  # no connection within the connect timeout (pool or peer)
    aiohttp.ServerFingerprintMismatch,
)
# Failures after the request may have been written: retried for idempotent methods only.
_DROPPED = (
    asyncio.TimeoutError,
    TimeoutError,
    aiohttp.ServerDisconnectedError,
    aiohttp.ClientPayloadError,
    aiohttp.ClientOSError,
)
#: Everything the request can raise that is about the network rather than a bug of ours.
NETWORK = (aiohttp.ClientError, OSError, asyncio.TimeoutError, TimeoutError)

# What kind of failure an attempt had, for the retry policy (wacr._retry).
NOT_SENT_KIND = "not sent"  # failed to connect: nothing was written
DROPPED_KIND = "dropped"  # timed out or dropped after the request may have been written
STATUS_KIND = "status"  # the server answered with an error status
OTHER_KIND = "other"  # any other network failure: never retried


class NotResent(aiohttp.ClientConnectionError):
    """Carries a dropped-connection error past aiohttp's own resend (see :func:`send_once`)."""

    def __init__(self, error: aiohttp.ClientConnectionError) -> None:
        super().__init__(str(error))
        self.error = error


_Handler = Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]]


async def send_once(request: aiohttp.ClientRequest, handler: _Handler) -> aiohttp.ClientResponse:
    """A client middleware that keeps aiohttp from sending a request twice.

    ``ClientSession._request`` sends a GET, HEAD, OPTIONS, PUT or DELETE again, once, when the
    connection fails with ``ServerDisconnectedError`` or ``ClientOSError`` after it was made
    (RFC 9112's advice for a reused keep-alive connection), with no setting to turn it off. That
    resend would hide under wacr's own retries: ``max_retries=0`` would send twice. The
    middleware runs inside that loop and hands such a failure on in a type the loop does not
    resend; the transport unwraps it and applies its own policy.
    """
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise  # a failure to connect: nothing was written, and aiohttp does not resend it
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
        raise NotResent(exc) from exc


#: The methods aiohttp itself sends again on a dropped keep-alive connection (its
#: ``IDEMPOTENT_METHODS``): only their requests need :func:`send_once`
#: (tests/reliability/test_hostile_server.py sends every method over such a connection).
RESENT_BY_AIOHTTP = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})


def session_middlewares(session: aiohttp.ClientSession | None) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """What the transport passes as each request's ``middlewares``: :func:`send_once` around the
    session's own middlewares for a method aiohttp would resend, the session's own alone for the
    others (a request's middlewares replace the session's, and aiohttp has no public reader of a
    session's middlewares: the attribute is read once, defensively)."""
    theirs: Sequence[Any] = getattr(session, "_middlewares", None) or () if session is not None else ()
    return (send_once, *theirs), tuple(theirs)


class RawResult:
    """A successful (2xx) response, read and parsed once (treat it as read-only).

    Its :class:`~wacr.ResponseInfo` is made when first read (:attr:`info`): a result that is
    handed on takes :attr:`lazy_info`, and makes it when its own ``response`` is first read.
    """

    __slots__ = ("body", "envelope", "lazy_info", "status")

    def __init__(self, status: int, body: bytes, envelope: Any, pending: PendingInfo) -> None:
        #: HTTP status code.
        self.status = status
        #: The raw body.
        self.body = body
        #: The body parsed as JSON (``None`` for an empty body).
        self.envelope: dict[str, Any] | list[Any] | None = envelope
        #: :attr:`info` once it was read, else the parts to make it from (what a result holds).
        self.lazy_info: ResponseInfo | PendingInfo = pending

    @property
    def info(self) -> ResponseInfo:
        """Status, headers, request id, timing: what models expose as ``.response``."""
        info = self.lazy_info
        if isinstance(info, PendingInfo):
            info = self.lazy_info = info.realize()
        return info

    @property
    def headers(self) -> Mapping[str, str]:
        """Response headers (read-only, case-insensitive; the token masked if one echoes it)."""
        return self.info.headers

    def __repr__(self) -> str:
        return f"RawResult(status={self.status}, info={self.info!r})"


class Call:
    """The state of one ``Transport.request()`` across its attempts."""

    __slots__ = (
        "attempt",
        "base_headers",
        "body",
        "headers",
        "idempotent",
        "max_retries",
        "method",
        "operation",
        "params",
        "path",
        "timeout",
        "url",
    )

    def __init__(
        self,
        method: str,
        path: str,
        url: str,
        params: Params | None,
        body: bytes | None,
        headers: CIMultiDictProxy[str],
        timeout: aiohttp.ClientTimeout,
        max_retries: int,
        operation: str | None,
    ) -> None:
        self.method = method
        self.path = path
        self.url = url
        self.params = params
        self.body = body
        #: The headers of the next attempt (a request hook may add to ``base_headers`` for one).
        self.headers = self.base_headers = headers
        self.timeout = timeout
        self.max_retries = max_retries
        self.operation = operation
        self.idempotent = method in IDEMPOTENT_METHODS
        self.attempt = 0


class Failed(Exception):
    """An attempt's failure on its way through backoff: the error the caller gets, and what the
    give-up rule and the waits read. It never reaches the caller (``Transport._send``)."""

    __slots__ = ("call", "error", "kind", "wait")

    def __init__(self, call: Call, error: WacrError, kind: str, wait: float | None = None) -> None:
        super().__init__(kind)
        self.call = call
        self.error = error
        self.kind = kind
        #: Seconds the server asked for (a 429's Retry-After), or None for exponential backoff.
        self.wait = wait


def false_success(
    call: Call, status: int, headers: Mapping[str, str], body: bytes, envelope: Any
) -> APIError:
    """The error of a 2xx whose envelope says ``success: false``, reported like any error answer;
    on a POST, a server failure or a code wacr does not know says the server may have done the work."""
    error = error_from_response(status, headers, body, method=call.method, url=call.url, envelope=envelope)
    if not call.idempotent and (isinstance(error, ServerError) or type(error) is APIError):
        error.may_have_been_processed = True
    return error


def forget_request_headers(exc: BaseException) -> None:
    """Drop the request's credentials (the token, a proxy's) from an aiohttp error that keeps them.

    ``ClientResponseError`` (e.g. for a malformed status line) holds the ``RequestInfo`` of the
    request, Authorization header included, in its attributes and ``args``; it becomes the
    ``__cause__`` of our error, where a traceback logger or an error tracker would read it.
    """
    info = getattr(exc, "request_info", None)
    if isinstance(info, aiohttp.RequestInfo):
        headers = CIMultiDict(info.headers)
        headers.popall("Authorization", None)
        headers.popall("Proxy-Authorization", None)
        clean = info._replace(headers=CIMultiDictProxy(headers))
        setattr(exc, "request_info", clean)  # noqa: B010 (exc is typed as a BaseException)
        exc.args = tuple(clean if arg is info else arg for arg in exc.args)


def network_failure(call: Call, exc: BaseException, redactor: Redactor) -> Failed:
    """Map an aiohttp/OS error to ours (chained to it), with the kind the policy reads."""
    forget_request_headers(exc)
    not_sent = isinstance(exc, _NOT_SENT)
    may_have_been_processed = not not_sent and not call.idempotent
    error: APIConnectionError
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        if not_sent:
            limit = call.timeout.connect or call.timeout.total
            what = f"connecting after {limit:g} s; nothing was sent"
        else:
            what = f"waiting for the response after {call.timeout.total:g} s"
        error = APITimeoutError(
            f"timed out {what}",
            method=call.method,
            url=call.url,
            may_have_been_processed=may_have_been_processed,
        )
    else:
        detail = str(exc)
        error = APIConnectionError(
            f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__,
            method=call.method,
            url=call.url,
            may_have_been_processed=may_have_been_processed,
        )
    error.__cause__ = exc  # as `raise error from exc` would
    redactor.scrub(error)
    if not_sent:
        return Failed(call, error, NOT_SENT_KIND)
    return Failed(call, error, DROPPED_KIND if isinstance(exc, _DROPPED) else OTHER_KIND)


async def read_capped(
    resp: aiohttp.ClientResponse, call: Call, headers: Mapping[str, str], limit: int
) -> bytes:
    """Read a body in chunks, counting bytes after decompression, and stop (closing the
    connection) once there are more than ``limit`` (the client's ``max_response_size``)."""
    length = resp.content_length
    chunks: list[bytes] = []
    size = 0
    if length is None or length <= limit or "Content-Encoding" in headers:
        async for chunk in resp.content.iter_any():
            size += len(chunk)
            if size > limit:
                break
            chunks.append(chunk)
        else:
            return b"".join(chunks)
    # Over the cap (told by Content-Length, or counted): refuse without reading the rest.
    chunks.clear()
    resp.close()
    raise ResponseTooLargeError(
        f"the response body is larger than max_response_size ({limit} bytes"
        + ("" if length is None or "Content-Encoding" in headers else f"; Content-Length says {length}")
        + "); raise Client(max_response_size=...) if such an answer is expected",
        limit=limit,
        status=resp.status,
        request_id=headers.get("X-Request-Id"),
        method=call.method,
        url=call.url,
    )


def log_attempt(
    redactor: Redactor, call: Call, outcome: int | str, elapsed: float, request_id: str | None
) -> None:
    """One debug line per attempt (never a body; the token masked in what is shown)."""
    if _log.isEnabledFor(_DEBUG):
        path = call.path
        if redactor.found(path):
            path = redactor.text(path)
        if request_id is not None:
            request_id = redactor.text(request_id)
        _log.debug(
            "%s %s -> %s in %.1f ms (attempt %d/%d, request_id=%s, operation=%s)",
            call.method,
            path,
            outcome,
            elapsed * 1000,
            call.attempt,
            call.max_retries + 1,
            request_id,
            call.operation,
        )
