"""HTTP metadata of one API call, attached to every result (``result.response``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

__all__ = ["ResponseInfo"]


@attrs.frozen(slots=True, repr=False)
class ResponseInfo:
    """The HTTP side of a successful call: status, headers, request id, timing.

    Every model a call returns exposes it as ``result.response`` (and a page as
    ``page.response``), so the request id of any call is at hand without a second parse::

        sent = await client.messages.send_text(phone=..., message=...)
        sent.response.request_id, sent.response.status, sent.response.headers["Date"]
    """

    #: HTTP status code (200, 201, ...).
    status: int
    #: Response headers, read-only and case-insensitive.
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
    #: How many attempts the call took (1 when it was not retried).
    attempts: int

    def __repr__(self) -> str:
        # Headers and meta are left out: long, and rarely what one looks for in a log.
        return (
            f"ResponseInfo(status={self.status}, method={self.method!r}, url={self.url!r}, "
            f"request_id={self.request_id!r}, elapsed={self.elapsed:.3f}, "
            f"attempts={self.attempts})"
        )
