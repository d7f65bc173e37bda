"""HTTP metadata of one API call, attached to every result (``result.response``)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
from multidict import CIMultiDict, CIMultiDictProxy

from wacr import _numbers

if TYPE_CHECKING:
    from wacr._redact import Redactor

__all__ = ["PendingInfo", "RateLimit", "ResponseInfo", "new_response_info"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def _unix_time(raw: str | None) -> _dt.datetime | None:
    """An aware UTC datetime from a Unix time in seconds (``"1767225600"``, fractions allowed)."""
    if raw is None:
        return None
    seconds = _numbers.seconds(raw)
    if seconds is None:
        return None
    try:
        return _EPOCH + _dt.timedelta(seconds=seconds)
    except OverflowError:  # beyond datetime's range
        return None


@attrs.frozen(slots=True)
class RateLimit:
    """The rate-limit figures of one answer, from its ``X-RateLimit-*`` headers.

    ``limit`` is how many requests the current window allows, ``remaining`` how many of them
    are left, ``reset`` when the window starts again (an aware UTC datetime, from the Unix time
    in ``X-RateLimit-Reset``). ``reset`` is ``None`` when the server did not send that header
    or sent one that is not a Unix time (Laravel's throttle sends it only with a 429).
    """

    #: Requests the current window allows (``X-RateLimit-Limit``).
    limit: int
    #: Requests left in the window (``X-RateLimit-Remaining``).
    remaining: int
    #: When the window starts again (``X-RateLimit-Reset``), or ``None`` when not given.
    reset: _dt.datetime | None

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> RateLimit | None:
        """Parse the headers tolerantly; never raises.

        ``None`` unless both ``X-RateLimit-Limit`` and ``X-RateLimit-Remaining`` are there and
        are whole numbers >= 0 (a garbled figure is no figure: nothing is guessed); a missing or
        garbled ``X-RateLimit-Reset`` leaves ``reset`` ``None``. With a header sent twice the
        first value counts.
        """
        get = headers.get
        limit = _numbers.count(get("X-RateLimit-Limit") or get("x-ratelimit-limit"))
        if limit is None:
            return None
        remaining = _numbers.count(get("X-RateLimit-Remaining") or get("x-ratelimit-remaining"))
        if remaining is None:
            return None
        reset = _unix_time(get("X-RateLimit-Reset") or get("x-ratelimit-reset"))
        return cls(limit, remaining, reset)


@attrs.frozen(slots=True, repr=False)
class ResponseInfo:
    """The HTTP side of a successful call: status, headers, request id, timing, rate limit.

    Every model a call returns exposes it as ``result.response`` (and a page as
    ``page.response``), so the request id of any call is at hand without a second parse::

        sent = await client.messages.send_text(phone=..., message=...)
        sent.response.request_id, sent.response.status, sent.response.headers["Date"]
        sent.response.rate_limit  # RateLimit(limit=60, remaining=59, reset=...) or None
    """

    #: HTTP status code (200, 201, ...).
    status: int
    #: Response headers, read-only and case-insensitive (a header that echoes the API token
    #: has it masked).
    headers: Mapping[str, str]
    #: ``meta.request_id`` of the envelope, else the ``X-Request-Id`` header.
    request_id: str | None
    #: The envelope's ``message`` ("Contact created successfully").
    message: str | None
    #: The envelope's raw ``meta`` object, or ``None`` when it has none.
    meta: dict[str, Any] | None
    #: HTTP method of the request.
    method: str
    #: Full URL of the request, without the query string.
    url: str
    #: Seconds from sending the last attempt to reading its body.
    elapsed: float
    #: How many attempts the call took (1 when it was not retried): each one was sent.
    attempts: int

    @property
    def rate_limit(self) -> RateLimit | None:
        """The ``X-RateLimit-*`` headers, parsed on access (``None`` when the server sent none)."""
        return RateLimit.from_headers(self.headers)

    def __reduce__(self) -> tuple[Any, ...]:
        # aiohttp's read-only header proxy does not pickle: a copy does.
        values = [getattr(self, name) for name in _FIELDS]
        if isinstance(self.headers, CIMultiDictProxy):
            values[1] = CIMultiDict(self.headers)
        return (_unpickle_info, tuple(values))

    def __repr__(self) -> str:
        # Headers and meta are left out: long, and rarely what one looks for in a log.
        return (
            f"ResponseInfo(status={self.status}, method={self.method!r}, url={self.url!r}, "
            f"request_id={self.request_id!r}, elapsed={self.elapsed:.3f}, "
            f"attempts={self.attempts})"
        )


def _unpickle_info(*values: Any) -> ResponseInfo:
    if isinstance(values[1], CIMultiDict):
        values = (values[0], CIMultiDictProxy(values[1]), *values[2:])
    return ResponseInfo(*values)


# The transport builds one ResponseInfo per call. attrs' __init__ of a frozen class stores each
# field through object.__setattr__; the slots' own descriptors store the same values in about a
# third of the time. tests/core/test_transport.py checks that both build equal objects.
_FIELDS = ("status", "headers", "request_id", "message", "meta", "method", "url", "elapsed", "attempts")
assert tuple(a.name for a in attrs.fields(ResponseInfo)) == _FIELDS, "update new_response_info"
_new = object.__new__
(
    _set_status,
    _set_headers,
    _set_request_id,
    _set_message,
    _set_meta,
    _set_method,
    _set_url,
    _set_elapsed,
    _set_attempts,
) = (ResponseInfo.__dict__[name].__set__ for name in _FIELDS)


def new_response_info(
    status: int,
    headers: Mapping[str, str],
    request_id: str | None,
    message: str | None,
    meta: dict[str, Any] | None,
    method: str,
    url: str,
    elapsed: float,
    attempts: int,
) -> ResponseInfo:
    """``ResponseInfo(...)`` for the hot path: the same object, built faster."""
    info: ResponseInfo = _new(ResponseInfo)
    _set_status(info, status)
    _set_headers(info, headers)
    _set_request_id(info, request_id)
    _set_message(info, message)
    _set_meta(info, meta)
    _set_method(info, method)
    _set_url(info, url)
    _set_elapsed(info, elapsed)
    _set_attempts(info, attempts)
    return info


class PendingInfo(tuple[Any, ...]):
    """A call's :class:`ResponseInfo` before anyone read it: the parts the transport had at hand,
    in ResponseInfo's field order, then the client's redactor.

    Most results never have their ``response`` read, and a tuple is cheaper to make than the
    ResponseInfo and its checks, so a result holds this until its ``response`` is first read
    (``wacr.models._base``), which :meth:`realize` s it once. The headers and the request id here
    are as the server sent them; :meth:`realize` masks the token in them, as every ResponseInfo
    shows them. This object itself shows nothing (its ``repr`` is fixed) and pickles as the
    ResponseInfo.
    """

    __slots__ = ()

    def realize(self) -> ResponseInfo:
        """The ResponseInfo, the token masked in its headers and request id."""
        status, headers, request_id, message, meta, method, url, elapsed, attempts, redactor = self
        redactor_: Redactor = redactor
        headers = redactor_.headers(headers)  # the same object unless a header echoes the token
        if request_id is not None and redactor_.found(request_id):
            request_id = redactor_.text(request_id)
        return new_response_info(status, headers, request_id, message, meta, method, url, elapsed, attempts)

    def __repr__(self) -> str:
        return "PendingInfo(...)"  # the parts may hold an echoed token: read .realize()

    def __reduce__(self) -> tuple[Any, ...]:
        return self.realize().__reduce__()
