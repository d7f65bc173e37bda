"""What the emulator records: the outbox of WhatsApp messages and the requests it received."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from wacr.testing._clock import isoformat
from wacr.testing._core import json_safe

__all__ = ["ReceivedRequest", "SentMessage"]


@dataclass
class SentMessage:
    """A WhatsApp message the emulator "sent" (one entry of :attr:`Emulator.outbox`).

    ``kind`` is ``"text"``, ``"template"``, ``"media"``, ``"interactive"``, ``"cta"`` (one URL
    button: ``button_text``, ``button_url``, ``header_text``, ``footer_text``) or ``"otp"``
    (send-otp and resend). ``text`` is what the customer would read: the text after merge fields, or the
    template body with its variables filled. ``code`` is set for OTP messages (and template sends
    with ``auto_generate_otp``). ``request`` is the input the API read: the JSON body, merged
    over the query string.
    """

    kind: str
    phone: str
    contact_id: int
    message_id: str
    chat_id: int
    chat_message_id: int
    time: datetime
    tenant_id: int
    text: str | None = None
    template_name: str | None = None
    language: str | None = None
    code: str | None = None
    purpose: str | None = None
    media_type: str | None = None
    media_url: str | None = None
    caption: str | None = None
    filename: str | None = None
    interactive_type: str | None = None
    button_text: str | None = None
    button_url: str | None = None
    header_text: str | None = None
    footer_text: str | None = None
    request: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``time`` as ISO 8601)."""
        # Not `asdict`: it deep-copies `request` recursively, which a hostile body can nest 1,000 deep.
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["time"] = isoformat(self.time)
        data["request"] = json_safe(self.request)
        return data


@dataclass
class ReceivedRequest:
    """One API request the emulator received (an entry of :attr:`Emulator.received`).

    ``path`` is relative to ``/api/v2`` (``"/messages/text"``); ``json`` is the parsed body, or
    ``None`` when there was none or it was not JSON; ``status`` is the HTTP status answered, or
    ``None`` when the connection was dropped by a fault; ``fault`` says whether a fault matched.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    time: datetime
    status: int | None = None
    fault: bool = False
    request_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``time`` as ISO 8601)."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "json": json_safe(self.json),
            "time": isoformat(self.time),
            "status": self.status,
            "fault": self.fault,
            "request_id": self.request_id,
        }
