"""The transport-neutral core of :class:`~wacr.webhooks.Router`: one body and its headers in, the
status to answer out (an :class:`Answer`). The aiohttp and ASGI adapters read the body within the
router's bounds and send what this returns."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import orjson

from wacr.errors import WebhookError
from wacr.webhooks._claims import short
from wacr.webhooks._events import json_kind, parse_event
from wacr.webhooks._signatures import verify_signature

if TYPE_CHECKING:
    from wacr.webhooks._router import Router

__all__ = ["BUSY_RETRY_AFTER", "Answer", "Headers", "handle", "header_value", "reject"]

#: The ``Retry-After`` (seconds) of a 503 answered while ``max_pending`` events are being handled.
BUSY_RETRY_AFTER: Final = 10

#: What :meth:`Router.handle` takes as headers: a mapping, or ``(name, value)`` pairs (ASGI's).
Headers = Mapping[str, str] | Mapping[bytes, bytes] | Iterable[tuple[str | bytes, str | bytes]] | None

_log = logging.getLogger("wacr.webhooks")


class Answer(int):
    """What :meth:`Router.handle` returns: the HTTP status to answer (it *is* that ``int``), with
    the reason for a refusal and whether the event was a duplicate.

    ::

        status = await router.handle(body, headers)
        status == 200, status.reason, status.duplicate, status.body()
    """

    reason: str | None
    duplicate: bool
    #: Seconds after which to deliver again (a 503 when the router is busy): the adapters send it
    #: as ``Retry-After``.
    retry_after: int | None

    def __new__(
        cls,
        status: int,
        reason: str | None = None,
        *,
        duplicate: bool = False,
        retry_after: int | None = None,
    ) -> Answer:
        answer = super().__new__(cls, status)
        answer.reason = reason
        answer.duplicate = duplicate
        answer.retry_after = retry_after
        return answer

    @property
    def status(self) -> int:
        """The status as a plain ``int``."""
        return int(self)

    @property
    def accepted(self) -> bool:
        """Whether the delivery was accepted (2xx): the sender must not send it again."""
        return 200 <= self < 300

    def json(self) -> dict[str, Any]:
        """The JSON the adapters answer: ``{"received": true, "duplicate": ...}`` or
        ``{"received": false, "error": reason}``."""
        if self.accepted:
            return {"received": True, "duplicate": self.duplicate}
        return {"received": False, "error": self.reason or ""}

    def body(self) -> bytes:
        """:meth:`json`, encoded."""
        return orjson.dumps(self.json())

    def __repr__(self) -> str:
        extra = f", reason={self.reason!r}" if self.reason else ""
        return f"Answer({int(self)}{extra}{', duplicate=True' if self.duplicate else ''})"

    def __str__(self) -> str:
        return str(int(self))  # "200", as an int prints (repr() tells the rest)


def reject(
    status: int, reason: str, size: int, *, logged: str | None = None, retry_after: int | None = None
) -> Answer:
    """A refusal; the log gets ``logged`` (content-free) or the reason, never the body."""
    _log.warning("webhook rejected with %d: %s (%d bytes read)", status, logged or reason, size)
    return Answer(status, reason, retry_after=retry_after)


def header_value(headers: Headers, name: str) -> str | None:
    """The first value of header ``name`` (case-insensitive) in a mapping or list of pairs."""
    if headers is None:
        return None
    wanted = name.lower()
    pairs: Iterable[Any] = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in pairs:
        text = key.decode("latin-1") if isinstance(key, bytes | bytearray) else key
        if not isinstance(text, str):
            raise TypeError(f"a header name must be str or bytes, got {key!r}")
        if text.lower() == wanted:
            if isinstance(value, bytes | bytearray):
                return value.decode("latin-1")
            if not isinstance(value, str):
                raise TypeError(
                    f"the value of header {text!r} must be str or bytes, got {type(value).__name__}"
                )
            return value
    return None


async def handle(router: Router, body: bytes | bytearray | memoryview | str, headers: Headers) -> Answer:
    """Answer one delivery as :class:`~wacr.webhooks.Router` says (``router.handle`` calls this)."""
    if isinstance(body, str):
        raw = body.encode("utf-8", "surrogateescape")
    elif isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body)
    else:
        raise TypeError(f"a webhook body must be bytes or str, got {type(body).__name__}")
    size = len(raw)
    if size > router.max_body_size:
        return reject(
            413, f"the body is over {router.max_body_size} bytes (the router's max_body_size)", size
        )
    if router._secret is not None:
        signature = header_value(headers, router.signature_header)
        if not signature or not verify_signature(raw, signature, router._secret):
            what = "is missing" if not signature else "does not match the body"
            return reject(401, f"the webhook signature {what} ({router.signature_header} header)", size)
    # Decoded here rather than in parse_event so that the log can say what is wrong without
    # quoting the body (parse_event's messages quote bad values).
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return reject(400, f"webhook body is not valid JSON ({exc})", size, logged="not valid JSON")
    if not isinstance(data, dict):
        return reject(400, f"a webhook body must be a JSON object, not {json_kind(data)}", size)
    try:
        event = parse_event(data)
    except WebhookError as exc:
        header = data.get("event")
        event_id = header.get("id") if isinstance(header, dict) else None
        logged = "not a webhook event (a field is missing or of the wrong type)"
        if isinstance(event_id, str):
            logged += f", event {short(event_id)}"
        return reject(400, str(exc), size, logged=logged)
    event_id = event.event.id  # never empty (parse_event refuses that)
    if event_id in router._load.running:
        router._log_duplicate(event)  # not run twice at once, even if the store forgot it
        return Answer(200, duplicate=True)
    if router._load.busy(router.max_pending):
        # Bounded work (the router's Bounds): the platform delivers again later.
        reason = (
            f"{router.max_pending} events are being handled (the router's max_pending); "
            f"deliver again in {BUSY_RETRY_AFTER} seconds"
        )
        logged = f"busy, event {short(event_id)}"
        return reject(503, reason, size, logged=logged, retry_after=BUSY_RETRY_AFTER)
    with router._load.admitting():
        fresh = await router.feed(event)
    return Answer(200, duplicate=not fresh)
