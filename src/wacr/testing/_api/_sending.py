"""The send pipeline every message send and the OTP calls share: the recipient checks, the
contact auto-create, and storing what was sent (history, chat, outbox)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from operator import attrgetter
from typing import Any, Final

from wacr.testing import _events
from wacr.testing._api.contacts import contact_limit_error
from wacr.testing._context import Ctx
from wacr.testing._core import ApiError, digits_of, new_wamid, not_found, validation_error
from wacr.testing._log import SentMessage
from wacr.testing._records import Chat, Contact, Message
from wacr.testing._state import Tenant
from wacr.testing._validation import Validator

__all__ = [
    "MEDIA_EXTENSIONS",
    "PHONE_MESSAGES",
    "Target",
    "deliver",
    "merge",
    "prepare",
    "random_code",
    "require_templates",
    "store_message",
    "validate_phone",
]

PHONE_CHARS: Final = re.compile(r"^[0-9+\-\s()]+$")
PHONE_MESSAGES: Final = {"phone.required": "Phone number is required"}

MEDIA_EXTENSIONS: Final = {
    "image": ("jpg", "jpeg", "png", "webp"),
    "document": ("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "csv"),
    "video": ("mp4", "3gp"),
    "audio": ("mp3", "ogg", "amr", "aac", "opus"),
}

_MERGE_FIELDS: Final = (
    ("@{contact_first_name}", attrgetter("firstname")),
    ("@{contact_last_name}", attrgetter("lastname")),
    ("@{contact_email}", attrgetter("email")),
    ("@{contact_phone}", attrgetter("phone")),
)


def random_code() -> str:
    """A random 6-digit code."""
    return f"{secrets.randbelow(1_000_000):06d}"


def merge(text: str, contact: Contact) -> str:
    """Fill the documented merge fields from the contact."""
    if "@{" not in text:
        return text
    for placeholder, get in _MERGE_FIELDS:
        if placeholder in text:
            text = text.replace(placeholder, get(contact) or "")
    return text


def require_templates(tenant: Tenant) -> None:
    """The 403 ``FEATURE_NOT_AVAILABLE`` of a template send (send template and send-otp alike,
    upstream-v2.md §3.2.2 and §4) when the plan's ``whatsapp_templates`` feature is off."""
    if not tenant.plan.features.get("whatsapp_templates", False):
        raise ApiError(
            403,
            "FEATURE_NOT_AVAILABLE",
            "WhatsApp templates are not available on your current plan.",
            {"feature": "whatsapp_templates"},
        )


def validate_phone(
    v: Validator, *, min: int | None = None, max: int | None = None, chars: bool = False
) -> str:
    """The recipient ``phone`` rule of an endpoint, the spec's (openapi/wacr-v2.yaml): text and
    send-otp 10-20 characters of ``PHONE_CHARS``, media and CTA 10-15, the others (template,
    interactive, verify, resend, status) only ``required`` (upstream-v2.md §5 no. 57: no rule):
    ``min``/``max`` None is no bound, and no digit is demanded.

    Returns the phone's digits ("" when invalid, or when it has none: see :func:`prepare`).
    """
    phone = v.string("phone", required=True, min=min, max=max, regex=PHONE_CHARS if chars else None)
    return "" if phone is None else digits_of(phone)


class Target:
    """Where a send goes, after every check passed: the contact and (if any yet) the chat."""

    __slots__ = ("chat", "contact", "digits")

    def __init__(self, digits: str, contact: Contact, chat: Chat | None) -> None:
        self.digits = digits
        self.contact = contact
        self.chat = chat


def prepare(
    ctx: Ctx,
    digits: str,
    contact_id: int | None,
    new_contact: Mapping[str, Any] | None = None,
) -> Target:
    """Run the send checks in order, then resolve (or auto-create) the contact.

    WhatsApp configured -> contact by id (404) or by phone digits -> opted out (403) -> the
    conversation limit when a new chat would start (403) -> auto-create: needs the default lead
    status, source and assignee (422) and room under the contact limit (403).
    """
    tenant = ctx.tenant
    if not tenant.whatsapp_configured:
        raise ApiError(
            422,
            "WHATSAPP_NOT_CONFIGURED",
            "WhatsApp is not configured for this account. Connect a WhatsApp Business Account first.",
        )
    contact: Contact | None
    if contact_id is not None:
        contact = tenant.contacts.get(contact_id)
        if contact is None:
            raise not_found("Contact")
    else:
        existing = tenant.phones.get(digits)
        contact = tenant.contacts.get(existing) if existing is not None else None
    if contact is not None and contact.is_opted_out:
        raise ApiError(
            403,
            "CONTACT_OPTED_OUT",
            "This contact has opted out of receiving messages.",
            {"contact_id": contact.id},
        )
    chat = tenant.chats.get(digits)
    limit = tenant.plan.conversations
    if chat is None and limit is not None and limit >= 0 and len(tenant.chats) >= limit:
        current = len(tenant.chats)
        raise ApiError(
            403,
            "FEATURE_LIMIT_EXCEEDED",
            f"Conversation limit reached ({current}/{limit}). Upgrade your plan to start new conversations.",
            {"feature": "conversations", "current": current, "maximum": limit},
        )
    if not digits:
        # A phone the spec lets through without a digit names no WhatsApp number: nothing is sent or
        # stored. WhatsApp would fail the call (a 500); the emulator answers no 5xx of its own
        # (tests/contract/test_schemathesis.py), so the 404 of a recipient that is not there.
        raise ApiError(404, "NOT_FOUND", "No WhatsApp recipient: the phone number has no digits.")
    if contact is None:
        contact = _auto_create(ctx, digits, new_contact or {})
    return Target(digits, contact, chat)


def _auto_create(ctx: Ctx, digits: str, details: Mapping[str, Any]) -> Contact:
    tenant = ctx.tenant
    status_id, source_id = tenant.default_status_id, tenant.default_source_id
    assignee = details.get("assigned_id") or tenant.default_assignee_id
    if status_id not in tenant.statuses or source_id not in tenant.sources or assignee is None:
        raise validation_error(
            {
                "phone": [
                    "No contact has this phone number and none can be created: set a default lead "
                    "status, source and assignee in the Application settings."
                ]
            }
        )
    limit = contact_limit_error(tenant)
    if limit is not None:
        raise limit
    email = details.get("email")
    if email and email.lower() in tenant.emails:
        raise validation_error({"contact.email": ["This email address already exists"]})
    contact = Contact(
        id=ctx.state.next_id("contacts"),
        firstname=details.get("firstname") or digits,
        lastname=details.get("lastname") or "",
        phone=digits,
        type="lead",
        status_id=status_id,
        source_id=source_id,
        created_at=ctx.stamp,
        updated_at=ctx.stamp,
        email=email,
        assigned_id=assignee,
        group_ids=[group_id for group_id in details.get("groups", ()) if group_id in tenant.groups],
        digits=digits,
    )
    tenant.add_contact(contact)
    _events.created(ctx, contact)
    return contact


def deliver(
    ctx: Ctx,
    target: Target,
    *,
    kind: str,
    type: str,
    text: str | None,
    url: str | None = None,
    **outbox: Any,
) -> dict[str, Any]:
    """Store the outbound message (history, chat, outbox); returns the common response fields."""
    tenant = ctx.tenant
    chat = target.chat
    if chat is None:
        chat = tenant.chats[target.digits] = Chat(
            ctx.state.next_id("chats"), target.digits, target.contact.id, ctx.stamp
        )
    message_id = new_wamid()
    message = Message(
        id=ctx.state.next_id("chat_messages"),
        interaction_id=chat.id,
        sender_id=tenant.whatsapp_number,
        type=type,
        message=text,
        status="sent",
        message_id=message_id,
        sent_at=ctx.stamp,
        direction="outbound",
        contact_id=target.contact.id,
        created_at=ctx.stamp,
        updated_at=ctx.stamp,
        url=url,
    )
    store_message(tenant, message)
    ctx.outbox.append(
        SentMessage(
            kind=kind,
            phone=target.digits,
            contact_id=target.contact.id,
            message_id=message_id,
            chat_id=chat.id,
            chat_message_id=message.id,
            time=ctx.now,
            tenant_id=tenant.id,
            text=text,
            request=ctx.body,
            **outbox,
        )
    )
    return {
        "message_id": message_id,
        "contact_id": target.contact.id,
        "phone": target.digits,
        "status": "sent",
        "sent_at": ctx.stamp,
        "chat_id": chat.id,
        "chat_message_id": message.id,
    }


def store_message(tenant: Tenant, message: Message) -> None:
    """Append to the history, noting when the clock went backwards (see ``messages_monotonic``)."""
    if tenant.messages and message.created_at < tenant.messages[-1].created_at:
        tenant.messages_monotonic = False
    tenant.messages.append(message)
    tenant.messages_by_id[message.id] = message
