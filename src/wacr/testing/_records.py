"""The emulator's records: tokens, plans and the rows of every resource table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

__all__ = [
    "ALL_SCOPES",
    "CONTACT_FIELDS",
    "FEATURES",
    "MESSAGE_FIELDS",
    "Chat",
    "Contact",
    "Group",
    "Message",
    "Otp",
    "Plan",
    "Source",
    "Status",
    "Token",
]

#: Every token ability the API knows; the default token has them all. Deleting a source or a
#: status needs its ``*:write`` scope (there is no ``sources:delete`` / ``statuses:delete``).
ALL_SCOPES: Final[frozenset[str]] = frozenset(
    {
        "messages:send",
        "messages:read",
        "templates:read",
        "templates:sync",
        "contacts:read",
        "contacts:write",
        "contacts:delete",
        "groups:read",
        "groups:write",
        "groups:delete",
        "sources:read",
        "sources:write",
        "statuses:read",
        "statuses:write",
        "account:read",
    }
)

#: The plan feature flags of ``GET /account/limits``.
FEATURES: Final[tuple[str, ...]] = (
    "whatsapp_templates",
    "bulk_messaging",
    "chatbot",
    "advanced_analytics",
    "api_access",
    "custom_branding",
)


@dataclass(eq=False)
class Token:
    """An API token: its tenant and its abilities."""

    token: str
    tenant_id: int
    scopes: frozenset[str]


@dataclass(eq=False)
class Plan:
    """A tenant's subscription: limits (-1 = unlimited, None = not configured) and features."""

    plan_name: str = "Pro"
    plan_id: int | None = 3
    subscription_status: str | None = "active"
    contacts: int | None = 10_000
    conversations: int | None = -1
    campaigns: int | None = 10
    staff: int | None = 5
    campaigns_current: int = 2
    staff_current: int = 3
    features: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(FEATURES, True))


@dataclass(slots=True, eq=False)
class Contact:
    """A contact row; ``to_json`` renders the documented ContactResource."""

    id: int
    firstname: str
    lastname: str
    phone: str
    type: str
    status_id: int | None
    source_id: int | None
    created_at: str
    updated_at: str
    company: str | None = None
    email: str | None = None
    description: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    address: str | None = None
    country_id: int | None = None
    assigned_id: int | None = None
    group_ids: list[int] = field(default_factory=list)
    is_opted_out: bool = False
    digits: str = ""
    # Batch create's `addedfrom` (meaning undocumented): kept, never rendered.
    addedfrom: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The ContactResource, without relations."""
        return {
            "id": self.id,
            "firstname": self.firstname,
            "lastname": self.lastname,
            "company": self.company,
            "type": self.type,
            "email": self.email,
            "phone": self.phone,
            "status_id": self.status_id,
            "source_id": self.source_id,
            "description": self.description,
            "city": self.city,
            "state": self.state,
            "zip": self.zip,
            "address": self.address,
            "country_id": self.country_id,
            "assigned_id": self.assigned_id,
            "group_id": list(self.group_ids),
            "is_opted_out": self.is_opted_out,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


CONTACT_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "tenant_id",
    "firstname",
    "lastname",
    "company",
    "type",
    "email",
    "phone",
    "status_id",
    "source_id",
    "description",
    "city",
    "state",
    "zip",
    "address",
    "country_id",
    "assigned_id",
    "group_id",
    "is_opted_out",
    "created_at",
    "updated_at",
)


@dataclass(slots=True, eq=False)
class Group:
    """A contact group; ``members`` mirrors the contacts' ``group_id`` arrays."""

    id: int
    name: str
    created_at: str
    updated_at: str
    members: set[int] = field(default_factory=set)

    def to_json(self, *, count: bool = True) -> dict[str, Any]:
        """The group resource (``contacts_count`` is an extra the spec tolerates)."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if count:
            data["contacts_count"] = len(self.members)
        return data


@dataclass(slots=True, eq=False)
class Source:
    """A lead source."""

    id: int
    name: str
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """The source resource."""
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True, eq=False)
class Status:
    """A contact status."""

    id: int
    name: str
    color: str | None
    created_at: str
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        """The status resource."""
        return {
            "id": self.id,
            "name": self.name,
            "color": self.color,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True, eq=False)
class Message:
    """One row of the WhatsApp message history."""

    id: int
    interaction_id: int | None
    sender_id: str | None
    type: str
    message: str | None
    status: str
    message_id: str | None
    sent_at: str
    direction: str
    contact_id: int | None
    created_at: str
    updated_at: str
    is_read: bool = False
    status_message: str | None = None
    ref_message_id: str | None = None
    url: str | None = None
    staff_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The List Messages item."""
        return {
            "id": self.id,
            "interaction_id": self.interaction_id,
            "sender_id": self.sender_id,
            "type": self.type,
            "message": self.message,
            "status": self.status,
            "message_id": self.message_id,
            "sent_at": self.sent_at,
            "is_read": self.is_read,
        }

    def to_detail_json(self) -> dict[str, Any]:
        """The Get Message resource."""
        data = self.to_json()
        data["status_message"] = self.status_message
        data["ref_message_id"] = self.ref_message_id
        data["url"] = self.url
        data["staff_id"] = self.staff_id
        return data


MESSAGE_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "interaction_id",
    "sender_id",
    "type",
    "message",
    "status",
    "message_id",
    "sent_at",
    "is_read",
)


@dataclass(slots=True, eq=False)
class Chat:
    """A chat conversation (interaction) with one phone number; holds its internal comments."""

    id: int
    digits: str
    contact_id: int | None
    created_at: str
    comments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Otp:
    """The active OTP of one (phone digits, purpose)."""

    code: str
    purpose: str
    created_at: datetime
    expires_at: datetime
    attempts: int = 0
