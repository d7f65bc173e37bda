"""The emulator's in-memory data: tenants, tokens and every resource, plus the seed."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from wacr.testing._clock import isoformat
from wacr.testing._core import Limiter, digits_of

__all__ = [
    "ALL_SCOPES",
    "FEATURES",
    "Chat",
    "Contact",
    "Group",
    "Message",
    "Otp",
    "Plan",
    "Source",
    "State",
    "Status",
    "Template",
    "Tenant",
    "Token",
    "template_definition",
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

_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")


def placeholder_count(text: str | None) -> int:
    """How many distinct ``{{n}}`` variables a template text has."""
    return len(set(_PLACEHOLDER.findall(text or "")))


def placeholder_numbers(text: str | None) -> list[int]:
    """The distinct ``{{n}}`` numbers of a template text, ascending."""
    return sorted({int(number) for number in _PLACEHOLDER.findall(text or "")})


def fill_placeholders(text: str, values: Mapping[int, str]) -> str:
    """Replace ``{{n}}`` with ``values[n]`` (unknown numbers stay as they are)."""
    return _PLACEHOLDER.sub(lambda m: values.get(int(m.group(1)), m.group(0)), text)


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


def template_definition(
    name: str,
    *,
    language: str = "en",
    category: str = "MARKETING",
    status: str = "APPROVED",
    body: str,
    header_format: str = "NONE",
    header_text: str | None = None,
    footer: str | None = None,
    buttons: Sequence[Mapping[str, Any]] | None = None,
    template_id: str | None = None,
) -> dict[str, Any]:
    """A template as the WhatsApp Business Account holds it (what sync copies)."""
    return {
        "template_id": template_id,
        "name": name,
        "language": language,
        "category": category.upper(),
        "status": status.upper(),
        "body": body,
        "header_format": header_format.upper(),
        "header_text": header_text,
        "footer": footer,
        "buttons": [dict(button) for button in buttons] if buttons else None,
    }


@dataclass(slots=True, eq=False)
class Template:
    """A row of the local template table; ``resource`` is the Get Template shape."""

    id: int
    resource: dict[str, Any]

    @property
    def name(self) -> str:
        """``template_name``."""
        return str(self.resource["template_name"])

    @property
    def language(self) -> str:
        """Language code."""
        return str(self.resource["language"])

    @property
    def status(self) -> str:
        """``APPROVED``, ``PENDING`` or ``REJECTED``."""
        return str(self.resource["status"])

    @property
    def category(self) -> str:
        """``MARKETING``, ``UTILITY`` or ``AUTHENTICATION``."""
        return str(self.resource["category"])

    @property
    def header_format(self) -> str:
        """``TEXT``, ``IMAGE``, ``VIDEO``, ``DOCUMENT`` or ``NONE``."""
        return str(self.resource["header_data_format"])

    @property
    def body(self) -> str:
        """Body text with ``{{n}}`` variables."""
        return str(self.resource["body_data"])

    def auth_item(self) -> dict[str, Any]:
        """The List Authentication Templates item."""
        data = self.resource
        return {
            "id": self.id,
            "template_name": data["template_name"],
            "language": data["language"],
            "body_text": data["body_data"],
            "body_params_count": data["body_params_count"],
            "header_format": data["header_data_format"],
            "header_text": data["header_data_text"],
            "footer_text": data["footer_data"],
            "status": data["status"],
            "created_at": data["created_at"],
        }


def build_template(
    definition: Mapping[str, Any], id: int, created_at: str, updated_at: str
) -> dict[str, Any]:
    """The Get Template resource for a WABA template definition."""
    category = definition["category"]
    header_format = definition["header_format"]
    header_text = definition["header_text"] if header_format == "TEXT" else None
    body = definition["body"]
    footer = definition["footer"]
    buttons = definition["buttons"]
    is_auth = category == "AUTHENTICATION"
    if is_auth and not buttons:
        buttons = [{"type": "OTP", "otp_type": "COPY_CODE", "text": "Copy code"}]

    components: list[dict[str, Any]] = []
    if header_format != "NONE":
        header: dict[str, Any] = {"type": "HEADER", "format": header_format}
        if header_text is not None:
            header["text"] = header_text
        components.append(header)
    body_component: dict[str, Any] = {"type": "BODY", "text": body}
    if is_auth:
        body_component["add_security_recommendation"] = True
    components.append(body_component)
    if footer or is_auth:
        footer_component: dict[str, Any] = {"type": "FOOTER"}
        if footer:
            footer_component["text"] = footer
        if is_auth:
            footer_component["code_expiration_minutes"] = 10
        components.append(footer_component)
    if buttons:
        components.append({"type": "BUTTONS", "buttons": buttons})

    return {
        "id": id,
        "template_id": definition["template_id"],
        "template_name": definition["name"],
        "name": definition["name"],
        "language": definition["language"],
        "category": category,
        "status": definition["status"],
        "header_data_format": header_format,
        "header_data_text": header_text,
        "header_params_count": placeholder_count(header_text),
        "header_file_url": None,
        "header_variable_value": None,
        "body_data": body,
        "body_params_count": placeholder_count(body),
        "body_variable_value": None,
        "footer_data": footer,
        "footer_params_count": placeholder_count(footer),
        "buttons_data": json.dumps(buttons) if buttons else None,
        "message_send_ttl_seconds": 600 if is_auth else None,
        "add_security_recommendation": is_auth,
        "code_expiration_minutes": 10 if is_auth else None,
        "otp_button_config": {"otp_type": "COPY_CODE", "text": "Copy code"} if is_auth else None,
        "components": components,
        "created_at": created_at,
        "updated_at": updated_at,
    }


TEMPLATE_FIELDS: Final[tuple[str, ...]] = (
    "id",
    "template_id",
    "template_name",
    "name",
    "language",
    "category",
    "status",
    "header_data_format",
    "header_data_text",
    "header_params_count",
    "header_file_url",
    "header_variable_value",
    "body_data",
    "body_params_count",
    "body_variable_value",
    "footer_data",
    "footer_params_count",
    "buttons_data",
    "message_send_ttl_seconds",
    "add_security_recommendation",
    "code_expiration_minutes",
    "otp_button_config",
    "components",
    "created_at",
    "updated_at",
)


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


@dataclass(eq=False)
class Tenant:
    """One account and everything it owns."""

    id: int
    name: str
    subdomain: str
    created_at: str
    plan: Plan = field(default_factory=Plan)
    whatsapp_configured: bool = True
    whatsapp_number: str = "15550000001"
    default_status_id: int | None = None
    default_source_id: int | None = None
    default_assignee_id: int | None = None

    contacts: dict[int, Contact] = field(default_factory=dict)
    phones: dict[str, int] = field(default_factory=dict)  # digits -> contact id
    emails: dict[str, int] = field(default_factory=dict)  # lowercased email -> contact id
    groups: dict[int, Group] = field(default_factory=dict)
    sources: dict[int, Source] = field(default_factory=dict)
    statuses: dict[int, Status] = field(default_factory=dict)
    templates: dict[int, Template] = field(default_factory=dict)
    remote_templates: dict[str, dict[str, Any]] = field(default_factory=dict)  # template_id -> def
    messages: list[Message] = field(default_factory=list)
    messages_by_id: dict[int, Message] = field(default_factory=dict)
    # False once a message was stored with an older timestamp than the one before it (a clock
    # set backwards): then the newest-first listing must really sort.
    messages_monotonic: bool = True
    chats: dict[str, Chat] = field(default_factory=dict)  # digits -> chat
    otps: dict[tuple[str, str], Otp] = field(default_factory=dict)  # (digits, purpose) -> OTP
    _contact_list: list[Contact] | None = None

    # -- contacts ----------------------------------------------------------------------------
    def contact_list(self) -> list[Contact]:
        """Contacts in insertion order (cached; a delete invalidates the cache)."""
        if self._contact_list is None:
            self._contact_list = list(self.contacts.values())
        return self._contact_list

    def add_contact(self, contact: Contact) -> None:
        """Store a new contact and index its phone and email."""
        self.contacts[contact.id] = contact
        self.phones[contact.digits] = contact.id
        if contact.email:
            self.emails[contact.email.lower()] = contact.id
        for group_id in contact.group_ids:
            self.groups[group_id].members.add(contact.id)
        if self._contact_list is not None:
            self._contact_list.append(contact)

    def remove_contact(self, contact: Contact) -> None:
        """Delete a contact, its indexes and its group memberships."""
        del self.contacts[contact.id]
        if self.phones.get(contact.digits) == contact.id:
            del self.phones[contact.digits]
        if contact.email and self.emails.get(contact.email.lower()) == contact.id:
            del self.emails[contact.email.lower()]
        for group_id in contact.group_ids:
            group = self.groups.get(group_id)
            if group is not None:
                group.members.discard(contact.id)
        self._contact_list = None

    def set_phone(self, contact: Contact, phone: str, digits: str) -> None:
        """Change a contact's phone, keeping the index in step."""
        if self.phones.get(contact.digits) == contact.id:
            del self.phones[contact.digits]
        contact.phone = phone
        contact.digits = digits
        self.phones[digits] = contact.id

    def set_email(self, contact: Contact, email: str | None) -> None:
        """Change a contact's email, keeping the index in step."""
        if contact.email and self.emails.get(contact.email.lower()) == contact.id:
            del self.emails[contact.email.lower()]
        contact.email = email
        if email:
            self.emails[email.lower()] = contact.id

    def set_groups(self, contact: Contact, group_ids: list[int]) -> None:
        """Replace a contact's memberships (``group_id`` and the groups' member sets)."""
        for group_id in contact.group_ids:
            group = self.groups.get(group_id)
            if group is not None:
                group.members.discard(contact.id)
        contact.group_ids = list(dict.fromkeys(group_ids))
        for group_id in contact.group_ids:
            self.groups[group_id].members.add(contact.id)

    def find_contact(self, phone_or_id: str | int) -> Contact | None:
        """A contact by id (int) or by the digits of a phone number (str)."""
        if isinstance(phone_or_id, int):
            return self.contacts.get(phone_or_id)
        contact_id = self.phones.get(digits_of(phone_or_id))
        return None if contact_id is None else self.contacts.get(contact_id)

    # -- templates ---------------------------------------------------------------------------
    def find_template(self, name: str, language: str) -> Template | None:
        """The local template with this name and language."""
        for template in self.templates.values():
            if template.name == name and template.language == language:
                return template
        return None

    def iter_templates(self) -> Iterator[Template]:
        """Local templates in id order."""
        return iter(self.templates.values())


class State:
    """All tenants and tokens, and the id sequences they share (ids are unique emulator-wide)."""

    def __init__(self) -> None:
        self.tenants: dict[int, Tenant] = {}
        self.tokens: dict[str, Token] = {}
        self._sequences: dict[str, Iterator[int]] = {}
        # The OTP limiters are business rules: 3 resends per 5 minutes, 10 verifies per minute.
        self.resend_limiter = Limiter(3, 300)
        self.verify_limiter = Limiter(10, 60)
        # The general per-token limit is off unless configured (requests per minute).
        self.rate_limit: int | None = None
        self.token_limiter = Limiter(60, 60)
        # Webhook events the handlers record while answering a request; the server sends them
        # after answering. None while no webhook is registered: then nothing is recorded.
        self.webhook_events: list[dict[str, Any]] | None = None

    def take_webhook_events(self) -> list[dict[str, Any]]:
        """The webhook events recorded since the last call (recording stays on)."""
        events = self.webhook_events
        if not events:
            return []
        self.webhook_events = []
        return events

    def set_rate_limit(self, per_minute: int | None) -> None:
        """Turn the per-token limit on (N requests per minute) or off (None)."""
        self.rate_limit = per_minute
        if per_minute is not None:
            self.token_limiter.max_attempts = per_minute

    def next_id(self, table: str) -> int:
        """The next id of a table (1, 2, 3, ...)."""
        sequence = self._sequences.get(table)
        if sequence is None:
            sequence = self._sequences[table] = itertools.count(1)
        return next(sequence)

    def next_template_id(self) -> str:
        """A WhatsApp-style numeric template id string."""
        return str(1_000_000_000_000_000 + self.next_id("waba_template"))


def seed_tenant(state: State, tenant: Tenant, now: datetime, *, seed: bool) -> None:
    """Fill a new tenant with the documented defaults (statuses, sources, templates)."""
    if not seed:
        return
    stamp = isoformat(now)
    for name, color in (("New Lead", "#25D366"), ("Qualified", "#3B82F6"), ("Customer", "#F59E0B")):
        status = Status(state.next_id("statuses"), name, color, stamp, stamp)
        tenant.statuses[status.id] = status
    for name in ("Website", "WhatsApp", "Referral"):
        source = Source(state.next_id("sources"), name, stamp, stamp)
        tenant.sources[source.id] = source
    tenant.default_status_id = next(iter(tenant.statuses))
    tenant.default_source_id = next(iter(tenant.sources))
    tenant.default_assignee_id = 1

    definitions = [
        template_definition(
            "otp_verification",
            category="AUTHENTICATION",
            body="{{1}} is your verification code. It expires in {{2}} minutes.",
        ),
        template_definition(
            "order_update",
            category="UTILITY",
            header_format="IMAGE",
            body="Hi {{1}}, your order {{2}} has shipped.",
            footer="Thank you for shopping with us",
            buttons=[{"type": "URL", "text": "Track order", "url": "https://example.com/track/{{1}}"}],
        ),
        template_definition("welcome", body="Welcome to Acme, {{1}}!"),
        template_definition(
            "appointment_reminder",
            category="UTILITY",
            header_format="TEXT",
            header_text="Reminder for {{1}}",
            body="Your appointment is on {{1}} at {{2}}.",
        ),
        template_definition(
            "invoice_ready",
            category="UTILITY",
            header_format="DOCUMENT",
            body="Your invoice {{1}} is ready.",
        ),
        template_definition("spring_sale", status="PENDING", body="Spring sale: {{1}} off everything!"),
        template_definition("flash_offer", status="REJECTED", body="Flash offer just for you!"),
    ]
    for definition in definitions:
        definition["template_id"] = state.next_template_id()
        tenant.remote_templates[definition["template_id"]] = definition
        sync_template(state, tenant, definition, stamp)


def sync_template(state: State, tenant: Tenant, definition: Mapping[str, Any], stamp: str) -> bool:
    """Copy one WABA template into the local table; True when it was created."""
    for template in tenant.templates.values():
        if template.resource["template_id"] == definition["template_id"]:
            template.resource = build_template(
                definition, template.id, template.resource["created_at"], stamp
            )
            return False
    template_id = state.next_id("templates")
    tenant.templates[template_id] = Template(
        template_id, build_template(definition, template_id, stamp, stamp)
    )
    return True


def new_tenant(
    state: State,
    now: datetime,
    *,
    tenant_id: int,
    name: str,
    subdomain: str,
    seed: bool = True,
) -> Tenant:
    """Create, seed and register a tenant."""
    tenant = Tenant(
        id=tenant_id, name=name, subdomain=subdomain, created_at=isoformat(now - timedelta(days=90))
    )
    seed_tenant(state, tenant, now, seed=seed)
    state.tenants[tenant_id] = tenant
    return tenant
